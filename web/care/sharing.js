// Several tabs of one browser share one sign-in: a tab opened without a session (Ctrl+click on an
// inquiry, a new window) asks the others over a BroadcastChannel, and a signed-in tab hands its tokens
// across. They go from one tab's sessionStorage to the other's and are never written anywhere else
// (never localStorage, never a cookie, never a URL). BroadcastChannel reaches only this origin's pages in
// this browser profile. Signing out in one tab signs out the others (the refresh token they share is
// revoked), and use of any tab keeps every tab from signing out for idleness.

const CHANNEL = "care-console.session";
const ASK_WAIT_MS = 400;
const ACTIVITY_EVERY_MS = 20_000;

let channel = null;
let lastActivitySent = 0;

/**
 * Start listening. `current()` gives the raw session to hand over (or null); `onSignedOut()` runs when
 * another tab signed out; `onActive()` when someone used another tab.
 */
export function shareSession({ current, onSignedOut, onActive }) {
  if (!("BroadcastChannel" in window) || channel) return;
  channel = new BroadcastChannel(CHANNEL);
  channel.addEventListener("message", ({ data }) => {
    if (data?.type === "ask") {
      const session = current();
      if (session) channel.postMessage({ type: "session", session });
    } else if (data?.type === "signed-out") {
      onSignedOut();
    } else if (data?.type === "active") {
      onActive();
    }
  });
}

/** Ask the other tabs for their session; resolves to it, or null when no tab answers in time. */
export function askOtherTabs() {
  if (!channel) return Promise.resolve(null);
  return new Promise((resolve) => {
    const listen = ({ data }) => {
      if (data?.type !== "session" || !data.session?.idToken) return;
      finish(data.session);
    };
    const timer = setTimeout(() => finish(null), ASK_WAIT_MS);
    function finish(session) {
      clearTimeout(timer);
      channel.removeEventListener("message", listen);
      resolve(session);
    }
    channel.addEventListener("message", listen);
    channel.postMessage({ type: "ask" });
  });
}

/** Tell the other tabs that this one signed out. */
export function announceSignOut() {
  channel?.postMessage({ type: "signed-out" });
}

/** Tell the other tabs (at most every 20 seconds) that someone is using this one. */
export function announceActivity() {
  const now = Date.now();
  if (!channel || now - lastActivitySent < ACTIVITY_EVERY_MS) return;
  lastActivitySent = now;
  channel.postMessage({ type: "active" });
}
