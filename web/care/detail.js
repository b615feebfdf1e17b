// One inquiry in full (the only place a person's details are shown), its notes and history, the form
// that updates it, and the one that corrects its triage level. A stale version (412) reloads the
// inquiry and says why.

import { ApiError, EditConflict, readInquiry, updateInquiry } from "./api.js";
import { banner, errorSummary, fill, h, levelMark, showFieldError, showGroupError, tag, when } from "./render.js";
import {
  LEVELS, contactLabel, humanise, isOverdue, languageLabel, levelLabel, levelOf, levelReasonFor, listTitle,
  nextStatuses, reasonLabel, statusLabel, topicLabel,
} from "./terms.js";

const FIELD_IDS = { status: "status", assignee: "assignee", note: "note" };
// A reason's errors link to its first radio, as GOV.UK's error summary does for a group.
const LEVEL_FIELD_IDS = { level: "level", level_reason: "level-reason-missed" };

/** Load and show one inquiry. */
export async function showDetail(view, { inquiryId }) {
  view.title("Inquiry");
  const heading = h("h1", { tabindex: "-1" }, "Inquiry");
  fill(view.main, heading, h("p", { "aria-live": "polite" }, "Loading…"));
  heading.focus();
  const inquiry = await load(view, inquiryId);
  if (inquiry && view.isCurrent()) render(view, inquiry, {});
}

async function load(view, inquiryId) {
  try {
    return await readInquiry(inquiryId);
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 404)) throw error;
    if (view.isCurrent()) notFound(view);
    return null;
  }
}

function notFound(view) {
  view.title("Inquiry not found");
  const heading = h("h1", { tabindex: "-1" }, "Inquiry not found");
  fill(view.main, heading,
    h("p", {}, "There is no inquiry with this id. It may have been erased at the person's request."),
    h("p", {}, h("a", { href: "#/inquiries" }, "Back to new inquiries")));
  heading.focus();
}

function render(view, inquiry, { notice, draftNote = "" }) {
  view.title("Inquiry");
  const summarySlot = h("div");
  const heading = h("h1", { tabindex: "-1" },
    h("span", { class: "caption" }, "Inquiry"), " ", inquiry.reference ?? "");
  const level = levelOf(inquiry);
  const statusLine = h("p", { class: "status-line" }, "Status: ", tag(statusLabel(inquiry.status), `status-${inquiry.status}`),
    level !== "none" ? [" ", tag(levelLabel(level), level)] : null,
    isOverdue(inquiry) ? [" ", tag("Overdue", "overdue")] : null);
  const form = updateForm(view, inquiry, summarySlot, draftNote);
  const correction = levelForm(view, inquiry, summarySlot, form.querySelector("#note"));
  fill(view.main,
    h("p", {}, h("a", { class: "back-link", href: `#/inquiries?status=${inquiry.status}` },
      inquiry.status === "new" ? "Back to new inquiries" : `Back to the “${listTitle(inquiry.status)}” list`)),
    notice,
    summarySlot,
    heading,
    statusLine,
    h("div", { class: "columns" },
      h("section", { class: "column", "aria-labelledby": "person-title" },
        h("h2", { id: "person-title" }, "What they told us"),
        personDetails(inquiry)),
      h("div", { class: "column" },
        h("section", { "aria-labelledby": "update-title" },
          h("h2", { id: "update-title" }, "Update this inquiry"),
          form),
        h("section", { class: "level-section", "aria-labelledby": "level-title" },
          h("h2", { id: "level-title" }, "Correct the triage level"),
          correction))),
    notesSection(inquiry),
    historySection(inquiry),
    view.session.isAdmin
      ? h("p", {}, h("a", { href: `#/audit?inquiry_id=${encodeURIComponent(inquiry.inquiry_id)}` },
        "See who opened or changed this inquiry (audit trail)"))
      : null);
  (notice ?? heading).focus();
}

function personDetails(inquiry) {
  const yesNo = (value) => (value ? "Yes" : "No");
  const rows = [
    ["Name", inquiry.name],
    ["Email address", inquiry.email],
    ["Phone number", inquiry.phone || "Not given"],
    ["Contact by", contactLabel(inquiry.preferred_contact)],
    ["OK to text", yesNo(inquiry.sms_consent)],
    ["Help with", topicLabel(inquiry.topic)],
    ["Message", inquiry.message ? h("span", { class: "message" }, inquiry.message) : "No message"],
    ["Heard of us through", inquiry.referral_source || "Not given"],
    ["Agreed to be contacted", yesNo(inquiry.consent_to_contact)],
    ["Received", when(inquiry.created_at)],
    ["Respond by", [when(inquiry.due_at), isOverdue(inquiry) ? [" ", tag("Overdue", "overdue")] : null]],
    ["Triage level", levelMark(levelOf(inquiry), levelLabel(levelOf(inquiry)))],
    ["Triage categories", (inquiry.triage_categories ?? []).length
      ? inquiry.triage_categories.map(humanise).join(", ")
      : "Nothing flagged"],
    ["Language", languageLabel(inquiry.language ?? "en")],
    ["Assigned to", inquiry.assignee || "Nobody yet"],
  ];
  return h("dl", { class: "summary-list" }, rows.map(([key, value]) =>
    h("div", { class: "summary-list__row" }, h("dt", {}, key), h("dd", {}, value))));
}

function updateForm(view, inquiry, summarySlot, draftNote) {
  const moves = nextStatuses(inquiry.status);
  const releasing = inquiry.status === "spam";
  const statusField = h("div", { class: "field" },
    h("label", { class: "label", for: "status" }, "Status"),
    releasing ? h("p", { class: "hint", id: "status-hint" },
      "Releasing a held-back submission sends the person's confirmation email and the care-team notification, "
      + "as for a new inquiry.") : null,
    h("select", { class: "select", id: "status", name: "status", "aria-describedby": releasing ? "status-hint" : null,
                  disabled: moves.length === 0 },
      h("option", { value: "" }, `Keep as “${statusLabel(inquiry.status)}”`),
      moves.map((status) => h("option", { value: status },
        releasing && status === "new" ? "Release: not spam, treat as a new inquiry"
          : status === "spam" ? "Mark as spam: hold back, no reminders (it can be released)"
            : statusLabel(status)))));
  const assigneeField = h("div", { class: "field" },
    h("label", { class: "label", for: "assignee" }, "Assigned to"),
    h("p", { class: "hint", id: "assignee-hint" }, "The care-team member working on this inquiry, for example their email address."),
    h("input", { class: "input", id: "assignee", name: "assignee", type: "text", autocomplete: "off",
                 spellcheck: "false", value: inquiry.assignee ?? "", "aria-describedby": "assignee-hint" }));
  const note = h("textarea", { class: "textarea", id: "note", name: "note", rows: "4", "aria-describedby": "note-hint" });
  note.value = draftNote;
  const noteField = h("div", { class: "field" },
    h("label", { class: "label", for: "note" }, "Add a note"),
    h("p", { class: "hint", id: "note-hint" }, "Notes stay with the inquiry and only the care team can read them."),
    note);
  const saveButton = h("button", { type: "submit", class: "button" }, "Save changes");
  const form = h("form", { class: "form", novalidate: true }, statusField, assigneeField, noteField, saveButton);

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearProblems(summarySlot, form);
    const changes = changesFrom(form, inquiry);
    if (!Object.keys(changes).length) {
      problems(summarySlot, form, [{ field: "status", message: "Change the status or who it is assigned to, or write a note, then save." }],
        FIELD_IDS);
      return;
    }
    await save(view, inquiry, { summarySlot, form, button: saveButton, changes, fieldIds: FIELD_IDS,
      draftNote: changes.note ?? "", success: "Inquiry updated.", again: "save your update again" });
  });
  return form;
}

function levelForm(view, inquiry, summarySlot, noteBox) {
  const current = levelOf(inquiry);
  const levelField = h("div", { class: "field" },
    h("label", { class: "label", for: "level" }, "New level"),
    h("p", { class: "hint", id: "level-hint" },
      `Now “${levelLabel(current)}”. While the inquiry is new, the respond-by time moves with the level. `
      + "Corrections are counted, without anyone's details, to improve triage."),
    h("select", { class: "select", id: "level", name: "level", "aria-describedby": "level-hint" },
      h("option", { value: "" }, "Choose a level"),
      LEVELS.filter((level) => level !== current).map((level) => h("option", { value: level }, levelLabel(level)))));
  const reasonField = h("div", { class: "field" },
    h("fieldset", { class: "fieldset", id: "level-reason", "aria-describedby": "level-reason-hint" },
      h("legend", { class: "label" }, "Reason"),
      h("p", { class: "hint", id: "level-reason-hint" }, "What triage got wrong."),
      h("div", { class: "radios" },
        reasonChoice("missed", "Triage set the level too low: raise it."),
        reasonChoice("false_alarm", "Triage set the level too high: lower it."))));
  const button = h("button", { type: "submit", class: "button button--secondary" }, "Correct the level");
  const form = h("form", { class: "form", novalidate: true }, levelField, reasonField, button);

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearProblems(summarySlot, form);
    const data = new FormData(form);
    const level = String(data.get("level") ?? "");
    const reason = String(data.get("level_reason") ?? "");
    const needed = levelReasonFor(current, level);
    const missing = [];
    if (!level) missing.push({ field: "level", message: "Choose the level this inquiry should have." });
    if (!reason) {
      missing.push({ field: "level_reason", message: "Choose the reason: a missed danger or a false alarm." });
    } else if (needed && reason !== needed) {
      missing.push({ field: "level_reason", message: needed === "missed"
        ? "Raising the level means triage missed a danger: choose “Missed danger”."
        : "Lowering the level means triage raised a false alarm: choose “False alarm”." });
    }
    if (missing.length) {
      problems(summarySlot, form, missing, LEVEL_FIELD_IDS);
      return;
    }
    await save(view, inquiry, { summarySlot, form, button, changes: { level, level_reason: reason },
      fieldIds: LEVEL_FIELD_IDS, draftNote: noteBox?.value ?? "",
      success: `Triage level corrected: ${levelLabel(current)} → ${levelLabel(level)} `
        + `(${reasonLabel(reason).toLowerCase()}).`,
      again: "correct the level again" });
  });
  return form;
}

function reasonChoice(value, hint) {
  const id = `level-reason-${value.replace("_", "-")}`;
  return h("div", { class: "radio" },
    h("input", { class: "radio__input", type: "radio", id, name: "level_reason", value, "aria-describedby": `${id}-hint` }),
    h("label", { class: "radio__label", for: id }, reasonLabel(value)),
    h("p", { class: "hint radio__hint", id: `${id}-hint` }, hint));
}

/** Send `changes` with the version shown; show the outcome, or why not (a 412 reloads the inquiry). */
async function save(view, inquiry, { summarySlot, form, button, changes, fieldIds, draftNote, success, again }) {
  button.disabled = true;
  try {
    const updated = await updateInquiry(inquiry.inquiry_id, inquiry.version, changes);
    if (!view.isCurrent()) return;
    const fresh = updated?.inquiry_id ? updated : await readInquiry(inquiry.inquiry_id);
    if (view.isCurrent()) render(view, fresh, { notice: banner(success, { kind: "success" }) });
  } catch (error) {
    button.disabled = false;
    if (error instanceof EditConflict) {
      const fresh = await readInquiry(inquiry.inquiry_id).catch((reloadError) => view.fail(reloadError));
      if (fresh && view.isCurrent()) {
        render(view, fresh, {
          notice: banner(`${error.message} Check what changed, then ${again}.`
            + (draftNote ? " Your note is still in the box." : ""),
          { kind: "warning", title: "Your change was not saved" }),
          draftNote,
        });
      }
    } else if (error instanceof ApiError && [422, 428].includes(error.status)) {
      problems(summarySlot, form, error.problems.length ? error.problems : [{ field: null, message: error.message }],
        fieldIds);
    } else if (error instanceof ApiError && error.status === 0) {
      problems(summarySlot, form, [{ field: null, message: error.message }], fieldIds);
    } else {
      view.fail(error);
    }
  }
}

function changesFrom(form, inquiry) {
  const data = new FormData(form);
  const changes = {};
  const status = String(data.get("status") ?? "");
  if (status) changes.status = status;
  const assignee = String(data.get("assignee") ?? "").trim();
  if (assignee !== (inquiry.assignee ?? "")) changes.assignee = assignee || null;
  const note = String(data.get("note") ?? "").trim();
  if (note) changes.note = note;
  return changes;
}

function clearProblems(summarySlot, form) {
  // Either form may have left the summary and marks on the other; start both afresh.
  const page = form.closest("main") ?? form;
  for (const input of page.querySelectorAll("form input:not([type=radio]), form select, form textarea")) {
    showFieldError(input, "");
  }
  for (const group of page.querySelectorAll("form fieldset[id]")) showGroupError(group, "");
  summarySlot.replaceChildren();
}

function problems(summarySlot, form, errors, fieldIds) {
  const listed = errors.map(({ field, message }) => {
    const fieldId = fieldIds[field];
    const input = fieldId ? form.querySelector(`#${fieldId}`) : null;
    const group = input?.type === "radio" ? input.closest("fieldset") : null;
    if (group) showGroupError(group, message);
    else if (input) showFieldError(input, message);
    return { message, fieldId: input ? fieldId : undefined };
  });
  const summary = errorSummary(listed);
  summarySlot.replaceChildren(summary);
  summary.focus();
}

function notesSection(inquiry) {
  const notes = [...(inquiry.notes ?? [])].reverse();
  return h("section", { "aria-labelledby": "notes-title" },
    h("h2", { id: "notes-title" }, "Notes"),
    notes.length
      ? h("ol", { class: "notes", reversed: true }, notes.map((note) => h("li", { class: "note" },
        h("p", { class: "note__text" }, note.text),
        h("p", { class: "note__meta" }, note.actor ?? "Someone", ", ", when(note.at)))))
      : h("p", {}, "No notes yet."));
}

function historySection(inquiry) {
  const history = [...(inquiry.history ?? [])].reverse();
  return h("section", { "aria-labelledby": "history-title" },
    h("h2", { id: "history-title" }, "History"),
    history.length
      ? h("div", { class: "table-wrap" }, h("table", { class: "table" },
        h("caption", { class: "visually-hidden" }, "What happened to this inquiry, newest first"),
        h("thead", {}, h("tr", {}, ["When", "Who", "What"].map((name) => h("th", { scope: "col" }, name)))),
        h("tbody", {}, history.map((entry) => h("tr", {},
          h("td", {}, when(entry.at)),
          h("td", {}, entry.actor ?? "The system"),
          h("td", {}, describeChange(entry)))))))
      : h("p", {}, "Nothing has happened to this inquiry yet."));
}

function describeChange(entry) {
  switch (entry.action) {
    case "status":
      return `Status: ${statusLabel(entry.from)} → ${statusLabel(entry.to)}`;
    case "assigned":
      return `Assigned: ${entry.from || "nobody"} → ${entry.to || "nobody"}`;
    case "note":
      return "Note added";
    case "level":
      return `Triage level: ${levelLabel(entry.from)} → ${levelLabel(entry.to)}`
        + (entry.reason ? ` (${reasonLabel(entry.reason).toLowerCase()})` : "");
    default:
      return humanise(entry.action);
  }
}
