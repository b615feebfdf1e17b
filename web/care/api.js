// The care API, as the console uses it: adds the signed-in person's token, turns a 401 into
// "sign in again" and a 412 into "someone else changed this". See DESIGN.md "Care-team console".

import { refreshSignIn } from "./cognito.js";
import { currentSession, signOutSession, startSession } from "./session.js";

const REFRESH_BEFORE_EXPIRY_MS = 60_000;
let apiBase = "";

/**
 * The console's settings: {region, userPoolId, clientId, cognitoEndpoint, apiBase}. Refused (an error)
 * when they name a host this page's own policy would not let it connect to: tokens go nowhere else.
 */
export async function loadConfig() {
  const response = await fetch("config.json", { cache: "no-store", credentials: "same-origin" });
  if (!response.ok) throw new Error(`config.json answered ${response.status}`);
  const config = await response.json();
  const base = String(config.apiBase ?? "").replace(/\/+$/, "");
  if (!mayConnectTo(base || location.origin) || !mayConnectTo(String(config.cognitoEndpoint ?? ""))) {
    throw new Error("config.json names a host the console may not connect to");
  }
  apiBase = base;
  return config;
}

/**
 * Whether `url` is this page's own origin or an origin its published policy names in connect-src
 * (infra/publish_console.py writes that policy into index.html; locally there is none: same origin only).
 */
function mayConnectTo(url) {
  let origin;
  try {
    origin = new URL(url, location.href).origin;
  } catch {
    return false;
  }
  if (origin === location.origin) return true;
  const policy = document.querySelector('meta[http-equiv="Content-Security-Policy"]')?.content ?? "";
  const connect = policy.split(";").map((d) => d.trim().split(/\s+/)).find((d) => d[0] === "connect-src") ?? [];
  return connect.slice(1).includes(origin);
}

/** The session ended (expired, revoked or signed out elsewhere): the person must sign in again. */
export class SignInRequired extends Error {
  constructor() {
    super("Your session has ended. Sign in again to carry on.");
    this.name = "SignInRequired";
  }
}

/** 412: the inquiry changed since it was loaded. */
export class EditConflict extends Error {
  constructor() {
    super("Someone else changed this inquiry while you were working on it, so we've reloaded it.");
    this.name = "EditConflict";
  }
}

/** Any other answer that is not a success; `problems` are the API's {field, message} errors. */
export class ApiError extends Error {
  constructor(status, problems, message) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.problems = problems;
  }
}

/** One page of inquiries in a status, newest first: {items, next_cursor}. */
export function listInquiries({ status, cursor, limit = 25 }) {
  return request("GET", "/care/inquiries", { query: { status, limit, cursor } });
}

/** One inquiry in full (the only place its details are shown). */
export function readInquiry(inquiryId) {
  return request("GET", `/care/inquiries/${encodeURIComponent(inquiryId)}`);
}

/** Change status, assignee and/or add a note; `version` is the one the page was showing. */
export function updateInquiry(inquiryId, version, changes) {
  return request("PATCH", `/care/inquiries/${encodeURIComponent(inquiryId)}`, {
    body: changes,
    headers: { "If-Match": String(version) },
  });
}

/**
 * One page of the audit trail (care-admin only), newest first, over the whole retention:
 * {items: [{at, actor, actor_id, action, kind, inquiry_id, reference, ...}], next_cursor}. Filters:
 * inquiryId or reference, actor (a member's sub), action (a code), from/to (dates, YYYY-MM-DD).
 */
export function readAudit({ inquiryId, reference, actor, action, from, to, cursor, limit } = {}) {
  return request("GET", "/care/audit", { query: { inquiry_id: inquiryId, reference, actor, action, from, to, cursor,
                                                  limit } });
}

/** The same query as CSV (the export is itself audited): {text, filename, cut}. */
export function exportAudit({ inquiryId, reference, actor, action, from, to } = {}) {
  return download("/care/audit", { inquiry_id: inquiryId, reference, actor, action, from, to, format: "csv" },
                  "audit-trail.csv");
}

/** The reports (care-admin, clinic-manager): aggregates only, each figure with its definition. */
export function readReports({ from, to } = {}) {
  return request("GET", "/care/reports", { query: { from, to } });
}

/** The reports' aggregates as CSV: {text, filename}. */
export function exportReports({ from, to } = {}) {
  return download("/care/reports", { from, to, format: "csv" }, "reports.csv");
}

/**
 * Every inquiry of one person (care-admin: the right of access), found by the keyed hash of an exact
 * email address or phone number. The term goes in the query of this one request and nowhere else.
 */
export function readPerson({ email, phone }) {
  return request("GET", "/care/people", { query: { email, phone } });
}

/** Which inquiries are one person's ({email} or {phone}): {status: "found", count, references}, no field of them.
 *  A search, never waiting for a second administrator (only the export of their contents does). */
export function findPersonInquiries({ email, phone }) {
  return request("GET", "/care/people", { query: { email, phone, only: "references" } });
}

/** An export approved by a second administrator, for the administrator who asked (once): as readPerson's answer. */
export function openExport(requestId) {
  return request("GET", `/care/exports/${encodeURIComponent(requestId)}`);
}

/** Erase one person's inquiries ({email?, phone?, reason}): the erasure report, or {status: "pending", request_id}. */
export function requestErasure(erasure) {
  return request("POST", "/care/erasures", { body: erasure });
}

/** Erasure requests waiting for a second administrator: {items: [{request_id, requester, reason, ...}]}. */
export function pendingErasures() {
  return request("GET", "/care/erasures");
}

/** Approve (a different administrator than the one who asked) or reject a pending erasure. */
export function decideErasure(requestId, decision) {
  return request("POST", `/care/erasures/${encodeURIComponent(requestId)}/${decision === "approve" ? "approve" : "reject"}`,
                 { body: {} });
}

/**
 * The working queue, in attention order: {items, counts}. With the ETag of the last answer, an unchanged
 * queue answers 304 and this resolves to {unchanged: true} (no body was sent). Resolves to
 * {unchanged: false, queue, etag} otherwise.
 */
export async function readQueue({ assignee, etag } = {}) {
  const answer = await request("GET", "/care/queue", {
    query: { assignee }, headers: etag ? { "If-None-Match": etag } : {}, withResponse: true });
  if (answer.response.status === 304) return { unchanged: true, etag };
  return { unchanged: false, queue: answer.body, etag: answer.response.headers.get("ETag") };
}

/** Search by reference, exact email, exact phone or name: {items}. The term goes in the query only. */
export function searchInquiries(q) {
  return request("GET", "/care/search", { query: { q } });
}

/** The care team (members of the pool's care groups): {members: [{id, name, groups}]}. */
export function readTeam() {
  return request("GET", "/care/team");
}

/** Log a contact attempt ({channel, outcome, next_attempt_at?, note?}); the updated inquiry. */
export function logAttempt(inquiryId, version, attempt) {
  return request("POST", `/care/inquiries/${encodeURIComponent(inquiryId)}/attempts`, {
    body: attempt,
    headers: { "If-Match": String(version) },
  });
}

/** One change to several inquiries ([{inquiry_id, version}], {status?, close_reason?, assignee?}): {results}. */
export function changeMany(items, change) {
  return request("POST", "/care/bulk", { body: { items, change } });
}

/** A CSV answer, as text with the file name the API gave it (Content-Disposition) or `fallback`. */
async function download(path, query, fallback) {
  const answer = await request("GET", path, { query, headers: { Accept: "text/csv" }, asText: true,
                                              withResponse: true });
  const disposition = answer.response.headers.get("Content-Disposition") ?? "";
  const named = disposition.match(/filename="?([^";]+)"?/i);
  // A long export stops at the API's row limit and says where the rest starts (X-Next-Cursor).
  return { text: answer.body, filename: named ? named[1] : fallback, cut: answer.response.headers.has("X-Next-Cursor") };
}

async function request(method, path, { query = {}, body, headers = {}, withResponse = false, asText = false } = {}) {
  const session = await freshSession();
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== "") params.set(name, String(value));
  }
  const url = apiBase + path + (params.size ? `?${params}` : "");
  let response;
  try {
    response = await fetch(url, {
      method,
      headers: {
        Accept: "application/json",
        // The raw ID token: API Gateway's Cognito authorizer accepts it on every stage (a "Bearer "
        // prefix is accepted by our API but not everywhere by the authorizer; docs/operations.md).
        Authorization: session.idToken,
        ...(body === undefined ? {} : { "Content-Type": "application/json" }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: "no-store",
      credentials: "omit",
    });
  } catch {
    throw new ApiError(0, [], "We couldn't reach the server. Check your connection and try again.");
  }
  if (response.status === 304 && withResponse) return { response, body: null };
  if (response.ok && asText) {
    const text = await response.text();
    return withResponse ? { response, body: text } : text;
  }
  const answer = await response.json().catch(() => null);
  if (response.ok) return withResponse ? { response, body: answer } : answer;
  const problems = Array.isArray(answer?.errors) ? answer.errors : [];
  switch (response.status) {
    case 401:
      await signOutSession();
      throw new SignInRequired();
    case 412:
      throw new EditConflict();
    case 403:
      throw new ApiError(403, problems, "You don't have access to this. Ask a care-team administrator if you need it.");
    case 404:
      throw new ApiError(404, problems, "There is no inquiry with this id or reference. It may have been erased.");
    case 409:
      throw new ApiError(409, problems, problems[0]?.message ?? "That can't be done now: someone else acted on it first.");
    case 400:
    case 422:
    case 428:
      throw new ApiError(response.status, problems, problems[0]?.message ?? "That change could not be made.");
    default:
      throw new ApiError(response.status, problems, "Something went wrong on our side. Try again in a minute.");
  }
}

/** The session, with tokens renewed first when they are about to expire. */
async function freshSession() {
  const session = currentSession();
  if (!session) throw new SignInRequired();
  if (session.expiresAt - Date.now() > REFRESH_BEFORE_EXPIRY_MS) return session;
  if (!session.refreshToken) {
    await signOutSession();
    throw new SignInRequired();
  }
  try {
    const renewed = await refreshSignIn(session.refreshToken);
    if (!renewed.tokens) throw new Error("no tokens");
    return startSession(renewed.tokens, { keepRefreshToken: session.refreshToken });
  } catch {
    await signOutSession();
    throw new SignInRequired();
  }
}
