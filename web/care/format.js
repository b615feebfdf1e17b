// Times and numbers for people: absolute times in the clinic's time zone with the zone named (config.json
// "timeZone", the ClinicTimeZone setting), whatever zone the browser is in; countdowns to a due time;
// phone numbers grouped so they can be read aloud.

let clinicZone = "UTC";

/** Use `zone` (an IANA name such as "America/Los_Angeles") for every absolute time; unknown names keep UTC. */
export function setClinicTimeZone(zone) {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    clinicZone = zone;
  } catch {
    clinicZone = "UTC";
  }
}

/** The clinic's time zone (IANA name). */
export function clinicTimeZone() {
  return clinicZone;
}

/** "Mon, Dec 7, 2026, 5:00 PM PST": the instant in the clinic's zone, the zone named. */
export function formatInstant(date) {
  return new Intl.DateTimeFormat("en-US", {
    timeZone: clinicZone, weekday: "short", month: "short", day: "numeric", year: "numeric",
    hour: "numeric", minute: "2-digit", timeZoneName: "short",
  }).format(date);
}

/** The zone's short name now ("PST", "PDT"): said beside a time field the person types into. */
export function zoneName(date = new Date()) {
  const part = new Intl.DateTimeFormat("en-US", { timeZone: clinicZone, timeZoneName: "short" })
    .formatToParts(date).find((p) => p.type === "timeZoneName");
  return part?.value ?? clinicZone;
}

/** A length of time in words: "52 min", "2 h", "1 h 20 min", "3 days". */
export function duration(ms) {
  const minutes = Math.max(1, Math.round(Math.abs(ms) / 60_000));
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  if (hours < 6) return rest ? `${hours} h ${rest} min` : `${hours} h`;
  if (hours < 48) return `${Math.round(minutes / 60)} h`;
  return `${Math.round(minutes / 1440)} days`;
}

/** "due in 52 min" or "overdue 2 h" (null without a due time). */
export function countdown(dueIso, now = Date.now()) {
  const due = Date.parse(dueIso ?? "");
  if (!Number.isFinite(due)) return null;
  const left = due - now;
  return left >= 0 ? `due in ${duration(left)}` : `overdue ${duration(left)}`;
}

/** The clinic's wall time "YYYY-MM-DDTHH:MM" (a datetime-local value) as an ISO instant, or null. */
export function clinicWallTimeToIso(value) {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(String(value ?? ""));
  if (!match) return null;
  const [, y, mo, d, hh, mm] = match.map(Number);
  const wall = Date.UTC(y, mo - 1, d, hh, mm);
  // The zone's offset at the guess, then again at the answer (a DST change between the two).
  let instant = wall - offsetAt(wall);
  instant = wall - offsetAt(instant);
  return Number.isFinite(instant) ? new Date(instant).toISOString() : null;
}

/** An ISO instant as the clinic's wall time "YYYY-MM-DDTHH:MM" (for a datetime-local field). */
export function isoToClinicWallTime(iso) {
  const instant = Date.parse(iso ?? "");
  if (!Number.isFinite(instant)) return "";
  return new Date(instant + offsetAt(instant)).toISOString().slice(0, 16);
}

function offsetAt(instant) {
  const parts = Object.fromEntries(new Intl.DateTimeFormat("en-US", {
    timeZone: clinicZone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit", second: "2-digit",
  }).formatToParts(new Date(instant)).map((p) => [p.type, p.value]));
  const wall = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour) % 24,
    Number(parts.minute), Number(parts.second));
  return wall - Math.floor(instant / 1000) * 1000;
}

/**
 * A phone number stored in E.164 ("+14155550134") written to be read: "+1 (415) 555-0134" for North
 * America, otherwise the country code and groups of digits. Anything else is shown as it is.
 */
export function formatPhone(e164) {
  const text = String(e164 ?? "");
  const nanp = /^\+1(\d{3})(\d{3})(\d{4})$/.exec(text);
  if (nanp) return `+1 (${nanp[1]}) ${nanp[2]}-${nanp[3]}`;
  if (!/^\+\d{8,15}$/.test(text)) return text;
  const digits = text.slice(1);
  const size = digits.startsWith("7") ? 1 : TWO_DIGIT_CODES.has(digits.slice(0, 2)) ? 2 : 3;
  const groups = digits.slice(size).match(/\d{1,4}/g) ?? [];
  return `+${digits.slice(0, size)} ${groups.join(" ")}`;
}

// ITU country codes of two digits (the rest, but 1 and 7, have three).
const TWO_DIGIT_CODES = new Set(("20 27 30 31 32 33 34 36 39 40 41 43 44 45 46 47 48 49 51 52 53 54 55 56 57 58 "
  + "60 61 62 63 64 65 66 81 82 84 86 90 91 92 93 94 95 98").split(" "));
