// The words the console uses for an inquiry's codes, the status moves it offers, the reason a level
// correction needs, and what counts as overdue. Mirrors the "Care-team console" and "Triage levels"
// sections of DESIGN.md; the API enforces the same rules.

export const STATUSES = ["new", "contacted", "scheduled", "closed", "not_a_fit", "spam"];

const LABELS = {
  new: "New",
  contacted: "Contacted",
  scheduled: "Scheduled",
  closed: "Closed",
  not_a_fit: "Not a fit",
  spam: "Held back",
};

// Plural headings for the lists ("New inquiries", "Held-back submissions").
const LIST_TITLES = {
  new: "New inquiries",
  contacted: "Contacted",
  scheduled: "Scheduled",
  closed: "Closed",
  not_a_fit: "Not a fit",
  spam: "Held-back submissions",
};

const OPEN = new Set(["new", "contacted", "scheduled"]);
const NEXT = { new: "contacted", contacted: "scheduled", scheduled: "closed" };

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
  if (!OPEN.has(status)) return [];
  const moves = [NEXT[status], "not_a_fit", "closed"];
  if (status === "new") moves.push("spam");  // held back: no reminders; released like any spam
  return moves.filter((s, i) => moves.indexOf(s) === i);
}

/** Overdue: still new and past its response-time target. */
export function isOverdue(item, now = new Date()) {
  if (item.status !== "new" || !item.due_at) return false;
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
                        audit_read: "Read the audit trail" };

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
