// The console's shell: reads config.json, keeps the header in step with who is signed in, signs out
// (by hand or after 15 idle minutes) and shows the view the hash names. Routes hold ids only:
//   #/inquiries?status=new   #/inquiries/<inquiry_id>   #/audit?inquiry_id=<inquiry_id>

import { ApiError, SignInRequired, loadConfig } from "./api.js";
import { showAudit } from "./audit.js";
import { configureCognito } from "./cognito.js";
import { showDetail } from "./detail.js";
import { watchForIdle } from "./idle.js";
import { showList } from "./list.js";
import { h } from "./render.js";
import { currentSession, signOutSession, startSession } from "./session.js";
import { showSignIn } from "./signin.js";
import { isStatus } from "./terms.js";

const APP_NAME = "Care console";
const main = document.getElementById("main");
const idleMinutes = Number(document.body.dataset.idleMinutes) || 15;
let generation = 0;
let stopWatchingIdle = null;

async function start() {
  document.getElementById("sign-out").addEventListener("click", () => signOut(
    "You have signed out. Close this tab if you are on a shared computer."));
  document.addEventListener("click", followInPageLink);
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
  showHeader(session);
  if (!stopWatchingIdle) {
    stopWatchingIdle = watchForIdle({
      minutes: idleMinutes,
      onWarn: showIdleWarning,
      onActive: clearIdleWarning,
      onIdle: () => signOut(`We signed you out because the console was not used for ${idleMinutes} minutes. `
        + "Sign in again to carry on."),
    });
  }
  const { path, params } = readHash();
  const detail = path.match(/^\/inquiries\/([^/]+)$/);
  try {
    if (path === "/inquiries") {
      const status = params.get("status") || "new";
      if (!isStatus(status)) return goTo("#/inquiries");
      await showList(view, { status });
    } else if (detail) {
      await showDetail(view, { inquiryId: decodeURIComponent(detail[1]) });
    } else if (path === "/audit") {
      await showAudit(view, { inquiryId: params.get("inquiry_id") || undefined });
    } else {
      goTo("#/inquiries");
    }
  } catch (error) {
    view.fail(error);
  }
}

function newView() {
  const mine = ++generation;
  const view = {
    main,
    session: currentSession(),
    isCurrent: () => mine === generation,
    title: setTitle,
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
  const heading = h("h1", { tabindex: "-1" }, error instanceof ApiError && error.status === 403
    ? "You don't have access to this" : "Something went wrong");
  const text = error instanceof ApiError ? error.message : "Something went wrong on this page. Reload it and try again.";
  main.replaceChildren(heading, h("p", {}, text), h("p", {}, h("a", { href: "#/inquiries" }, "Go to new inquiries")));
  heading.focus();
}

async function signOut(message) {
  stopIdleWatch();
  // Clear the page at once: no inquiry stays on screen while Cognito revokes the session.
  newView();
  main.replaceChildren();
  showHeader(null);
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
  document.getElementById("nav-audit").hidden = !session?.isAdmin;
  document.getElementById("account-email").textContent = session?.email ?? "";
  const { path } = readHash();
  for (const link of document.querySelectorAll("#console-nav a")) {
    const target = link.getAttribute("href").slice(1);
    link.toggleAttribute("aria-current", Boolean(session) && path.startsWith(target));
    if (link.hasAttribute("aria-current")) link.setAttribute("aria-current", "page");
  }
}

function readHash() {
  const raw = location.hash.startsWith("#/") ? location.hash.slice(1) : "/inquiries";
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
