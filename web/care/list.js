// The lists: inquiries in one status, newest first, each with its triage level (Urgent, Priority or
// None) and overdue ones marked, in words.

import { listInquiries } from "./api.js";
import { dueMark, fill, h, levelMark, tag, when } from "./render.js";
import { statusNavigation } from "./statusnav.js";
import { assigneeLabel } from "./team.js";
import {
  awaitsContact, contactLabel, isOverdue, languageLabel, levelLabel, levelOf, listTitle, statusLabel, topicLabel,
} from "./terms.js";

/** Show the inquiries in `status` (one page, then "Show more"). */
export async function showList(view, { status }) {
  const title = listTitle(status);
  view.title(title);
  const heading = h("h1", { tabindex: "-1" }, title);
  const results = h("div", { class: "results", "aria-live": "polite", "aria-busy": "true" }, h("p", {}, "Loading…"));
  fill(view.main, heading, statusNavigation(status), results);
  heading.focus();

  const page = await listInquiries({ status });
  if (!view.isCurrent()) return;
  results.removeAttribute("aria-busy");
  if (!page.items.length) {
    fill(results, h("p", { class: "empty" }, `There are no inquiries with the status “${statusLabel(status)}”.`));
    return;
  }
  const body = h("tbody", {}, page.items.map((item) => row(item)));
  const table = h("table", { class: "table" },
    h("caption", { class: "visually-hidden" }, `${title}, newest first`),
    h("thead", {}, h("tr", {},
      ["Reference", "Received", "Name", "Topic", "Language", "Contact by", "Assigned to", "Respond by", "Triage level",
        "Attention"]
        .map((name) => h("th", { scope: "col" }, name)))),
    body);
  const more = moreButton(view, status, page.next_cursor, body);
  fill(results, h("div", { class: "table-wrap" }, table), more);
}

function row(item) {
  const level = levelOf(item);
  const flags = [];
  if (isOverdue(item)) flags.push(tag("Overdue", "overdue"));
  return h("tr", {},
    h("th", { scope: "row" }, h("a", { href: `#/inquiries/${encodeURIComponent(item.inquiry_id)}` }, item.reference)),
    h("td", {}, when(item.created_at)),
    h("td", {}, item.name),
    h("td", {}, topicLabel(item.topic)),
    h("td", {}, languageLabel(item.language ?? "en")),
    h("td", {}, contactLabel(item.preferred_contact)),
    h("td", {}, assigneeLabel(item.assignee)),
    h("td", {}, dueMark(item.due_at, { running: awaitsContact(item.status) })),
    h("td", { class: "flags level" }, levelMark(level, levelLabel(level))),
    h("td", { class: "flags" }, flags.length ? flags : h("span", { class: "visually-hidden" }, "Nothing")));
}

function moreButton(view, status, cursor, body) {
  if (!cursor) return null;
  const button = h("button", { type: "button", class: "button button--secondary" }, "Show more");
  // The cursor stays in memory: it never goes into the page URL.
  let next = cursor;
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      const page = await listInquiries({ status, cursor: next });
      if (!view.isCurrent()) return;
      const rows = page.items.map((item) => row(item));
      body.append(...rows);
      rows[0]?.querySelector("a")?.focus();
      next = page.next_cursor;
      if (!next) button.remove();
    } catch (error) {
      view.fail(error);
    } finally {
      button.disabled = false;
    }
  });
  return button;
}
