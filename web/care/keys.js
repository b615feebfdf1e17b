// Keyboard shortcuts for people who work the queue all day: j/k move between inquiries, o opens one,
// a assigns it (or the open one) to you, n goes to the note box, ? lists the keys. They never fire while
// someone types in a field, nor with Ctrl, Alt or Meta held (the browser's and screen readers' own keys).

import { h } from "./render.js";

const KEYS = [
  ["j", "Next inquiry in the queue"],
  ["k", "Previous inquiry in the queue"],
  ["o", "Open the inquiry you are on"],
  ["a", "Assign the inquiry you are on (or the open one) to me"],
  ["n", "Write a note on the open inquiry"],
  ["?", "Show these keys"],
];

let handlers = {};
let owner = null;

/** The keys of the view now on screen (they end when another view starts). */
export function bindKeys(view, map) {
  owner = view;
  handlers = map;
}

/** Listen for the keys (once, for the page's life). */
export function installKeys() {
  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.altKey || event.metaKey || event.defaultPrevented || event.isComposing) return;
    const target = event.target;
    if (target?.closest?.("input, textarea, select, [contenteditable=''], [contenteditable='true'], dialog")) return;
    if (event.key === "?") {
      event.preventDefault();
      showHelp();
      return;
    }
    const run = owner?.isCurrent() ? handlers[event.key] : undefined;
    if (!run) return;
    event.preventDefault();
    run();
  });
}

function showHelp() {
  let dialog = document.getElementById("keys-help");
  if (!dialog) {
    const close = h("button", { type: "button", class: "button button--secondary" }, "Close");
    dialog = h("dialog", { class: "dialog", id: "keys-help", "aria-labelledby": "keys-help-title" },
      h("h2", { id: "keys-help-title" }, "Keyboard shortcuts"),
      h("p", {}, "They work when you are not typing in a field."),
      h("dl", { class: "keys" }, KEYS.map(([key, what]) => h("div", { class: "keys__row" },
        h("dt", {}, h("kbd", {}, key)), h("dd", {}, what)))),
      close);
    close.addEventListener("click", () => dialog.close());
    document.body.append(dialog);
  }
  if (!dialog.open) dialog.showModal();
}
