// Who is signed in. Tokens live in sessionStorage only (gone when the tab closes), never localStorage.

import { revokeRefreshToken } from "./cognito.js";

const KEY = "care-console.session";

/** Start a session from Cognito's AuthenticationResult. */
export function startSession(result, { keepRefreshToken } = {}) {
  const claims = claimsOf(result.IdToken);
  const session = {
    idToken: result.IdToken,
    accessToken: result.AccessToken,
    refreshToken: result.RefreshToken ?? keepRefreshToken ?? null,
    // The ID token's own expiry; ExpiresIn (seconds) when the token has none we can read.
    expiresAt: claims.exp ? claims.exp * 1000 : Date.now() + (result.ExpiresIn ?? 3600) * 1000,
  };
  sessionStorage.setItem(KEY, JSON.stringify(session));
  return describe(session);
}

/** The current session, or null when nobody is signed in. */
export function currentSession() {
  const raw = sessionStorage.getItem(KEY);
  if (!raw) return null;
  try {
    return describe(JSON.parse(raw));
  } catch {
    sessionStorage.removeItem(KEY);
    return null;
  }
}

/** The stored session as it is (tokens and expiry), to hand to another tab of this browser; or null. */
export function storedSession() {
  try {
    const session = JSON.parse(sessionStorage.getItem(KEY) ?? "null");
    return session?.idToken ? session : null;
  } catch {
    return null;
  }
}

/** Keep a session another tab handed over (its tokens, unchanged). */
export function adoptSession(session) {
  const copy = { idToken: String(session.idToken), accessToken: String(session.accessToken ?? ""),
                 refreshToken: session.refreshToken ? String(session.refreshToken) : null,
                 expiresAt: Number(session.expiresAt) || 0 };
  sessionStorage.setItem(KEY, JSON.stringify(copy));
  return describe(copy);
}

/** Forget the tokens. */
export function endSession() {
  sessionStorage.removeItem(KEY);
}

/**
 * Sign out, on every path (the button, idle, a 401, a refresh that failed): Cognito revokes the refresh
 * token first, then the tokens are forgotten here.
 */
export async function signOutSession() {
  let refreshToken = null;
  try {
    refreshToken = JSON.parse(sessionStorage.getItem(KEY) ?? "null")?.refreshToken ?? null;
  } catch {
    // An unreadable session has nothing to revoke.
  }
  try {
    await revokeRefreshToken(refreshToken);
  } finally {
    endSession();
  }
}

function describe(session) {
  const claims = claimsOf(session.idToken);
  const groups = Array.isArray(claims["cognito:groups"]) ? claims["cognito:groups"] : [];
  return {
    ...session,
    email: claims.email ?? claims["cognito:username"] ?? "",
    // Who this is to the API (assignee ids, "Assign to me"); read, not verified: the API checks the token.
    sub: claims.sub ?? "",
    groups,
    isAdmin: groups.includes("care-admin"),
    // A clinic manager sees the reports (aggregates) only: no queue, no inquiry, no audit trail.
    seesReports: groups.includes("care-admin") || groups.includes("clinic-manager"),
    worksInquiries: groups.includes("care-team") || groups.includes("care-admin"),
  };
}

/**
 * The claims in a JWT's payload, read (not verified) so the page can show who is signed in and
 * whether to offer the audit trail. The API checks the signature and the groups itself.
 */
export function claimsOf(jwt) {
  const part = String(jwt ?? "").split(".")[1];
  if (!part) return {};
  try {
    const base64 = part.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(part.length / 4) * 4, "=");
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return {};
  }
}
