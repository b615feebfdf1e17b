// The words the console uses for an inquiry's codes, the status moves it offers, the reason a level
// correction needs, and what counts as overdue. Mirrors the "Care-team console" and "Triage levels"
// sections of DESIGN.md; the API enforces the same rules.

export const STATUSES = ["new", "attempting", "contacted", "scheduled", "closed", "not_a_fit", "spam"];

const LABELS = {
  new: "New",
  attempting: "Attempting contact",
  contacted: "Contacted",
  scheduled: "Scheduled",
  closed: "Closed",
  not_a_fit: "Not a fit",
  spam: "Held back",
};

// Plural headings for the lists ("New inquiries", "Held-back submissions").
const LIST_TITLES = {
  new: "New inquiries",
  attempting: "Attempting contact",
  contacted: "Contacted",
  scheduled: "Scheduled",
  closed: "Closed",
  not_a_fit: "Not a fit",
  spam: "Held-back submissions",
};

const OPEN = new Set(["new", "attempting", "contacted", "scheduled"]);
// The queue's statuses (GET /care/queue): what still needs someone to reach the person.
export const QUEUE_STATUSES = ["new", "attempting", "contacted"];
const NEXT = { contacted: "scheduled", scheduled: "closed" };

/** The words shown for a status code (the code itself when it is one we do not know). */
export function statusLabel(status) {
  return LABELS[status] ?? String(status);
}

/** The heading of the list of inquiries in this status. */
export function listTitle(status) {
  return LIST_TITLES[status] ?? statusLabel(status);
}

/** True for a status code the console knows. */
export function isStatus(value) {
  return STATUSES.includes(value);
}

/** The statuses an inquiry in `status` may move to, the usual next step first. */
export function nextStatuses(status) {
  if (status === "spam") return ["new"];  // releasing a held-back submission
  if (status === "closed" || status === "not_a_fit") return ["attempting"];  // reopening
  if (!OPEN.has(status)) return [];
  // Trying without reaching is logged as an attempt (the form moves it to "attempting"); the status
  // list offers the steps that follow reaching them.
  const moves = [awaitsContact(status) ? "contacted" : NEXT[status], "not_a_fit", "closed"];
  // Held back: no reminders; released like any spam.
  if (status === "new" || status === "attempting") moves.push("spam");
  return moves.filter((s, i) => moves.indexOf(s) === i);
}

/** True for a status the response clock still runs in (nobody has reached the person yet). */
export function awaitsContact(status) {
  return status === "new" || status === "attempting";
}

/** Overdue: nobody has reached the person yet and its response-time target has passed. */
export function isOverdue(item, now = new Date()) {
  if (!awaitsContact(item.status) || !item.due_at) return false;
  const due = Date.parse(item.due_at);
  return Number.isFinite(due) && due < now.getTime();
}

// Triage levels, highest first: raising one is a missed danger, lowering one a false alarm.
export const LEVELS = ["urgent", "priority", "none"];
const LEVEL_LABELS = { urgent: "Urgent", priority: "Priority", none: "None" };
const REASONS = { missed: "Missed danger", false_alarm: "False alarm" };
const LANGUAGES = { en: "English", es: "Spanish (español)" };

/** An inquiry's triage level (one stored before levels existed has only `urgent`). */
export function levelOf(item) {
  return LEVELS.includes(item.level) ? item.level : (item.urgent ? "urgent" : "none");
}

/** A level code in words. */
export function levelLabel(level) {
  return LEVEL_LABELS[level] ?? humanise(level);
}

/** The reason a move from `current` to `target` needs ("missed" raises, "false_alarm" lowers), or null. */
export function levelReasonFor(current, target) {
  const from = LEVELS.indexOf(current);
  const to = LEVELS.indexOf(target);
  if (from < 0 || to < 0 || from === to) return null;
  return to < from ? "missed" : "false_alarm";
}

/** A level correction's reason in words. */
export function reasonLabel(reason) {
  return REASONS[reason] ?? humanise(reason);
}

/** The language the person reads, in words. */
export function languageLabel(language) {
  return LANGUAGES[language] ?? humanise(language);
}

const TOPICS = {
  addiction: "Addiction",
  depression: "Depression",
  anxiety: "Anxiety",
  ptsd: "PTSD",
  chronic_pain: "Chronic pain",
  other: "Something else",
};

const CONTACT = { email: "Email", phone: "Phone call", sms: "Text message" };

const AUDIT_ACTIONS = { list: "Listed inquiries", read: "Opened an inquiry", update: "Updated an inquiry",
                        audit_read: "Read the audit trail", search: "Searched", attempt: "Logged a contact attempt",
                        reopened: "Reopened an inquiry", bulk: "Changed several inquiries",
                        audit_export: "Exported the audit trail", report_read: "Read the reports",
                        report_export: "Exported the reports", person_export: "Exported a person's data",
                        person_search: "Found a person's inquiries (references only)",
                        erasure: "Erased a person's data", erasure_requested: "Asked to erase a person's data",
                        erasure_rejected: "Rejected an erasure", export_requested: "Asked to export a person's data",
                        export_approved: "Approved an export", export_rejected: "Rejected an export" };

/** The audit actions the trail can be searched by, in the order the filter offers them. */
export const AUDIT_ACTION_CODES = Object.keys(AUDIT_ACTIONS);

// What kind of act an entry is, when the API does not say (`kind`): list views name no one record.
const AUDIT_KINDS = { list: "list", audit_read: "audit", report_read: "report", read: "read", search: "search",
                      update: "change", attempt: "change", reopened: "change", bulk: "change",
                      audit_export: "export", report_export: "export", person_export: "export", person_search: "search",
                      erasure: "erasure", erasure_requested: "erasure", erasure_rejected: "erasure",
                      export_requested: "export", export_approved: "export", export_rejected: "export" };

/** An audit entry's kind: list, audit, report, read, search, change, export or erasure (the API's `kind` when given). */
export function auditKindOf(entry) {
  return entry.kind ?? AUDIT_KINDS[entry.action] ?? "other";
}

// Closing needs a reason (DESIGN: close_reason); the reopen move is offered from closed and not a fit.
export const CLOSE_REASONS = ["scheduled", "not_a_fit", "unreachable", "duplicate", "other"];
const CLOSE_REASON_LABELS = {
  scheduled: "Scheduled: they have an appointment",
  not_a_fit: "Not a fit for our care",
  unreachable: "Unreachable after several attempts",
  duplicate: "Duplicate of another inquiry",
  other: "Other (say why in a note)",
};

// A contact attempt: how, and what happened.
export const CHANNELS = ["phone", "sms", "email"];
const CHANNEL_LABELS = { phone: "Phone call", sms: "Text message", email: "Email" };
export const OUTCOMES = ["reached", "no_answer", "voicemail", "wrong_number", "call_later"];
const OUTCOME_LABELS = {
  reached: "Reached them",
  no_answer: "No answer",
  voicemail: "Left a voicemail",
  wrong_number: "Wrong number",
  call_later: "Asked us to call later",
};

/** A close reason in words. */
export function closeReasonLabel(reason) {
  return CLOSE_REASON_LABELS[reason] ?? humanise(reason);
}

/** An attempt's channel in words. */
export function channelLabel(channel) {
  return CHANNEL_LABELS[channel] ?? humanise(channel);
}

/** An attempt's outcome in words. */
export function outcomeLabel(outcome) {
  return OUTCOME_LABELS[outcome] ?? humanise(outcome);
}

/** The languages a person may read (the queue filters by them). */
export const LANGUAGE_CODES = ["en", "es"];

/** What the inquiry is about, in words. */
export function topicLabel(topic) {
  return TOPICS[topic] ?? humanise(topic);
}

/** How the person asked to be reached, in words. */
export function contactLabel(preferred) {
  return CONTACT[preferred] ?? humanise(preferred);
}

/** An audit action code (list, read, update) in words. */
export function auditActionLabel(action) {
  return AUDIT_ACTIONS[action] ?? humanise(action);
}

/** A code such as "self_harm" as "Self harm". */
export function humanise(code) {
  const text = String(code ?? "").replace(/_/g, " ").trim();
  return text ? text[0].toUpperCase() + text.slice(1) : "";
}
