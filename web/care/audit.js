// The audit trail (care-admin only): who listed, opened or changed inquiries, and when. It holds no
// inquiry field, only ids, so it can be shown in a plain table.

import { readAudit } from "./api.js";
import { fill, h, when } from "./render.js";
import { auditActionLabel, humanise } from "./terms.js";

/** Show the audit trail, for one inquiry when `inquiryId` is given. */
export async function showAudit(view, { inquiryId }) {
  const title = "Audit trail";
  view.title(title);
  const heading = h("h1", { tabindex: "-1" }, title);
  if (!view.session.isAdmin) {
    fill(view.main, heading,
      h("p", {}, "Only care-team administrators can see the audit trail. Ask one if you need to know who opened an inquiry."));
    heading.focus();
    return;
  }
  const results = h("div", { "aria-live": "polite", "aria-busy": "true" }, h("p", {}, "Loading…"));
  fill(view.main, heading,
    h("p", {}, "Every time someone lists, opens or changes an inquiry, it is recorded here."),
    filterForm(inquiryId),
    results);
  heading.focus();

  const page = await readAudit({ inquiryId });
  if (!view.isCurrent()) return;
  results.removeAttribute("aria-busy");
  const scope = inquiryId ? "for this inquiry" : "";
  if (!page.items.length) {
    fill(results, h("p", { class: "empty" }, `Nothing has been recorded ${scope}`.trim() + "."));
    return;
  }
  fill(results, h("div", { class: "table-wrap" }, h("table", { class: "table" },
    h("caption", { class: "visually-hidden" }, scope ? `Audit trail ${scope}, newest first` : "Audit trail, newest first"),
    h("thead", {}, h("tr", {}, ["When", "Who", "What", "Inquiry"].map((name) => h("th", { scope: "col" }, name)))),
    h("tbody", {}, page.items.map(row)))));
}

function filterForm(inquiryId) {
  const input = h("input", { class: "input", id: "audit-inquiry", name: "inquiry_id", type: "text", autocomplete: "off",
                             spellcheck: "false", value: inquiryId ?? "", "aria-describedby": "audit-inquiry-hint" });
  const form = h("form", { class: "form form--inline", role: "search", "aria-label": "Filter the audit trail" },
    h("div", { class: "field" },
      h("label", { class: "label", for: "audit-inquiry" }, "Inquiry id"),
      h("p", { class: "hint", id: "audit-inquiry-hint" }, "Leave empty to see everything."),
      input),
    h("button", { type: "submit", class: "button" }, "Show"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const id = input.value.trim();
    location.hash = id ? `#/audit?inquiry_id=${encodeURIComponent(id)}` : "#/audit";
  });
  return form;
}

/** What a list showed: its status, page and how many inquiries (their ids are in the entry, not shown). */
function listed(entry) {
  if (entry.action !== "list" || !entry.status) return null;
  const shown = entry.inquiry_ids?.length ?? 0;
  return ` (${humanise(entry.status).toLowerCase()}, page ${entry.page ?? 1}: ${shown} shown)`;
}

function row(entry) {
  return h("tr", {},
    h("td", {}, when(entry.at)),
    h("td", {}, entry.actor ?? entry.actor_id ?? "—"),
    h("td", {}, auditActionLabel(entry.action),
      entry.fields?.length ? ` (${entry.fields.map(humanise).join(", ").toLowerCase()})` : null,
      listed(entry)),
    h("td", {}, entry.inquiry_id
      ? h("a", { href: `#/inquiries/${encodeURIComponent(entry.inquiry_id)}` }, entry.inquiry_id)
      : "—"));
}
