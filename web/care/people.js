// A person's rights (care-admin only): the right of access (every inquiry of one person, found by the keyed
// hash of their exact email address or phone number, with notes, attempts and history, downloaded as JSON
// or printed from this readable page) and erasure on request (a confirmation naming what will go, a reason,
// then the same erasure `infra.erase` performs). With second approval configured, an erasure and an export
// each wait as a pending request until a different administrator approves it; an approved export is then
// opened (once) by the administrator who asked, from the pending requests. The search itself (which inquiries,
// their references) needs no second administrator: only "Ask for the export" of their contents does.
// The address or number searched stays in this page's memory: never in the page address, the title or
// anything stored; the API's own audit entries hold ids and counts, not the term.

import {
  ApiError, decideErasure, findPersonInquiries, openExport, pendingErasures, readPerson, requestErasure,
} from "./api.js";
import { describeChange } from "./detail.js";
import { saveFile } from "./files.js";
import { formatPhone } from "./format.js";
import { banner, errorSummary, fill, h, levelMark, showFieldError, tag, when } from "./render.js";
import { assigneeLabel, loadTeam } from "./team.js";
import {
  channelLabel, closeReasonLabel, contactLabel, humanise, languageLabel, levelLabel, levelOf, outcomeLabel, statusLabel,
  topicLabel,
} from "./terms.js";

// Why an erasure is made: a code kept in the audit trail (never a free-text account of the person). The API
// lists the codes it takes (GET /care/erasures: `reasons`); these are their words.
const REASON_LABELS = {
  person_request: "The person asked us to erase their data",
  representative_request: "Their legal representative asked us to",
  legal_obligation: "A legal obligation requires it",
  entered_in_error: "It was entered in error (not this person's, or a test)",
};
let reasonCodes = Object.keys(REASON_LABELS);
let secondApproval = false;
// Where an approved export opens (the page's results), set by showPeople.
let exportResults = null;

function reasonLabel(code) {
  return REASON_LABELS[code] ?? humanise(code);
}

const PERSON_FIELDS = [["name", "Name"], ["email", "Email address"], ["phone", "Phone number"],
  ["preferred_contact", "Contact by"], ["topic", "Topic"], ["referral_source", "How they heard of us"],
  ["language", "Language"], ["message", "Message"]];

/** Show the People page: the search form, pending erasure requests, then what a search finds. */
export async function showPeople(view) {
  view.title("People");
  const heading = h("h1", { tabindex: "-1" }, "People: access and erasure");
  if (!view.session.isAdmin) {
    fill(view.main, heading, h("p", {}, "Only care-team administrators can export or erase a person's data."));
    heading.focus();
    return;
  }
  const summarySlot = h("div");
  const pending = h("section", { class: "pending", "aria-labelledby": "pending-title" });
  let pendingShown = Promise.resolve();
  const results = h("div", { class: "person", "aria-live": "polite" });
  exportResults = results;
  const input = h("input", { class: "input", id: "person-term", type: "text", autocomplete: "off", spellcheck: "false",
                             maxlength: "254", "aria-describedby": "person-term-hint" });
  const form = h("form", { class: "form form--inline no-print", role: "search", "aria-label": "Find a person's inquiries",
                           novalidate: true },
    h("div", { class: "field" },
      h("label", { class: "label", for: "person-term" }, "Email address or phone number"),
      h("p", { class: "hint", id: "person-term-hint" },
        "Complete and exact, as the person gave it. It is not kept: it is not in the page address nor in the "
        + "audit trail."),
      input),
    h("button", { type: "submit", class: "button" }, "Find their inquiries"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    summarySlot.replaceChildren();
    showFieldError(input, "");
    const term = input.value.trim();
    const problem = !term ? "Enter the person's email address or phone number."
      : !termOf(term) ? "Enter a complete email address (with @) or a phone number." : null;
    if (problem) {
      showFieldError(input, problem);
      const summary = errorSummary([{ message: problem, fieldId: "person-term" }]);
      summarySlot.replaceChildren(summary);
      summary.focus();
      return;
    }
    await pendingShown;  // whether an erasure needs a second admin, and the reasons, before the form is built
    await findPerson(view, termOf(term), results, summarySlot, input, () => showPending(view, pending));
  });
  fill(view.main, summarySlot, heading,
    h("p", { class: "lede no-print" }, "A person may ask for a copy of everything we hold about them (the right of "
      + "access) or ask us to erase it. Find their inquiries by the email address or phone number they gave."),
    form, pending, results);
  heading.focus();
  loadTeam();  // for the assignees' and authors' names
  pendingShown = showPending(view, pending).catch(() => {});
  await pendingShown;
}

/** {email} or {phone} for what was typed, or null when it is neither. */
function termOf(text) {
  if (/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(text)) return { email: text };
  const digits = text.replace(/[\s().-]/g, "");
  if (/^\+?\d{7,15}$/.test(digits)) return { phone: text };
  return null;
}

async function findPerson(view, term, results, summarySlot, input, refreshPending) {
  fill(results, h("p", {}, "Searching…"));
  let answer;
  try {
    // With second approval, the search shows which inquiries (references) and the export is asked for apart.
    answer = secondApproval ? await findPersonInquiries(term) : await readPerson(term);
  } catch (error) {
    if (error instanceof ApiError && [400, 422].includes(error.status)) {
      const message = error.problems[0]?.message ?? error.message;
      showFieldError(input, message);
      const summary = errorSummary([{ message, fieldId: "person-term" }]);
      summarySlot.replaceChildren(summary);
      results.replaceChildren();
      summary.focus();
      return;
    }
    view.fail(error);
    return;
  }
  if (!view.isCurrent()) return;
  if (answer?.status === "found") {
    showMatches(answer, term, view, results, refreshPending);
    return;
  }
  if (answer?.status === "pending") {
    showExportPending(answer, term, view, results, refreshPending);
    await refreshPending();
    return;
  }
  showFound(view, answer, results, (inquiries) => erasureSection(view, term, inquiries, results, refreshPending));
}

/** A search with second approval: which inquiries (how many, their references), the export of their contents to
 *  ask for (a second administrator approves it), and the erasure. */
function showMatches(answer, term, view, results, refreshPending) {
  const references = Array.isArray(answer.references) ? answer.references.map(String) : [];
  const count = Number.isInteger(answer.count) ? answer.count : references.length;
  const heading = h("h2", { tabindex: "-1", id: "person-found" },
    count === 1 ? "1 inquiry found" : `${count} inquiries found`);
  if (!count) {
    fill(results, heading, h("p", {}, "We hold no inquiry with that email address or phone number. Check it with "
      + "the person: it must be complete and exactly as they gave it. An erased inquiry cannot be found."));
    heading.focus();
    return;
  }
  const ask = h("button", { type: "button", class: "button button--secondary" }, "Ask for the export");
  ask.addEventListener("click", async () => {
    ask.disabled = true;
    let pending;
    try {
      pending = await readPerson(term);
    } catch (error) {
      ask.disabled = false;
      view.fail(error);
      return;
    }
    if (!view.isCurrent()) return;
    if (pending?.status === "pending") {
      showExportPending(pending, term, view, results, refreshPending);
      await refreshPending();
    } else {
      showFound(view, pending, results, (inquiries) => erasureSection(view, term, inquiries, results, refreshPending));
    }
  });
  fill(results, heading,
    h("p", {}, `Their inquiries: ${references.join(", ")}.`),
    h("p", { class: "no-print" }, "Seeing what they hold (the export, for the right of access) needs another "
      + "administrator's approval; finding which inquiries they are does not."),
    h("div", { class: "report-tools no-print" }, ask),
    erasureSection(view, term, references.map((reference) => ({ reference })), results, refreshPending));
  heading.focus();
}

/** The export asked for with second approval: it waits for another administrator; an erasure can still be asked for. */
function showExportPending(answer, term, view, results, refreshPending) {
  const references = Array.isArray(answer.references) ? answer.references.map(String) : [];
  const count = Number.isInteger(answer.count) ? answer.count : references.length;
  const heading = h("h2", { tabindex: "-1", id: "person-found" },
    count === 1 ? "1 inquiry found" : `${count} inquiries found`);
  const notice = banner("Another administrator must approve the export before you can see this person's data. "
    + `It waits in the pending requests above (request ${answer.request_id ?? ""}); once approved, open it there.`,
                        { kind: "warning", title: "Export requested" });
  fill(results, heading, notice,
    count ? h("p", {}, `Their inquiries: ${references.join(", ")}.`) : null,
    count ? erasureSection(view, term, references.map((reference) => ({ reference })), results, refreshPending)
      : null);
  heading.focus();
}

/** An approved export, opened by the administrator who asked (once). */
async function openApprovedExport(view, requestId, notices, refresh) {
  let answer;
  try {
    answer = await openExport(requestId);
  } catch (error) {
    if (error instanceof ApiError && [403, 404].includes(error.status)) {
      notices.replaceChildren(banner(error.problems[0]?.message ?? error.message, { kind: "warning" }));
      return;
    }
    view.fail(error);
    return;
  }
  if (!view.isCurrent() || !exportResults) return;
  showFound(view, answer, exportResults, () => null);
  await refresh(null);
  exportResults.querySelector("#person-found")?.focus();
}

/** What a search (or an opened export) finds: every inquiry, downloadable and printable; then `extra` (erasure). */
function showFound(view, answer, results, extra) {
  const inquiries = inquiriesOf(answer);
  const heading = h("h2", { tabindex: "-1", id: "person-found" },
    inquiries.length === 1 ? "1 inquiry found" : `${inquiries.length} inquiries found`);
  if (!inquiries.length) {
    fill(results, heading, h("p", {}, "We hold no inquiry with that email address or phone number. Check it with "
      + "the person: it must be complete and exactly as they gave it. An erased inquiry cannot be found."));
    heading.focus();
    return;
  }
  const downloaded = h("p", { class: "hint", role: "status" });
  const download = h("button", { type: "button", class: "button button--secondary" }, "Download as JSON");
  download.addEventListener("click", () => {
    saveFile(`${JSON.stringify(answer, null, 2)}\n`, `inquiries-${inquiries.map((i) => i.reference).join("-")}.json`,
             "application/json");
    downloaded.textContent = "Downloaded. Send it to the person by a secure route.";
  });
  const print = h("button", { type: "button", class: "button button--secondary" }, "Print this page");
  print.addEventListener("click", () => window.print());
  const erasure = extra(inquiries);
  fill(results, heading,
    h("p", {}, "Everything we hold about this person: their inquiries as they sent them, with notes, contact "
      + "attempts and history. Reading it is recorded in the audit trail."),
    h("div", { class: "report-tools no-print" }, download, print, downloaded),
    inquiries.map(inquirySection),
    erasure);
  heading.focus();
}

/** The answer's inquiries, whatever their list is called. */
function inquiriesOf(answer) {
  const listed = [answer?.items, answer?.inquiries].find(Array.isArray);
  return (listed ?? []).filter((item) => item && typeof item === "object");
}

function inquirySection(inquiry) {
  const id = `person-${inquiry.inquiry_id}`;
  const level = levelOf(inquiry);
  const rows = PERSON_FIELDS.filter(([name]) => inquiry[name] !== undefined && inquiry[name] !== null && inquiry[name] !== "")
    .map(([name, label]) => [label, fieldText(name, inquiry[name])]);
  return h("section", { class: "person__inquiry", "aria-labelledby": id },
    h("h3", { id }, `Inquiry ${inquiry.reference ?? inquiry.inquiry_id}`),
    h("p", { class: "status-line" }, tag(statusLabel(inquiry.status), `status-${inquiry.status}`), " ",
      levelMark(level, levelLabel(level)), " Received ", when(inquiry.created_at),
      inquiry.close_reason ? ` · ${closeReasonLabel(inquiry.close_reason)}` : null),
    summaryList(rows),
    h("h4", {}, "Notes"),
    listOrNone((inquiry.notes ?? []).map((note) => h("li", { class: "note" },
      h("p", { class: "note__text" }, note.text ?? note.note ?? ""),
      h("p", { class: "note__meta" }, note.author ?? note.actor ?? assigneeLabel(note.actor_id), ", ", when(note.at)))),
    "No notes."),
    h("h4", {}, "Contact attempts"),
    listOrNone((Array.isArray(inquiry.attempts) ? inquiry.attempts : [])
      .map((attempt) => h("li", { class: "note" },
        h("p", { class: "note__text" }, `${channelLabel(attempt.channel)}: ${outcomeLabel(attempt.outcome)}`),
        h("p", { class: "note__meta" }, attempt.actor ?? assigneeLabel(attempt.actor_id), ", ", when(attempt.at)))),
    "No contact attempts."),
    h("h4", {}, "History"),
    listOrNone((inquiry.history ?? []).map((entry) => h("li", { class: "note" },
      h("p", { class: "note__text" }, describeChange(entry)),
      h("p", { class: "note__meta" }, entry.actor ?? assigneeLabel(entry.actor_id), ", ", when(entry.at)))),
    "No history."));
}

function fieldText(name, value) {
  if (name === "phone") return formatPhone(String(value));
  if (name === "preferred_contact") return contactLabel(value);
  if (name === "topic") return topicLabel(value);
  if (name === "language") return languageLabel(value);
  if (name === "message") return h("span", { class: "message" }, String(value));
  return String(value);
}

function summaryList(rows) {
  return h("dl", { class: "summary-list" }, rows.map(([label, value]) => h("div", { class: "summary-list__row" },
    h("dt", {}, label), h("dd", {}, value))));
}

function listOrNone(items, none) {
  return items.length ? h("ul", { class: "notes" }, items) : h("p", { class: "empty" }, none);
}

/** "Erase this person's data": names what will go, asks for a reason, then erases (or asks a second admin). */
function erasureSection(view, term, inquiries, results, refreshPending) {
  const references = inquiries.map((i) => i.reference ?? i.inquiry_id);
  const count = inquiries.length;
  const noun = count === 1 ? "inquiry" : "inquiries";
  const summarySlot = h("div");
  const reasons = h("fieldset", { class: "fieldset", id: "erasure-reason", "aria-describedby": "erasure-reason-hint" },
    h("legend", { class: "label" }, "Why are you erasing it?"),
    h("p", { class: "hint", id: "erasure-reason-hint" }, "The reason is kept in the audit trail with your name."),
    h("div", { class: "radios" }, reasonCodes.map((code) => h("div", { class: "radio" },
      h("input", { class: "radio__input", type: "radio", name: "erasure-reason", id: `erasure-reason-${code}`, value: code }),
      h("label", { class: "radio__label", for: `erasure-reason-${code}` }, reasonLabel(code))))));
  const confirm = h("input", { class: "checkbox__input", type: "checkbox", id: "erasure-confirm" });
  const button = h("button", { type: "submit", class: "button button--warning" }, `Erase ${count} ${noun}`);
  const form = h("form", { class: "form erasure no-print", novalidate: true, "aria-labelledby": "erasure-title" },
    summarySlot,
    h("h2", { id: "erasure-title" }, "Erase this person's data"),
    h("p", {}, "This will erase, for good:"),
    h("ul", {}, h("li", {}, `${count} ${noun}: ${references.join(", ")}`),
      h("li", {}, "their notes, contact attempts and history"),
      h("li", {}, "the search keys, idempotency records and rate-limit counters that lead to them")),
    h("p", {}, "The audit trail keeps its entries, and a new one records that an erasure happened, by whom, why and "
      + "how much went: not what was erased. Download their data first if they also asked for a copy."),
    secondApproval ? h("p", { class: "banner__text" }, h("strong", {}, "A second administrator must approve it: "),
      "nothing is erased until then.") : null,
    h("div", { class: "field" }, reasons),
    h("div", { class: "field" }, h("div", { class: "checkbox" }, confirm,
      h("label", { for: "erasure-confirm" }, `I have checked that ${count === 1 ? "this inquiry is" : "these inquiries are"} `
        + "this person's, and that they asked for erasure (or another reason applies)"))),
    button);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const reason = form.querySelector("input[name='erasure-reason']:checked")?.value;
    const problems = [];
    const group = reasons;
    if (!reason) problems.push({ message: "Choose why you are erasing it.", fieldId: `erasure-reason-${reasonCodes[0]}` });
    if (!confirm.checked) problems.push({ message: "Confirm that you have checked these inquiries.", fieldId: "erasure-confirm" });
    group.closest(".field").classList.toggle("field--error", !reason);
    confirm.closest(".field").classList.toggle("field--error", !confirm.checked);
    if (problems.length) {
      const summary = errorSummary(problems);
      summarySlot.replaceChildren(summary);
      summary.focus();
      return;
    }
    button.disabled = true;
    let answer;
    try {
      answer = await requestErasure({ ...term, reason });
    } catch (error) {
      button.disabled = false;
      if (error instanceof ApiError && [400, 409, 422].includes(error.status)) {
        const summary = errorSummary([{ message: error.problems[0]?.message ?? error.message }]);
        summarySlot.replaceChildren(summary);
        summary.focus();
        return;
      }
      view.fail(error);
      return;
    }
    if (!view.isCurrent()) return;
    const done = answer?.status === "pending"
      ? banner("Another administrator must approve it before anything is erased. It waits in the pending requests "
        + `above (request ${answer.request_id ?? ""}); until then the person's data stays as it is.`,
               { kind: "warning", title: "Erasure requested" })
      : banner(`Erased ${erasedCount(answer, count)} ${noun} (${references.join(", ")}) with their notes, attempts `
        + "and history. The audit trail records that the erasure happened.", { kind: "success", title: "Erased" });
    fill(results, done);
    done.focus();
    await refreshPending();
  });
  return form;
}

function erasedCount(report, fallback) {
  const counts = report?.counts ?? report ?? {};
  const n = counts.inquiries ?? counts.inquiries_erased ?? counts.erased ?? report?.inquiry_ids?.length;
  return Number.isInteger(n) ? n : fallback;
}

/** The erasure requests waiting for a second administrator (none shown when the clinic does not need one). */
async function showPending(view, section, notice = null) {
  let answer;
  try {
    answer = await pendingErasures();
  } catch (error) {
    // 404/405: this deployment has no pending requests route (second approval is not configured).
    if (error instanceof ApiError && [404, 405].includes(error.status)) {
      section.replaceChildren();
      return;
    }
    view.fail(error);
    return;
  }
  if (!view.isCurrent()) return;
  const items = Array.isArray(answer?.items) ? answer.items : [];
  if (Array.isArray(answer?.reasons) && answer.reasons.length) reasonCodes = answer.reasons.map(String);
  secondApproval = Boolean(answer?.second_approval);
  if (!items.length && !secondApproval) {
    section.replaceChildren();  // erasures happen at once here: there is never anything to approve
    return;
  }
  // The outcome of the last decision (a banner: it is announced itself), kept above the refreshed list.
  const notices = h("div", { class: "pending__notice" }, notice);
  if (!items.length) {
    fill(section, h("h2", { id: "pending-title" }, "Requests waiting for approval"), notices,
      h("p", { class: "empty" }, "None."));
    notice?.focus();
    return;
  }
  const me = view.session.sub;
  fill(section, h("h2", { id: "pending-title" }, "Requests waiting for approval"),
    h("p", {}, "A second administrator must approve each erasure and each export. You cannot approve one you asked "
      + "for; an approved export is opened once, by the administrator who asked, within 15 minutes."),
    notices,
    h("div", { class: "table-wrap" }, h("table", { class: "table" },
      h("caption", { class: "visually-hidden" }, "Requests waiting for approval, oldest first"),
      h("thead", {}, h("tr", {}, ["Asked", "By", "Request", "Reason", "Inquiries", "Decision"].map((n) => h("th", { scope: "col" }, n)))),
      h("tbody", {}, items.map((item) => pendingRow(view, item, me, notices,
                                                    (done) => showPending(view, section, done)))))));
  notice?.focus();
}

function pendingRow(view, item, me, notices, refresh) {
  const references = item.references ?? item.inquiry_references ?? [];
  const mine = item.requester_id ? item.requester_id === me : false;
  const decide = (decision) => async (event) => {
    const button = event.currentTarget;
    button.disabled = true;
    try {
      await decideErasure(item.request_id, decision);
      const exported = item.kind === "export";
      await refresh(banner(decision === "approve"
        ? (exported ? "Approved: the administrator who asked can now open the export." : "Approved: the data is erased.")
        : (exported ? "Rejected: nothing was shown." : "Rejected: nothing was erased."), { kind: "success" }));
    } catch (error) {
      button.disabled = false;
      if (error instanceof ApiError && [403, 404, 409, 422].includes(error.status)) {
        notices.replaceChildren(banner(error.problems[0]?.message ?? (error.status === 403
          ? "You can't decide on an erasure you asked for: another administrator must." : error.message),
                                      { kind: "warning" }));
        return;
      }
      view.fail(error);
    }
  };
  const label = `request ${item.request_id}`;
  const exported = item.kind === "export";
  let decision;
  if (item.stale) {
    // Made before the keys that find a person were rotated: it could miss their newer data. Only rejected.
    decision = h("div", {},
      h("p", { class: "hint" }, "Made before a key rotation, so it could miss some of their data: reject it and "
        + "ask again."),
      h("button", { type: "button", class: "button button--secondary button--small", "aria-label": `Reject ${label}`,
                    onclick: decide("reject") }, "Reject"));
  } else if (exported && item.approved) {
    decision = mine
      ? h("button", { type: "button", class: "button button--small", "aria-label": `Open the export of ${label}`,
                      onclick: () => openApprovedExport(view, item.request_id, notices, refresh) }, "Open the export")
      : h("p", { class: "hint" }, "Approved: waiting for the administrator who asked to open it.");
  } else if (mine) {
    decision = h("p", { class: "hint" }, "You asked for this one.");
  }
  return h("tr", {},
    h("td", {}, when(item.requested_at ?? item.at ?? item.created_at)),
    h("td", {}, item.requester ?? assigneeLabel(item.requester_id)),
    h("td", {}, exported ? "Export (right of access)" : "Erasure"),
    h("td", {}, exported ? "—" : reasonLabel(item.reason)),
    h("td", {}, `${item.count ?? references.length}: ${references.join(", ")}`),
    h("td", {}, decision ?? h("div", { class: "field__row" },
      h("button", { type: "button", class: "button button--secondary button--small", "aria-label": `Approve ${label}`,
                    onclick: decide("approve") },
        "Approve"),
      h("button", { type: "button", class: "button button--secondary button--small", "aria-label": `Reject ${label}`,
                    onclick: decide("reject") }, "Reject"))));
}
