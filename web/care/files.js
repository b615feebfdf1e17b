// Saving what the console downloads (a CSV export, a person's data as JSON) as a file on this computer.
// The content goes from memory to the file: it is never put in an address, a title or anywhere stored.

/** Offer `text` as a file named `filename` (the browser's download). */
export function saveFile(text, filename, type = "text/csv") {
  const url = URL.createObjectURL(new Blob([text], { type: `${type};charset=utf-8` }));
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // The download has what it needs once the click is handled; the object URL is not kept.
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
