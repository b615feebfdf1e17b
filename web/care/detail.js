// One inquiry in full (the only place a person's details are shown): how to reach them (call, text and
// email links, each opening the contact-attempt form), the same person's other inquiries, the attempts,
// notes and history, the form that updates it (status with a close reason, assignee from the care team,
// a note), and the one that corrects its triage level. A stale version (412) reloads the inquiry and
// says why; a note being written is kept (drafts.js) and a status chosen while a save runs is kept.

import { ApiError, EditConflict, logAttempt, readInquiry, updateInquiry } from "./api.js";
import { draftFor, keepDraft } from "./drafts.js";
import { clinicWallTimeToIso, formatPhone, zoneName } from "./format.js";
import { bindKeys } from "./keys.js";
import {
  banner, characterCount, dueMark, errorSummary, fill, h, levelMark, showFieldError, showGroupError, tag, when,
} from "./render.js";
import { assigneeLabel, loadTeam, teamMembers } from "./team.js";
import {
  CHANNELS, CLOSE_REASONS, LEVELS, OUTCOMES, awaitsContact, channelLabel, closeReasonLabel, contactLabel, humanise,
  isOverdue, languageLabel, levelLabel, levelOf, levelReasonFor, nextStatuses, outcomeLabel, reasonLabel, statusLabel,
  topicLabel,
} from "./terms.js";

const NOTE_LIMIT = 2000;
const FIELD_IDS = { status: "status", close_reason: "close-reason", assignee: "assignee", note: "note" };
const ATTEMPT_FIELD_IDS = { channel: "attempt-channel-phone", outcome: "attempt-outcome-reached",
                            next_attempt_at: "next-attempt", note: "attempt-note" };
// A reason's errors link to its first radio, as GOV.UK's error summary does for a group.
const LEVEL_FIELD_IDS = { level: "level", level_reason: "level-reason-missed" };

/** Load and show one inquiry. */
export async function showDetail(view, { inquiryId }) {
  view.title("Inquiry");
  const heading = h("h1", { tabindex: "-1" }, "Inquiry");
  fill(view.main, heading, h("p", { "aria-live": "polite" }, "Loading…"));
  heading.focus();
  const [inquiry] = await Promise.all([load(view, inquiryId), loadTeam()]);
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
    h("p", {}, h("a", { href: "#/queue" }, "Back to the queue")));
  heading.focus();
}

function render(view, inquiry, { notice, keep = {} }) {
  view.title("Inquiry");
  const me = view.session.sub;
  const summarySlot = h("div", { class: "summary-slot" });
  const noticeSlot = h("div", { class: "notice-slot" }, notice);
  const heading = h("h1", { tabindex: "-1" },
    h("span", { class: "caption" }, "Inquiry"), " ", inquiry.reference ?? "");
  const level = levelOf(inquiry);
  const statusLine = h("p", { class: "status-line" }, "Status: ", tag(statusLabel(inquiry.status), `status-${inquiry.status}`),
    level !== "none" ? [" ", tag(levelLabel(level), level)] : null,
    isOverdue(inquiry) ? [" ", tag("Overdue", "overdue")] : null,
    " ", h("span", { class: "status-line__assignee" }, "Assigned to ", assigneeLabel(inquiry.assignee, { me })));
  const slots = { summarySlot, noticeSlot };
  const form = updateForm(view, inquiry, slots, keep);
  const attempt = attemptForm(view, inquiry, slots);
  const correction = levelForm(view, inquiry, slots);
  fill(view.main,
    h("p", {}, h("a", { class: "back-link", href: "#/queue" }, "Back to the queue")),
    noticeSlot,
    summarySlot,
    heading,
    statusLine,
    h("div", { class: "columns" },
      h("div", { class: "column" },
        h("section", { "aria-labelledby": "person-title" },
          h("h2", { id: "person-title" }, "What they told us"),
          personDetails(inquiry, me, attempt)),
        relatedSection(inquiry)),
      h("div", { class: "column" },
        h("section", { "aria-labelledby": "attempt-title" },
          h("h2", { id: "attempt-title" }, "Contact attempts"),
          attemptsList(inquiry),
          attempt.element),
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
  bindKeys(view, {
    a: () => form.querySelector("#assign-to-me")?.click(),
    n: () => form.querySelector("#note")?.focus(),
  });
  (notice ?? heading).focus();
}

function personDetails(inquiry, me, attempt) {
  const yesNo = (value) => (value ? "Yes" : "No");
  // Each link opens the person's own phone, messages or mail app (nothing of ours is fetched) and, here,
  // the attempt form with that channel chosen, ready to say what happened.
  const contact = (href, channel, ...children) => h("a", { href, class: "contact-link", "data-channel": channel,
    onclick: () => attempt.open(channel) }, children);
  const hidden = (text) => h("span", { class: "visually-hidden" }, text);
  const phone = inquiry.phone ? formatPhone(inquiry.phone) : null;
  const phoneLinks = phone
    ? h("span", { class: "contact-links" },
      contact(`tel:${inquiry.phone}`, "phone", hidden("Call "), phone),
      inquiry.sms_consent ? [" ", contact(`sms:${inquiry.phone}`, "sms", "Text", hidden(` ${phone}`))] : null)
    : "Not given";
  const rows = [
    ["Name", inquiry.name],
    ["Email address", contact(`mailto:${inquiry.email}`, "email", hidden("Email "), inquiry.email)],
    ["Phone number", phoneLinks],
    ["Contact by", contactLabel(inquiry.preferred_contact)],
    ["OK to text", yesNo(inquiry.sms_consent)],
    ["Help with", topicLabel(inquiry.topic)],
    ["Message", inquiry.message ? h("span", { class: "message" }, inquiry.message) : "No message"],
    ["Heard of us through", inquiry.referral_source || "Not given"],
    ["Agreed to be contacted", yesNo(inquiry.consent_to_contact)],
    ["Received", when(inquiry.created_at)],
    ["Respond by", [dueMark(inquiry.due_at, { running: awaitsContact(inquiry.status) }),
      isOverdue(inquiry) ? [" ", tag("Overdue", "overdue")] : null]],
    ["Triage level", levelMark(levelOf(inquiry), levelLabel(levelOf(inquiry)))],
    ["Triage categories", (inquiry.triage_categories ?? []).length
      ? inquiry.triage_categories.map(humanise).join(", ")
      : "Nothing flagged"],
    ["Language", languageLabel(inquiry.language ?? "en")],
    ["Assigned to", assigneeLabel(inquiry.assignee, { me })],
    ["Next attempt", inquiry.next_attempt_at ? when(inquiry.next_attempt_at) : "Not planned"],
  ];
  if (inquiry.status === "closed" && inquiry.close_reason) rows.push(["Closed because", closeReasonLabel(inquiry.close_reason)]);
  return h("dl", { class: "summary-list" }, rows.map(([key, value]) =>
    h("div", { class: "summary-list__row" }, h("dt", {}, key), h("dd", {}, value))));
}

function relatedSection(inquiry) {
  const related = inquiry.related ?? [];
  return h("section", { "aria-labelledby": "related-title" },
    h("h2", { id: "related-title" }, "Other inquiries from this person"),
    related.length
      ? h("ul", { class: "related" }, related.map((other) => h("li", { class: "related__item" },
        h("a", { href: `#/inquiries/${encodeURIComponent(other.inquiry_id)}` }, other.reference), " ",
        tag(statusLabel(other.status), `status-${other.status}`),
        levelOf(other) !== "none" ? [" ", levelMark(levelOf(other), levelLabel(levelOf(other)))] : null,
        other.created_at ? [" received ", when(other.created_at)] : null)))
      : h("p", {}, "None found with the same email address or phone number."));
}

function attemptsList(inquiry) {
  const attempts = [...(inquiry.attempts ?? [])].reverse();
  if (!Array.isArray(inquiry.attempts) || !attempts.length) return h("p", {}, "No attempts logged yet.");
  return h("div", { class: "table-wrap" }, h("table", { class: "table" },
    h("caption", { class: "visually-hidden" }, "Contact attempts, newest first"),
    h("thead", {}, h("tr", {}, ["When", "Who", "How", "What happened", "Next attempt"]
      .map((name) => h("th", { scope: "col" }, name)))),
    h("tbody", {}, attempts.map((a) => h("tr", {},
      h("td", {}, when(a.at)), h("td", {}, a.actor ?? "Someone"), h("td", {}, channelLabel(a.channel)),
      h("td", {}, outcomeLabel(a.outcome)), h("td", {}, a.next_attempt_at ? when(a.next_attempt_at) : "—"))))));
}

/** The contact-attempt form, folded under "Log a contact attempt" until someone opens it or uses a link. */
function attemptForm(view, inquiry, slots) {
  const radios = (name, legend, codes, label) => h("div", { class: "field" },
    h("fieldset", { class: "fieldset", id: `attempt-${name}` },
      h("legend", { class: "label" }, legend),
      h("div", { class: "radios" }, codes.map((code) => {
        const id = `attempt-${name}-${code.replace(/_/g, "-")}`;
        return h("div", { class: "radio" },
          h("input", { class: "radio__input", type: "radio", id, name, value: code }),
          h("label", { class: "radio__label", for: id }, label(code)));
      }))));
  const zone = zoneName();
  const next = h("input", { class: "input input--medium", id: "next-attempt", name: "next_attempt_at",
                            type: "datetime-local", "aria-describedby": "next-attempt-hint" });
  const note = h("textarea", { class: "textarea", id: "attempt-note", name: "note", rows: "3" });
  const button = h("button", { type: "submit", class: "button button--secondary" }, "Log the attempt");
  const form = h("form", { class: "form", novalidate: true, id: "attempt-form" },
    radios("channel", "How did you try to reach them?", CHANNELS, channelLabel),
    radios("outcome", "What happened?", OUTCOMES, outcomeLabel),
    h("div", { class: "field" },
      h("label", { class: "label", for: "next-attempt" }, "Next attempt (optional)"),
      h("p", { class: "hint", id: "next-attempt-hint" }, `In the clinic's time (${zone}). Leave empty when none is planned.`),
      next),
    h("div", { class: "field" },
      h("label", { class: "label", for: "attempt-note" }, "Note (optional)"),
      note, characterCount(note, NOTE_LIMIT)),
    button);
  const element = h("details", { class: "attempt", id: "attempt" },
    h("summary", { class: "attempt__summary" }, "Log a contact attempt"), form);

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearProblems(slots, form);
    const data = new FormData(form);
    const channel = String(data.get("channel") ?? "");
    const outcome = String(data.get("outcome") ?? "");
    const when = String(data.get("next_attempt_at") ?? "");
    const text = String(data.get("note") ?? "").trim();
    const missing = [];
    if (!channel) missing.push({ field: "channel", message: "Choose how you tried to reach them." });
    if (!outcome) missing.push({ field: "outcome", message: "Choose what happened." });
    const nextAt = when ? clinicWallTimeToIso(when) : null;
    if (when && !nextAt) missing.push({ field: "next_attempt_at", message: "Enter the next attempt as a date and time." });
    if (text.length > NOTE_LIMIT) missing.push({ field: "note", message: `Write the note in ${NOTE_LIMIT.toLocaleString("en-US")} characters or fewer.` });
    if (missing.length) {
      problems(slots, form, missing, ATTEMPT_FIELD_IDS);
      return;
    }
    const attempt = { channel, outcome, ...(nextAt ? { next_attempt_at: nextAt } : {}), ...(text ? { note: text } : {}) };
    const said = `Attempt logged: ${channelLabel(channel).toLowerCase()}, ${outcomeLabel(outcome).toLowerCase()}.`;
    await save(view, inquiry, { slots, form, button, fieldIds: ATTEMPT_FIELD_IDS, success: said,
      again: "log the attempt again", send: () => logAttempt(inquiry.inquiry_id, inquiry.version, attempt) });
  });

  return {
    element,
    open(channel) {
      element.open = true;
      const choice = form.querySelector(`#attempt-channel-${channel}`);
      if (choice) choice.checked = true;
    },
  };
}

function updateForm(view, inquiry, slots, keep) {
  const me = view.session.sub;
  const moves = nextStatuses(inquiry.status);
  const releasing = inquiry.status === "spam";
  const reopening = inquiry.status === "closed" || inquiry.status === "not_a_fit";
  const hint = releasing
    ? "Releasing a held-back submission sends the person's confirmation email and the care-team notification, "
      + "as for a new inquiry."
    : reopening ? "Reopening puts it back in the queue as “Attempting contact”." : null;
  const statusSelect = h("select", { class: "select", id: "status", name: "status",
                                     "aria-describedby": hint ? "status-hint" : null, disabled: moves.length === 0 },
    h("option", { value: "" }, `Keep as “${statusLabel(inquiry.status)}”`),
    moves.map((status) => h("option", { value: status },
      releasing && status === "new" ? "Release: not spam, treat as a new inquiry"
        : reopening ? "Reopen: try to reach them again"
          : status === "spam" ? "Mark as spam: hold back, no reminders (it can be released)"
            : statusLabel(status))));
  const statusField = h("div", { class: "field" },
    h("label", { class: "label", for: "status" }, "Status"),
    hint ? h("p", { class: "hint", id: "status-hint" }, hint) : null,
    statusSelect);
  const reasonSelect = h("select", { class: "select", id: "close-reason", name: "close_reason" },
    h("option", { value: "" }, "Choose a reason"),
    CLOSE_REASONS.map((code) => h("option", { value: code }, closeReasonLabel(code))));
  const reasonField = h("div", { class: "field", id: "close-reason-field", hidden: true },
    h("label", { class: "label", for: "close-reason" }, "Why is it closed?"), reasonSelect);
  const showReason = () => { reasonField.hidden = statusSelect.value !== "closed"; };
  statusSelect.addEventListener("change", showReason);
  if (keep.status && moves.includes(keep.status)) statusSelect.value = keep.status;
  if (keep.close_reason) reasonSelect.value = keep.close_reason;
  showReason();

  const assigneeSelect = h("select", { class: "select", id: "assignee", name: "assignee", "aria-describedby": "assignee-hint" },
    assigneeOptions(inquiry.assignee, me));
  const assignToMe = inquiry.assignee === me ? null
    : h("button", { type: "button", class: "button button--secondary button--small", id: "assign-to-me" }, "Assign to me");
  assignToMe?.addEventListener("click", () => save(view, inquiry, { slots, form, button: assignToMe,
    changes: { assignee: me }, fieldIds: FIELD_IDS, success: "Assigned to you.", again: "assign it again" }));
  const assigneeField = h("div", { class: "field" },
    h("label", { class: "label", for: "assignee" }, "Assigned to"),
    h("p", { class: "hint", id: "assignee-hint" }, "Someone on the care team. Press a to assign it to yourself."),
    h("div", { class: "field__row" }, assigneeSelect, assignToMe));
  const note = h("textarea", { class: "textarea", id: "note", name: "note", rows: "4", "aria-describedby": "note-hint" });
  note.value = draftFor(inquiry.inquiry_id);
  note.addEventListener("input", () => keepDraft(me, inquiry.inquiry_id, note.value));
  const noteField = h("div", { class: "field" },
    h("label", { class: "label", for: "note" }, "Add a note"),
    h("p", { class: "hint", id: "note-hint" }, "Notes stay with the inquiry and only the care team can read them."),
    note, characterCount(note, NOTE_LIMIT));
  const saveButton = h("button", { type: "submit", class: "button" }, "Save changes");
  const form = h("form", { class: "form", novalidate: true }, statusField, reasonField, assigneeField, noteField, saveButton);

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearProblems(slots, form);
    const changes = changesFrom(form, inquiry);
    const missing = [];
    if (!Object.keys(changes).length) {
      missing.push({ field: "status", message: "Change the status or who it is assigned to, or write a note, then save." });
    }
    if (changes.status === "closed" && !changes.close_reason) {
      missing.push({ field: "close_reason", message: "Choose why it is closed." });
    }
    if ((changes.note ?? "").length > NOTE_LIMIT) {
      missing.push({ field: "note", message: `Write the note in ${NOTE_LIMIT.toLocaleString("en-US")} characters or fewer.` });
    }
    if (missing.length) {
      problems(slots, form, missing, FIELD_IDS);
      return;
    }
    await save(view, inquiry, { slots, form, button: saveButton, changes, fieldIds: FIELD_IDS,
      success: "Inquiry updated.", again: "save your update again" });
  });
  return form;
}

/** The care team as choices, the current assignee selected (kept, and said, if they are not on the team). */
function assigneeOptions(current, me) {
  const members = [...teamMembers()].sort((a, b) => (a.id === me ? -1 : b.id === me ? 1 : a.name.localeCompare(b.name)));
  const options = [h("option", { value: "", selected: !current }, "Nobody yet")];
  for (const member of members) {
    options.push(h("option", { value: member.id, selected: member.id === current },
      member.id === me ? `${member.name} (you)` : member.name));
  }
  if (current && !members.some((m) => m.id === current)) {
    options.push(h("option", { value: current, selected: true }, `${assigneeLabel(current)} (not on the care team list)`));
  }
  if (me && !members.some((m) => m.id === me)) options.splice(1, 0, h("option", { value: me, selected: current === me }, "Me"));
  return options;
}

function levelForm(view, inquiry, slots) {
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
    clearProblems(slots, form);
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
      problems(slots, form, missing, LEVEL_FIELD_IDS);
      return;
    }
    await save(view, inquiry, { slots, form, button, changes: { level, level_reason: reason },
      fieldIds: LEVEL_FIELD_IDS,
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

/**
 * Send `changes` (or run `send`) with the version shown; show the outcome, or why not (a 412 reloads the
 * inquiry). What the person chose or typed while it ran is not lost: a status picked meanwhile stays picked
 * (when the inquiry can still move there) and the note box keeps what was not sent.
 */
async function save(view, inquiry, { slots, form, button, changes, send, fieldIds, success, again }) {
  const me = view.session.sub;
  button.disabled = true;
  try {
    const updated = await (send ? send() : updateInquiry(inquiry.inquiry_id, inquiry.version, changes));
    if (!view.isCurrent()) return;
    const fresh = updated?.inquiry_id ? updated : await readInquiry(inquiry.inquiry_id);
    if (!view.isCurrent()) return;
    const keep = chosenMeanwhile(view, changes ?? {}, fresh);
    settleDraft(view, me, inquiry.inquiry_id, changes?.note);
    const later = keep.status ? ` Your choice of status “${statusLabel(keep.status)}” is not saved yet: save to apply it.` : "";
    render(view, fresh, { notice: banner(success + later, { kind: "success" }), keep });
  } catch (error) {
    button.disabled = false;
    if (error instanceof EditConflict) {
      const fresh = await readInquiry(inquiry.inquiry_id).catch((reloadError) => view.fail(reloadError));
      if (fresh && view.isCurrent()) {
        const noted = draftFor(inquiry.inquiry_id);
        render(view, fresh, {
          notice: banner(`${error.message} Check what changed, then ${again}.`
            + (noted ? " Your note is still in the box." : ""),
          { kind: "warning", title: "Your change was not saved" }),
        });
      }
    } else if (error instanceof ApiError && [422, 428].includes(error.status)) {
      problems(slots, form, error.problems.length ? error.problems : [{ field: null, message: error.message }],
        fieldIds);
    } else if (error instanceof ApiError && error.status === 0) {
      problems(slots, form, [{ field: null, message: error.message }], fieldIds);
    } else {
      view.fail(error);
    }
  }
}

/** A status (and close reason) picked in the update form after `sent` went, still to be saved. */
function chosenMeanwhile(view, sent, fresh) {
  const status = view.main.querySelector("#status")?.value ?? "";
  if (!status || status === sent.status || !nextStatuses(fresh.status).includes(status)) return {};
  return { status, close_reason: view.main.querySelector("#close-reason")?.value || undefined };
}

/** After a save: the note that was sent is done with; anything typed since stays in the box. */
function settleDraft(view, me, inquiryId, sentNote) {
  if (sentNote === undefined) return;
  const box = view.main.querySelector("#note")?.value ?? "";
  keepDraft(me, inquiryId, box.trim() === sentNote ? "" : box);
}

function changesFrom(form, inquiry) {
  const data = new FormData(form);
  const changes = {};
  const status = String(data.get("status") ?? "");
  if (status) changes.status = status;
  const reason = String(data.get("close_reason") ?? "");
  if (status === "closed" && reason) changes.close_reason = reason;
  const assignee = String(data.get("assignee") ?? "").trim();
  if (assignee !== (inquiry.assignee ?? "")) changes.assignee = assignee || null;
  const note = String(data.get("note") ?? "").trim();
  if (note) changes.note = note;
  return changes;
}

function clearProblems({ summarySlot, noticeSlot }, form) {
  // Every form may have left the summary and marks on the others, and the last save's outcome is old
  // news once another is tried: start afresh.
  const page = form.closest("main") ?? form;
  for (const input of page.querySelectorAll("form input:not([type=radio]), form select, form textarea")) {
    showFieldError(input, "");
  }
  for (const group of page.querySelectorAll("form fieldset[id]")) showGroupError(group, "");
  summarySlot.replaceChildren();
  noticeSlot.replaceChildren();
}

function problems({ summarySlot }, form, errors, fieldIds) {
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

/** One history entry in words (also the People page's export). */
export function describeChange(entry) {
  switch (entry.action) {
    case "status":
      return `Status: ${statusLabel(entry.from)} → ${statusLabel(entry.to)}`
        + (entry.to === "closed" && entry.reason ? ` (${closeReasonLabel(entry.reason).toLowerCase()})` : "");
    case "reopened":
      return `Reopened: ${statusLabel(entry.from)} → ${statusLabel(entry.to ?? "attempting")}`;
    case "attempt":
      return `Contact attempt${entry.to ? `: ${outcomeLabel(entry.to).toLowerCase()}` : ""}`;
    case "assigned":
      return `Assigned: ${assigneeLabel(entry.from) === "Nobody yet" ? "nobody" : assigneeLabel(entry.from)} → `
        + `${assigneeLabel(entry.to) === "Nobody yet" ? "nobody" : assigneeLabel(entry.to)}`;
    case "note":
      return "Note added";
    case "level":
      return `Triage level: ${levelLabel(entry.from)} → ${levelLabel(entry.to)}`
        + (entry.reason ? ` (${reasonLabel(entry.reason).toLowerCase()})` : "");
    default:
      return humanise(entry.action);
  }
}
