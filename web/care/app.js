// The console's shell: reads config.json, keeps the header in step with who is signed in, signs out
// (by hand or after 15 idle minutes), shares the sign-in with the browser's other console tabs and shows
// the view the hash names. Routes hold ids and codes only, never a search term or a person's details:
//   #/queue?view=mine&language=es   #/inquiries?status=new   #/inquiries/<inquiry_id>   #/search
//   #/audit?inquiry_id=<inquiry_id>&actor=<sub>&action=<code>&from=<date>&to=<date>   #/reports?from=&to=
//   #/people (the email or phone searched stays in the page's memory)
// A clinic manager (reports only) is shown the reports whatever the address names: no queue, no inquiry.

import { ApiError, SignInRequired, loadConfig } from "./api.js";
import { showAudit } from "./audit.js";
import { configureCognito } from "./cognito.js";
import { showDetail } from "./detail.js";
import { claimDrafts, forgetDrafts, hasDrafts } from "./drafts.js";
import { setClinicTimeZone } from "./format.js";
import { watchForIdle } from "./idle.js";
import { installKeys } from "./keys.js";
import { showList } from "./list.js";
import { showPeople } from "./people.js";
import { showQueue } from "./queue.js";
import { h } from "./render.js";
import { showReports } from "./reports.js";
import { showSearch } from "./search.js";
import { adoptSession, currentSession, signOutSession, startSession, storedSession } from "./session.js";
import { announceActivity, announceSignOut, askOtherTabs, shareSession } from "./sharing.js";
import { showSignIn } from "./signin.js";
import { forgetTeam } from "./team.js";
import { isStatus } from "./terms.js";

const APP_NAME = "Care console";
const main = document.getElementById("main");
const idleMinutes = Number(document.body.dataset.idleMinutes) || 15;
let generation = 0;
let stopWatchingIdle = null;
let leaving = [];

async function start() {
  document.getElementById("sign-out").addEventListener("click", () => signOut(
    "You have signed out. Close this tab if you are on a shared computer.", { onPurpose: true }));
  document.addEventListener("click", followInPageLink);
  installKeys();
  let config;
  try {
    config = await loadConfig();
  } catch {
    setTitle("Console unavailable");
    main.replaceChildren(h("h1", {}, "The console is unavailable"),
      h("p", {}, "The console could not load its settings. Try again in a minute; if it keeps happening, tell the operations team."));
    return;
  }
  configureCognito(config);
  setClinicTimeZone(config.timeZone || "UTC");
  shareSession({
    current: storedSession,
    onSignedOut: () => {
      if (currentSession()) signOut("You signed out in another tab of the console.", { elsewhere: true });
    },
    onActive: () => stopWatchingIdle?.touch(),
  });
  if (!currentSession()) {
    // A new tab (Ctrl+click, a new window): the signed-in tabs of this browser hand their session over.
    const handed = await askOtherTabs();
    if (handed && !currentSession()) adoptSession(handed);
  }
  window.addEventListener("hashchange", () => show());
  show();
}

/** Show the view the hash names (or the sign-in form when nobody is signed in). */
async function show({ message } = {}) {
  const view = newView();
  const session = currentSession();
  if (!session) {
    showHeader(null);
    showSignIn(view, { message, onSignedIn: (tokens) => { startSession(tokens); show(); } });
    return;
  }
  claimDrafts(session.sub);
  showHeader(session);
  if (!stopWatchingIdle) {
    stopWatchingIdle = watchForIdle({
      minutes: idleMinutes,
      onWarn: showIdleWarning,
      onActive: clearIdleWarning,
      onIdle: () => signOut(`We signed you out because the console was not used for ${idleMinutes} minutes. `
        + "Sign in again to carry on."
        + (hasDrafts() ? " The note you had not saved is kept in this tab: sign in again to finish it." : "")),
      onUse: announceActivity,
    });
  }
  const { path, params } = readHash();
  const detail = path.match(/^\/inquiries\/([^/]+)$/);
  try {
    if (!session.worksInquiries) {
      // Reports only (clinic-manager), or no console group at all: nothing that reads an inquiry is asked for.
      if (path !== "/reports") return goTo("#/reports");
      await showReports(view, { from: params.get("from") || undefined, to: params.get("to") || undefined });
      return;
    }
    if (path === "/reports") {
      await showReports(view, { from: params.get("from") || undefined, to: params.get("to") || undefined });
    } else if (path === "/people") {
      await showPeople(view);
    } else if (path === "/queue") {
      const which = params.get("view") || "all";
      const language = params.get("language") || "";
      if (!["all", "mine", "unassigned"].includes(which) || !["", "en", "es"].includes(language)) return goTo("#/queue");
      await showQueue(view, { which, language });
    } else if (path === "/inquiries") {
      const status = params.get("status") || "new";
      if (!isStatus(status)) return goTo("#/inquiries");
      await showList(view, { status });
    } else if (detail) {
      await showDetail(view, { inquiryId: decodeURIComponent(detail[1]) });
    } else if (path === "/search") {
      await showSearch(view);
    } else if (path === "/audit") {
      await showAudit(view, { inquiryId: params.get("inquiry_id") || undefined,
                              reference: params.get("reference") || undefined,
                              actor: params.get("actor") || undefined, action: params.get("action") || undefined,
                              from: params.get("from") || undefined, to: params.get("to") || undefined });
    } else {
      goTo("#/queue");
    }
  } catch (error) {
    view.fail(error);
  }
}

function newView() {
  for (const leave of leaving) leave();
  leaving = [];
  const mine = ++generation;
  const view = {
    main,
    session: currentSession(),
    isCurrent: () => mine === generation,
    title: setTitle,
    onLeave: (leave) => { if (mine === generation) leaving.push(leave); else leave(); },
    fail: (error) => {
      if (!view.isCurrent()) return;
      if (error instanceof SignInRequired) {
        stopIdleWatch();
        show({ message: error.message });
      } else {
        showProblem(error);
      }
    },
  };
  return view;
}

function showProblem(error) {
  setTitle("Something went wrong");
  const denied = error instanceof ApiError && error.status === 403;
  const heading = h("h1", { tabindex: "-1" }, denied ? "You don't have access to this" : "Something went wrong");
  const text = error instanceof ApiError ? error.message : "Something went wrong on this page. Try again.";
  // A failure on our side (or the network) is often brief: the view can be asked for again in place.
  const retry = denied ? null : h("button", { type: "button", class: "button" }, "Try again");
  retry?.addEventListener("click", () => show());
  const home = currentSession()?.worksInquiries === false
    ? h("a", { href: "#/reports" }, "Go to the reports") : h("a", { href: "#/queue" }, "Go to the queue");
  main.replaceChildren(heading, h("p", {}, text), retry, h("p", {}, home));
  heading.focus();
}

async function signOut(message, { onPurpose = false, elsewhere = false } = {}) {
  stopIdleWatch();
  // Clear the page at once: no inquiry stays on screen while Cognito revokes the session.
  newView();
  main.replaceChildren();
  showHeader(null);
  forgetTeam();
  if (onPurpose) forgetDrafts();
  if (!elsewhere) announceSignOut();
  await signOutSession();
  await show({ message });
}

function stopIdleWatch() {
  stopWatchingIdle?.();
  stopWatchingIdle = null;
  clearIdleWarning();
}

function showIdleWarning(minutesLeft) {
  // Any use of the page keeps the session; the button is the obvious way to say "I'm still here".
  const plural = minutesLeft === 1 ? "minute" : "minutes";
  document.getElementById("idle-warning").replaceChildren(h("div", { class: "idle-warning__inner" },
    h("p", {}, `You will be signed out in ${minutesLeft} ${plural} because the console has not been used. `
      + "Unsaved changes will be lost."),
    h("button", { type: "button", class: "button button--secondary button--small" }, "Stay signed in")));
}

function clearIdleWarning() {
  document.getElementById("idle-warning").replaceChildren();
}

function showHeader(session) {
  document.getElementById("account").hidden = !session;
  document.getElementById("console-nav").hidden = !session;
  const offered = { inquiries: Boolean(session?.worksInquiries), reports: Boolean(session?.seesReports),
                    admin: Boolean(session?.isAdmin) };
  for (const item of document.querySelectorAll("#console-nav [data-for]")) item.hidden = !offered[item.dataset.for];
  document.getElementById("account-email").textContent = session?.email ?? "";
  const { path } = readHash();
  for (const link of document.querySelectorAll("#console-nav a")) {
    const target = link.getAttribute("href").slice(1);
    const here = path.startsWith(target) || (target === "/queue" && path.startsWith("/inquiries"));
    link.toggleAttribute("aria-current", Boolean(session) && here);
    if (link.hasAttribute("aria-current")) link.setAttribute("aria-current", "page");
  }
}

function readHash() {
  const raw = location.hash.startsWith("#/") ? location.hash.slice(1) : "/queue";
  const [path, query = ""] = raw.split("?");
  return { path, params: new URLSearchParams(query) };
}

function goTo(hash) {
  location.replace(hash);
}

function setTitle(text) {
  // Titles name the view only, never anything about a person.
  document.title = `${text} · ${APP_NAME}`;
}

function followInPageLink(event) {
  // "Skip to main content" and other #id links move focus; they must not change the route.
  const link = event.target.closest?.("a[href^='#']");
  const href = link?.getAttribute("href") ?? "";
  if (!link || href.startsWith("#/") || href === "#") return;
  const target = document.getElementById(href.slice(1));
  if (!target) return;
  event.preventDefault();
  if (!target.hasAttribute("tabindex") && !target.matches("input, select, textarea, button, a[href]")) {
    target.setAttribute("tabindex", "-1");
  }
  target.focus();
}

start();
