// The audit trail (care-admin only), searchable over the whole retention: by inquiry (reference or id), by
// who acted, by what they did and by dates, a page at a time ("Show more" follows the API's cursor, kept in
// memory). Entries hold no inquiry field, only ids, references and codes, so they are shown in a plain table.
// Views of lists (a status list, the queue, the trail itself, the reports) are grouped per person so that
// what touched one person's record (an opened inquiry, a change, an export, an erasure) stands out.

import { ApiError, exportAudit, readAudit } from "./api.js";
import { saveFile } from "./files.js";
import { errorSummary, fill, h, showFieldError, tag, when } from "./render.js";
import { loadTeam, memberOf } from "./team.js";
import { AUDIT_ACTION_CODES, auditActionLabel, auditKindOf, humanise } from "./terms.js";

const PAGE_SIZE = 50;
const FIELDS = { reference: "audit-inquiry", inquiry_id: "audit-inquiry", actor: "audit-actor", action: "audit-action",
                 from: "audit-from", to: "audit-to", cursor: "audit-inquiry" };
// List views: the entries that name no one person's record (a status list or the queue, a page of the trail
// itself, the reports), grouped so the others stand out.
const LIST_KINDS = new Set(["list", "audit", "report"]);

/**
 * Show the audit trail for the filters the address names: `inquiryId` or `reference` (INQ-…), `actor` (a
 * member's sub), `action` (a code), `from` and `to` (dates, YYYY-MM-DD, inclusive).
 */
export async function showAudit(view, filters) {
  const title = "Audit trail";
  view.title(title);
  const heading = h("h1", { tabindex: "-1" }, title);
  if (!view.session.isAdmin) {
    fill(view.main, heading,
      h("p", {}, "Only care-team administrators can see the audit trail. Ask one if you need to know who opened an inquiry."));
    heading.focus();
    return;
  }
  const query = queryOf(filters);
  const results = h("div", { "aria-live": "polite", "aria-busy": "true" }, h("p", {}, "Loading…"));
  const summarySlot = h("div");
  const team = await loadTeam();
  if (!view.isCurrent()) return;
  const form = filterForm(filters, team);
  fill(view.main, summarySlot, heading,
    h("p", {}, "Every time someone lists, opens, searches, changes, exports or erases inquiries, it is recorded "
      + "here and kept for six years. Search it by inquiry, by person, by what was done and by date."),
    form,
    results);
  heading.focus();

  let page;
  try {
    page = await readAudit({ ...query, limit: PAGE_SIZE });
  } catch (error) {
    // A filter the API refuses is said beside the filter; the page and the filter stay.
    if (!(error instanceof ApiError && [400, 404, 422].includes(error.status)) || !view.isCurrent()) throw error;
    results.removeAttribute("aria-busy");
    results.replaceChildren();
    const problem = error.problems[0];
    filterProblem(form, summarySlot, FIELDS[problem?.field] ?? "audit-inquiry", error.status === 404
      ? "No inquiry has that reference or id. Check it and try again."
      : problem?.message ?? error.message);
    return;
  }
  if (!view.isCurrent()) return;
  results.removeAttribute("aria-busy");
  const scoped = Boolean(query.inquiry_id || query.reference);
  if (!page.items.length && !page.next_cursor) {
    fill(results, h("p", { class: "empty" }, `Nothing has been recorded ${scoped ? "for this inquiry" : "that matches"}.`));
    return;
  }
  const body = h("tbody");
  const shown = h("p", { class: "audit-count", role: "status" });
  let count = 0;
  const append = (items) => {
    const rows = rowsOf(items);
    body.append(...rows);
    count += items.length;
    shown.textContent = `${count} ${count === 1 ? "entry" : "entries"} shown, newest first.`;
    return rows;
  };
  append(page.items);
  const exportButton = h("button", { type: "button", class: "button button--secondary" }, "Download these results as CSV");
  const exported = h("p", { class: "hint", role: "status" });
  exportButton.addEventListener("click", async () => {
    exportButton.disabled = true;
    try {
      const file = await exportAudit(query);
      saveFile(file.text, file.filename);
      exported.textContent = `Downloaded ${file.filename}. The download is recorded in the audit trail.`
        + (file.cut ? " It holds the newest 5,000 entries only: narrow the dates to export the rest." : "");
    } catch (error) {
      view.fail(error);
    } finally {
      exportButton.disabled = false;
    }
  });
  fill(results,
    h("div", { class: "report-tools" }, exportButton, exported),
    shown,
    h("div", { class: "table-wrap" }, h("table", { class: "table audit" },
      h("caption", { class: "visually-hidden" }, scoped ? "Audit trail for this inquiry, newest first" : "Audit trail, newest first"),
      h("thead", {}, h("tr", {}, ["When", "Who", "What", "Inquiry"].map((name) => h("th", { scope: "col" }, name)))),
      body)),
    moreButton(view, query, page.next_cursor, append));
}

/** The API's query for the address's filters (a reference is what people quote; it is upper-cased). */
function queryOf({ inquiryId, reference, actor, action, from, to }) {
  return { inquiryId, reference: reference?.toUpperCase(), actor, action, from, to };
}

function moreButton(view, query, cursor, append) {
  if (!cursor) return null;
  const button = h("button", { type: "button", class: "button button--secondary" }, "Show more");
  // The cursor stays in memory: it never goes into the page URL. A page may hold fewer entries than asked
  // for (the API bounds the work per request); "Show more" stays while there is more.
  let next = cursor;
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      const page = await readAudit({ ...query, cursor: next, limit: PAGE_SIZE });
      if (!view.isCurrent()) return;
      const rows = append(page.items);
      (rows[0]?.querySelector("a, button") ?? rows[0])?.focus?.();
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

function filterForm(filters, team) {
  const value = filters.reference ?? filters.inquiryId ?? "";
  const inquiry = h("input", { class: "input input--medium", id: "audit-inquiry", name: "inquiry", type: "text",
                               autocomplete: "off", spellcheck: "false", value, "aria-describedby": "audit-inquiry-hint" });
  const people = [...team].sort((a, b) => String(a.name).localeCompare(String(b.name)));
  if (filters.actor && !people.some((m) => m.id === filters.actor)) {
    people.push({ id: filters.actor, name: `${filters.actor} (not in the care team now)` });
  }
  const actor = h("select", { class: "select select--auto", id: "audit-actor", name: "actor" },
    h("option", { value: "" }, "Anyone"),
    people.map((m) => h("option", { value: m.id, selected: m.id === filters.actor }, m.name ?? m.id)));
  const codes = [...AUDIT_ACTION_CODES];
  if (filters.action && !codes.includes(filters.action)) codes.push(filters.action);
  const action = h("select", { class: "select select--auto", id: "audit-action", name: "action" },
    h("option", { value: "" }, "Anything"),
    codes.map((code) => h("option", { value: code, selected: code === filters.action }, auditActionLabel(code))));
  const date = (id, label, given) => h("div", { class: "field" },
    h("label", { class: "label", for: id }, label),
    h("input", { class: "input input--medium", id, name: id, type: "date", value: given ?? "",
                 "aria-describedby": "audit-dates-hint" }));
  const form = h("form", { class: "form audit-filter", role: "search", "aria-label": "Search the audit trail", novalidate: true },
    h("div", { class: "form--inline" },
      h("div", { class: "field" },
        h("label", { class: "label", for: "audit-inquiry" }, "Inquiry id or reference"),
        h("p", { class: "hint", id: "audit-inquiry-hint" }, "For example INQ-1A2B3C4D. Leave empty for every inquiry."),
        inquiry),
      h("div", { class: "field" }, h("label", { class: "label", for: "audit-actor" }, "Who"), actor),
      h("div", { class: "field" }, h("label", { class: "label", for: "audit-action" }, "What they did"), action)),
    h("p", { class: "hint", id: "audit-dates-hint" }, "Days run from midnight to midnight UTC (the times below are "
      + "in the clinic's time zone). Leave the dates empty to search the whole six years."),
    h("div", { class: "form--inline" },
      date("audit-from", "From (date)", filters.from),
      date("audit-to", "To (date, included)", filters.to),
      h("button", { type: "submit", class: "button" }, "Show")));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const given = inquiry.value.trim();
    const query = new URLSearchParams();
    // The address holds ids, references and codes only (never a person's details).
    if (given) query.set(/^INQ-/i.test(given) ? "reference" : "inquiry_id", given);
    if (actor.value) query.set("actor", actor.value);
    if (action.value) query.set("action", action.value);
    const from = form.querySelector("#audit-from").value;
    const to = form.querySelector("#audit-to").value;
    if (from) query.set("from", from);
    if (to) query.set("to", to);
    const target = query.size ? `#/audit?${query}` : "#/audit";
    // The same filters again: show them afresh (the hash does not change, so nothing else would).
    if (location.hash === target) window.dispatchEvent(new HashChangeEvent("hashchange"));
    else location.hash = target;
  });
  return form;
}

function filterProblem(form, summarySlot, fieldId, message) {
  const input = form.querySelector(`#${fieldId}`);
  showFieldError(input, message);
  const summary = errorSummary([{ message, fieldId }]);
  summarySlot.replaceChildren(summary);
  summary.focus();
}

let groups = 0;

/**
 * Table rows for a page of entries: each entry that touched one record on its own row; a run of list
 * views by the same person folded into one row that opens to show them.
 */
function rowsOf(items) {
  const rows = [];
  let run = [];
  const flush = () => {
    if (run.length === 1) rows.push(row(run[0]));
    else if (run.length > 1) rows.push(...groupRows(run));
    run = [];
  };
  for (const entry of items) {
    const listView = LIST_KINDS.has(auditKindOf(entry));
    if (listView && run.length && run[0].actor_id === entry.actor_id && run[0].action === entry.action) {
      run.push(entry);
      continue;
    }
    flush();
    if (listView) run.push(entry);
    else rows.push(row(entry));
  }
  flush();
  return rows;
}

function groupRows(run) {
  const id = `audit-group-${++groups}`;
  const members = run.map((entry, i) => {
    const r = row(entry);
    r.id = `${id}-${i}`;
    r.hidden = true;
    r.classList.add("audit__grouped");
    return r;
  });
  const toggle = h("button", { type: "button", class: "button button--secondary button--small", "aria-expanded": "false",
                               "aria-controls": members.map((r) => r.id).join(" ") }, `Show all ${run.length}`);
  toggle.addEventListener("click", () => {
    const open = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", String(open));
    toggle.textContent = open ? `Hide the ${run.length}` : `Show all ${run.length}`;
    for (const r of members) r.hidden = !open;
  });
  const newest = run[0];
  const oldest = run[run.length - 1];
  const shownCount = run.reduce((n, e) => n + (e.inquiry_ids?.length ?? 0), 0);
  const head = h("tr", { class: "audit__group" },
    h("td", {}, when(oldest.at), sameMinute(oldest.at, newest.at) ? null : [" to ", when(newest.at)]),
    h("td", {}, who(newest)),
    h("td", {}, `${auditActionLabel(newest.action)}: ${run.length} times`,
      shownCount ? ` (${shownCount} inquiries shown in lists)` : null),
    h("td", {}, toggle));
  return [head, ...members];
}

function sameMinute(a, b) {
  return String(a).slice(0, 16) === String(b).slice(0, 16);
}

/** What a list showed: its status, page and how many inquiries (their ids are in the entry, not shown). */
function listed(entry) {
  if (entry.action !== "list" || !entry.status) return null;
  const shown = entry.inquiry_ids?.length ?? 0;
  return ` (${humanise(entry.status).toLowerCase()}, page ${entry.page ?? 1}: ${shown} shown)`;
}

function who(entry) {
  return entry.actor ?? memberOf(entry.actor_id)?.name ?? entry.actor_id ?? "—";
}

function row(entry) {
  const kind = auditKindOf(entry);
  const record = ["read", "change", "export", "erasure"].includes(kind);
  const target = entry.reference ?? entry.inquiry_id;
  const references = entry.references ?? entry.inquiry_ids ?? [];
  const many = !target && references.length && !LIST_KINDS.has(kind) ? references.join(", ") : null;
  return h("tr", { class: record ? `audit__record audit__record--${kind}` : null },
    h("td", {}, when(entry.at)),
    h("td", {}, who(entry)),
    h("td", {}, record ? tag(humanise(kind), "category") : null, auditActionLabel(entry.action),
      entry.fields?.length ? ` (${entry.fields.map(humanise).join(", ").toLowerCase()})` : null,
      entry.filters?.length ? ` (by ${entry.filters.map(humanise).join(", ").toLowerCase()})` : null,
      entry.reason ? ` (reason: ${humanise(entry.reason).toLowerCase()})` : null,
      entry.counts ? ` (${Object.entries(entry.counts).map(([name, n]) => `${n} ${humanise(name).toLowerCase()}`).join(", ")})` : null,
      listed(entry)),
    h("td", {}, target && entry.inquiry_id
      ? h("a", { class: "reference", href: `#/inquiries/${encodeURIComponent(entry.inquiry_id)}` }, target)
      : target ?? many ?? "—"));
}
