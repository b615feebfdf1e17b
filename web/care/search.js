// Search: by reference (INQ-…, as the confirmation email tells people to quote it), by exact email
// address or phone number (the API looks them up by their keyed hashes) or by name (whole words). The
// term stays in this page's memory: it is never put in the address, the title or anywhere stored.

import { ApiError, readInquiry, searchInquiries } from "./api.js";
import { errorSummary, fill, h, levelMark, showFieldError, tag, when } from "./render.js";
import { assigneeLabel, loadTeam } from "./team.js";
import { languageLabel, levelLabel, levelOf, statusLabel, topicLabel } from "./terms.js";

const REFERENCE = /^\s*INQ-[0-9A-Z]{8}\s*$/i;

/** Show the search form; results appear under it (the term is kept nowhere). */
export async function showSearch(view) {
  view.title("Search");
  const heading = h("h1", { tabindex: "-1" }, "Find an inquiry");
  const summarySlot = h("div");
  // No name: should the form ever be sent natively (before its handler is attached), the term goes nowhere.
  const input = h("input", { class: "input", id: "search-term", type: "search", autocomplete: "off",
                             spellcheck: "false", maxlength: "200", "aria-describedby": "search-term-hint" });
  const results = h("div", { class: "results", "aria-live": "polite" });
  const teamLoading = loadTeam();  // for the assignees' names in the results
  const form = h("form", { class: "form form--inline", role: "search", "aria-label": "Find an inquiry", novalidate: true },
    h("div", { class: "field" },
      h("label", { class: "label", for: "search-term" }, "Reference, email address, phone number or name"),
      h("p", { class: "hint", id: "search-term-hint" },
        "A reference such as INQ-1A2B3C4D opens that inquiry. Email addresses and phone numbers must be complete; "
        + "names are matched by whole words (upper and lower case and accents do not matter)."),
      input),
    h("button", { type: "submit", class: "button" }, "Search"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const term = input.value.trim();
    await teamLoading;
    summarySlot.replaceChildren();
    showFieldError(input, "");
    if (!term) {
      showFieldError(input, "Enter a reference, an email address, a phone number or a name.");
      const summary = errorSummary([{ message: "Enter a reference, an email address, a phone number or a name.",
                                      fieldId: "search-term" }]);
      summarySlot.replaceChildren(summary);
      summary.focus();
      return;
    }
    if (REFERENCE.test(term)) {
      await openReference(view, term.trim().toUpperCase(), results);
      return;
    }
    fill(results, h("p", {}, "Searching…"));
    try {
      const answer = await searchInquiries(term);
      if (!view.isCurrent()) return;
      showResults(view, results, answer.items ?? []);
    } catch (error) {
      if (error instanceof ApiError && [0, 422].includes(error.status)) {
        showFieldError(input, error.message);
        const summary = errorSummary([{ message: error.message, fieldId: "search-term" }]);
        summarySlot.replaceChildren(summary);
        results.replaceChildren();
        summary.focus();
        return;
      }
      view.fail(error);
    }
  });
  fill(view.main, summarySlot, heading, form, results);
  heading.focus();
}

/** Open the inquiry with this reference (GET /care/inquiries/INQ-…); the address then holds its id. */
async function openReference(view, reference, results) {
  fill(results, h("p", {}, "Opening…"));
  try {
    const inquiry = await readInquiry(reference);
    if (view.isCurrent()) location.hash = `#/inquiries/${encodeURIComponent(inquiry.inquiry_id)}`;
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) {
      const heading = h("h2", { tabindex: "-1" }, "No inquiry has that reference");
      fill(results, heading, h("p", {}, "Check the reference with the person. An erased inquiry cannot be found."));
      heading.focus();
      return;
    }
    view.fail(error);
  }
}

function showResults(view, results, items) {
  const me = view.session.sub;
  const heading = h("h2", { tabindex: "-1" }, items.length === 1 ? "1 inquiry found" : `${items.length} inquiries found`);
  if (!items.length) {
    fill(results, heading, h("p", {}, "Nothing matched. Email addresses and phone numbers must be complete; names "
      + "match whole words, not parts or misspellings."));
    heading.focus();
    return;
  }
  fill(results, heading, h("div", { class: "table-wrap" }, h("table", { class: "table" },
    h("caption", { class: "visually-hidden" }, "Inquiries found, newest first"),
    h("thead", {}, h("tr", {}, ["Reference", "Received", "Name", "Status", "Triage level", "Topic", "Language",
      "Assigned to"].map((name) => h("th", { scope: "col" }, name)))),
    h("tbody", {}, items.map((item) => h("tr", {},
      h("th", { scope: "row" }, h("a", { href: `#/inquiries/${encodeURIComponent(item.inquiry_id)}` }, item.reference)),
      h("td", {}, when(item.created_at)),
      h("td", {}, item.name),
      h("td", {}, tag(statusLabel(item.status), `status-${item.status}`)),
      h("td", { class: "flags level" }, levelMark(levelOf(item), levelLabel(levelOf(item)))),
      h("td", {}, topicLabel(item.topic)),
      h("td", {}, languageLabel(item.language ?? "en")),
      h("td", {}, assigneeLabel(item.assignee, { me }))))))));
  heading.focus();
}
