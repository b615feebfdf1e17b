// The audit trail (care-admin only): who listed, opened or changed inquiries, and when. It holds no
// inquiry field, only ids, so it can be shown in a plain table.

import { ApiError, readAudit } from "./api.js";
import { errorSummary, fill, h, showFieldError, when } from "./render.js";
import { auditActionLabel, humanise } from "./terms.js";

/** Show the audit trail, for one inquiry when `inquiryId` (or its `reference`, INQ-…) is given. */
export async function showAudit(view, { inquiryId, reference }) {
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
  const summarySlot = h("div");
  const filter = filterForm(reference ?? inquiryId);
  fill(view.main, summarySlot, heading,
    h("p", {}, "Every time someone lists, opens, searches or changes inquiries, it is recorded here."),
    filter,
    results);
  heading.focus();

  let page;
  try {
    // A reference is what people quote: the API finds its inquiry (without opening it: the admin reads the
    // trail, not the person's details).
    page = await readAudit(reference ? { reference: reference.toUpperCase() } : { inquiryId });
  } catch (error) {
    // A filter the API refuses is said beside the filter; the page and the filter stay.
    if (!(error instanceof ApiError && [400, 404, 422].includes(error.status)) || !view.isCurrent()) throw error;
    results.removeAttribute("aria-busy");
    results.replaceChildren();
    filterProblem(filter, summarySlot, error.status === 404
      ? "No inquiry has that reference or id. Check it and try again."
      : error.problems[0]?.message ?? error.message);
    return;
  }
  if (!view.isCurrent()) return;
  results.removeAttribute("aria-busy");
  const scope = inquiryId || reference ? "for this inquiry" : "";
  if (!page.items.length) {
    fill(results, h("p", { class: "empty" }, `Nothing has been recorded ${scope}`.trim() + "."));
    return;
  }
  fill(results, h("div", { class: "table-wrap" }, h("table", { class: "table" },
    h("caption", { class: "visually-hidden" }, scope ? `Audit trail ${scope}, newest first` : "Audit trail, newest first"),
    h("thead", {}, h("tr", {}, ["When", "Who", "What", "Inquiry"].map((name) => h("th", { scope: "col" }, name)))),
    h("tbody", {}, page.items.map(row)))));
}

function filterForm(value) {
  const input = h("input", { class: "input", id: "audit-inquiry", name: "inquiry_id", type: "text", autocomplete: "off",
                             spellcheck: "false", value: value ?? "", "aria-describedby": "audit-inquiry-hint" });
  const form = h("form", { class: "form form--inline", role: "search", "aria-label": "Filter the audit trail", novalidate: true },
    h("div", { class: "field" },
      h("label", { class: "label", for: "audit-inquiry" }, "Inquiry id or reference"),
      h("p", { class: "hint", id: "audit-inquiry-hint" }, "For example INQ-1A2B3C4D. Leave empty to see everything."),
      input),
    h("button", { type: "submit", class: "button" }, "Show"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const given = input.value.trim();
    const name = /^INQ-/i.test(given) ? "reference" : "inquiry_id";
    location.hash = given ? `#/audit?${name}=${encodeURIComponent(given)}` : "#/audit";
  });
  return form;
}

function filterProblem(form, summarySlot, message) {
  const input = form.querySelector("#audit-inquiry");
  showFieldError(input, message);
  const summary = errorSummary([{ message, fieldId: "audit-inquiry" }]);
  summarySlot.replaceChildren(summary);
  summary.focus();
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
