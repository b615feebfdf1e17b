// The working queue (the console's first view): every open inquiry in attention order as GET /care/queue
// gives it (urgent, then overdue, then priority, then by respond-by time), as cards that put the attention
// first. It keeps itself current: a conditional GET (If-None-Match) every 15 seconds while the tab is seen
// (every minute while hidden), so an unchanged queue costs a 304 with no body. Arrivals are announced
// ("1 new urgent inquiry") without moving the reader: cards are updated in place, focus stays where it was
// and the card being read stays where it was on screen.

import { ApiError, EditConflict, changeMany, readQueue, updateInquiry } from "./api.js";
import { countdown } from "./format.js";
import { bindKeys } from "./keys.js";
import { banner, dueMark, fill, h, levelMark, tag, when } from "./render.js";
import { rememberCounts, statusNavigation } from "./statusnav.js";
import { assigneeLabel, loadTeam } from "./team.js";
import {
  CLOSE_REASONS, LANGUAGE_CODES, awaitsContact, closeReasonLabel, contactLabel, humanise, isOverdue, languageLabel,
  levelLabel, levelOf, statusLabel, topicLabel,
} from "./terms.js";

const VISIBLE_EVERY_MS = 15_000;
const HIDDEN_EVERY_MS = 60_000;
const COUNTDOWN_EVERY_MS = 30_000;
const VIEWS = { all: "All open inquiries", mine: "Assigned to me", unassigned: "Not assigned yet" };
const NOTIFY_KEY = "care-console.desktop-alerts";

/** Show the queue: `view` is all, mine or unassigned; `language` an optional language code. */
export async function showQueue(view, { which = "all", language = "" } = {}) {
  const me = view.session.sub;
  const heading = h("h1", { tabindex: "-1" }, "Queue");
  const news = h("div", { class: "queue-news", role: "status", id: "queue-news" });
  const list = h("ol", { class: "queue", "aria-labelledby": "queue-caption" });
  const caption = h("h2", { class: "visually-hidden", id: "queue-caption" }, VIEWS[which]);
  const results = h("div", { class: "results", "aria-busy": "true" }, h("p", {}, "Loading…"));
  const selected = new Map();  // inquiry_id -> version
  const bulk = bulkBar(view, selected, () => refresh({ fresh: true }));
  const state = { etag: null, known: null, items: [], counts: null, unseenUrgent: 0, unseenAll: 0, lastPoll: 0,
                  timer: null };

  view.title("Queue");
  fill(view.main, heading,
    h("p", { class: "lede" }, "Open inquiries, most pressing first: urgent, then overdue, then priority, then by "
      + "respond-by time."),
    statusNavigation("queue"),
    h("div", { class: "queue-tools" }, viewSwitch(which, language), languageFilter(which, language), alertsControl()),
    news, bulk.element, results);
  heading.focus();

  await loadTeam();
  await refresh({ first: true });
  if (!view.isCurrent()) return;
  schedule();
  const onVisible = () => {
    if (!view.isCurrent()) return;
    if (document.visibilityState === "visible") {
      state.unseenUrgent = 0;
      state.unseenAll = 0;
      setTitle();
      if (Date.now() - state.lastPoll >= VISIBLE_EVERY_MS) refresh();
    }
    schedule();
  };
  const acknowledge = () => {
    if (!state.unseenAll) return;
    state.unseenUrgent = 0;
    state.unseenAll = 0;
    setTitle();
  };
  document.addEventListener("visibilitychange", onVisible);
  document.addEventListener("pointerdown", acknowledge, true);
  document.addEventListener("keydown", acknowledge, true);
  const ticker = setInterval(() => {
    if (!view.isCurrent()) return;
    for (const mark of list.querySelectorAll("[data-due]")) {
      mark.textContent = countdown(mark.dataset.due) ?? "";
    }
  }, COUNTDOWN_EVERY_MS);
  view.onLeave(() => {
    clearTimeout(state.timer);
    clearInterval(ticker);
    document.removeEventListener("visibilitychange", onVisible);
    document.removeEventListener("pointerdown", acknowledge, true);
    document.removeEventListener("keydown", acknowledge, true);
  });
  bindKeys(view, {
    j: () => move(list, 1),
    k: () => move(list, -1),
    o: () => openFocused(list),
    a: () => assignFocusedToMe(view, list, state, me, news, () => refresh({ fresh: true })),
  });

  function schedule() {
    clearTimeout(state.timer);
    if (!view.isCurrent()) return;
    const every = document.visibilityState === "visible" ? VISIBLE_EVERY_MS : HIDDEN_EVERY_MS;
    state.timer = setTimeout(async () => {
      await refresh();
      schedule();
    }, every);
  }

  async function refresh({ first = false, fresh = false } = {}) {
    let answer;
    try {
      answer = await readQueue({ assignee: which === "mine" ? "me" : which === "unassigned" ? "none" : undefined,
                                 etag: fresh ? null : state.etag });
    } catch (error) {
      if (first) throw error;
      if (!view.isCurrent()) return;
      if (error instanceof ApiError && error.status !== 401) {
        // A failed poll keeps the queue on screen and says so; the next poll tries again.
        fill(news, h("p", {}, "We couldn't refresh the queue just now. It will try again by itself."));
        return;
      }
      view.fail(error);
      return;
    }
    state.lastPoll = Date.now();
    if (!view.isCurrent() || answer.unchanged) return;
    state.etag = answer.etag;
    const queue = answer.queue ?? { items: [], counts: {} };
    const counts = JSON.stringify(queue.counts ?? {});
    if (counts !== state.counts) {
      // Only when a count changed: replacing the tabs would take focus from one of them.
      state.counts = counts;
      rememberCounts(queue.counts);
      view.main.querySelector(".status-nav")?.replaceWith(statusNavigation("queue"));
    }
    const items = (queue.items ?? []).filter((item) => !language || (item.language ?? "en") === language);
    const arrived = state.known ? items.filter((item) => !state.known.has(item.inquiry_id)) : [];
    state.known = new Set([...(state.known ?? []), ...items.map((item) => item.inquiry_id)]);
    state.items = items;
    for (const [id] of selected) if (!items.some((item) => item.inquiry_id === id)) selected.delete(id);
    for (const item of items) if (selected.has(item.inquiry_id)) selected.set(item.inquiry_id, item.version);
    bulk.update();
    results.removeAttribute("aria-busy");
    if (!items.length) {
      fill(results, caption, h("p", { class: "empty" }, which === "all" && !language
        ? "Nothing is waiting: every inquiry has been seen to."
        : "No open inquiries in this view."));
      list.replaceChildren();
    } else {
      if (!list.isConnected) fill(results, caption, list);
      render(list, items, { me, selected, onSelect: bulk.update });
    }
    if (arrived.length) announce(arrived);
  }

  function announce(arrived) {
    const urgent = arrived.filter((item) => levelOf(item) === "urgent").length;
    const others = arrived.length - urgent;
    const parts = [];
    if (urgent) parts.push(`${urgent} new urgent ${urgent === 1 ? "inquiry" : "inquiries"}`);
    if (others) parts.push(`${others} ${urgent ? "other " : ""}new ${others === 1 ? "inquiry" : "inquiries"}`);
    const text = parts.join(" and ");
    const top = h("button", { type: "button", class: "button button--secondary button--small" }, "Go to the top of the queue");
    top.addEventListener("click", () => list.querySelector(".card a")?.focus());
    fill(news, h("p", { class: "queue-news__text" }, h("strong", {}, text), " — the queue is in attention order."), top);
    state.unseenUrgent += urgent;
    state.unseenAll += arrived.length;
    setTitle();
    if (urgent) notifyDesktop(urgent);
  }

  function setTitle() {
    const prefix = state.unseenUrgent ? `(${state.unseenUrgent} urgent) ` : state.unseenAll ? `(${state.unseenAll} new) ` : "";
    view.title(`${prefix}Queue`);
  }
}

/** Put `items` into `list` in order, reusing each inquiry's card: focus and the reader's place are kept. */
function render(list, items, { me, selected, onSelect }) {
  const focused = document.activeElement;
  const focusKey = list.contains(focused) ? focused.dataset.key : null;
  const anchor = readingAnchor(list);
  const existing = new Map([...list.children].map((card) => [card.dataset.inquiryId, card]));
  const cards = items.map((item) => {
    const card = existing.get(item.inquiry_id) ?? h("li", { class: "card", "data-inquiry-id": item.inquiry_id });
    if (card.dataset.version !== String(item.version) || card.dataset.assignee !== String(item.assignee ?? "")
        || card.dataset.overdue !== String(isOverdue(item)) || !card.childElementCount) {
      fillCard(card, item, { me, selected, onSelect });
    }
    return card;
  });
  // Move only what is out of place (moving a node blurs it), then restore focus and the reader's place.
  cards.forEach((card, index) => {
    if (list.children[index] !== card) list.insertBefore(card, list.children[index] ?? null);
  });
  while (list.children.length > cards.length) list.lastElementChild.remove();
  if (focusKey && document.activeElement !== focused) {
    list.querySelector(`[data-key="${CSS.escape(focusKey)}"]`)?.focus({ preventScroll: true });
  }
  if (anchor) {
    const moved = anchor.card.getBoundingClientRect().top - anchor.top;
    if (anchor.card.isConnected && moved) window.scrollBy(0, moved);
  }
}

/** The card the reader is looking at (the focused one, else the first in view), when they have scrolled. */
function readingAnchor(list) {
  const cards = [...list.children];
  if (!cards.length || list.getBoundingClientRect().top >= 0) return null;
  const card = cards.find((c) => c.contains(document.activeElement))
    ?? cards.find((c) => c.getBoundingClientRect().bottom > 0);
  return card ? { card, top: card.getBoundingClientRect().top } : null;
}

function fillCard(card, item, { me, selected, onSelect }) {
  const level = levelOf(item);
  const running = awaitsContact(item.status);
  const left = running ? countdown(item.due_at) : null;
  const id = item.inquiry_id;
  card.dataset.version = String(item.version);
  card.dataset.assignee = String(item.assignee ?? "");
  card.dataset.overdue = String(isOverdue(item));
  card.className = `card card--${level}${isOverdue(item) ? " card--overdue" : ""}`;
  const checkbox = h("input", { type: "checkbox", class: "checkbox__input", id: `select-${id}`, "data-key": `select-${id}`,
                                checked: selected.has(id) });
  checkbox.addEventListener("change", () => {
    if (checkbox.checked) selected.set(id, Number(card.dataset.version));
    else selected.delete(id);
    onSelect();
  });
  const attention = [
    level !== "none" ? levelMark(level, levelLabel(level)) : null,
    isOverdue(item) ? tag("Overdue", "overdue") : null,
    (item.triage_categories ?? []).map((category) => tag(humanise(category), "category")),
    item.lifted_by ? tag(`Same person as urgent ${item.lifted_by}`, "lifted") : null,
    left ? h("span", { class: `countdown${isOverdue(item) ? " countdown--overdue" : ""}`, "data-due": item.due_at }, left) : null,
  ];
  fill(card,
    h("div", { class: "card__attention" }, attention),
    h("h3", { class: "card__title" },
      h("a", { href: `#/inquiries/${encodeURIComponent(id)}`, "data-key": `open-${id}` }, item.reference),
      " ", h("span", { class: "card__name" }, item.name)),
    item.preview ? h("p", { class: "card__preview" }, item.preview) : null,
    h("dl", { class: "card__facts" },
      fact("Status", tag(statusLabel(item.status), `status-${item.status}`)),
      fact("Respond by", running ? dueMark(item.due_at, { running: false }) : "Reached"),
      fact("Topic", topicLabel(item.topic)),
      fact("Language", languageLabel(item.language ?? "en")),
      fact("Contact by", contactLabel(item.preferred_contact)),
      fact("Assigned to", assigneeLabel(item.assignee, { me })),
      fact("Attempts", attemptsText(item)),
      fact("Received", when(item.created_at))),
    h("div", { class: "checkbox card__select" }, checkbox,
      h("label", { class: "checkbox__label", for: `select-${id}` }, "Select ", item.reference)));
}

function attemptsText(item) {
  const n = Number(item.attempts ?? 0);
  const count = n ? `${n} ${n === 1 ? "attempt" : "attempts"}` : "None yet";
  return item.next_attempt_at ? [count, "; next ", when(item.next_attempt_at)] : count;
}

function fact(name, value) {
  return h("div", { class: "card__fact" }, h("dt", {}, name), h("dd", {}, value));
}

function viewSwitch(which, language) {
  const suffix = language ? `&language=${language}` : "";
  return h("nav", { class: "view-switch", "aria-label": "Whose inquiries" },
    h("ul", {}, [["mine", "Mine"], ["unassigned", "Unassigned"], ["all", "All"]].map(([key, text]) => h("li", {},
      h("a", { href: `#/queue?view=${key}${suffix}`, "aria-current": key === which ? "page" : null }, text)))));
}

function languageFilter(which, language) {
  const select = h("select", { class: "select select--auto", id: "queue-language", name: "language" },
    h("option", { value: "" }, "Every language"),
    LANGUAGE_CODES.map((code) => h("option", { value: code, selected: code === language }, languageLabel(code))));
  select.addEventListener("change", () => {
    const params = new URLSearchParams({ view: which });
    if (select.value) params.set("language", select.value);
    location.hash = `#/queue?${params}`;
  });
  return h("div", { class: "field field--inline" },
    h("label", { class: "label", for: "queue-language" }, "Language the person reads"), select);
}

/** The opt-in for desktop alerts: they say how many urgent inquiries arrived, nothing about anyone. */
function alertsControl() {
  if (!("Notification" in window)) return null;
  const slot = h("div", { class: "alerts" });
  const show = () => {
    const on = Notification.permission === "granted" && sessionStorage.getItem(NOTIFY_KEY) === "on";
    if (on) {
      const off = h("button", { type: "button", class: "button button--secondary button--small" }, "Turn off desktop alerts");
      off.addEventListener("click", () => { sessionStorage.removeItem(NOTIFY_KEY); show(); off.blur(); });
      fill(slot, h("p", { class: "alerts__text" }, "Desktop alerts for urgent inquiries are on (they name no one)."), off);
    } else if (Notification.permission === "denied") {
      fill(slot, h("p", { class: "alerts__text" }, "Desktop alerts are blocked in this browser's site settings."));
    } else {
      const ask = h("button", { type: "button", class: "button button--secondary button--small" },
        "Alert me on this computer when an urgent inquiry arrives");
      ask.addEventListener("click", async () => {
        const answer = await Notification.requestPermission();
        if (answer === "granted") sessionStorage.setItem(NOTIFY_KEY, "on");
        show();
        slot.querySelector("button")?.focus();
      });
      fill(slot, ask);
    }
  };
  show();
  return slot;
}

function notifyDesktop(urgent) {
  if (!("Notification" in window) || Notification.permission !== "granted") return;
  if (sessionStorage.getItem(NOTIFY_KEY) !== "on" || document.visibilityState === "visible") return;
  // Counts only: no name, no message, no reference (the alert can show on a locked screen).
  const alert = new Notification("Care console", {
    body: `${urgent} new urgent ${urgent === 1 ? "inquiry" : "inquiries"} in the queue`, tag: "care-queue-urgent",
  });
  alert.addEventListener("click", () => { window.focus(); alert.close(); });
}

function bulkBar(view, selected, refresh) {
  const count = h("p", { class: "bulk__count", id: "bulk-count" });
  const outcome = h("div", { class: "bulk__outcome" });
  const reason = h("select", { class: "select select--auto", id: "bulk-close-reason", name: "close_reason" },
    h("option", { value: "" }, "Choose a reason"),
    CLOSE_REASONS.map((code) => h("option", { value: code }, closeReasonLabel(code))));
  const button = (text, change) => {
    const b = h("button", { type: "button", class: "button button--secondary button--small" }, text);
    b.addEventListener("click", () => apply(change(), text));
    return b;
  };
  const closeField = h("div", { class: "field field--inline" },
    h("label", { class: "label", for: "bulk-close-reason" }, "Close reason"), reason);
  const element = h("section", { class: "bulk", "aria-labelledby": "bulk-title", hidden: true },
    h("h2", { class: "bulk__title", id: "bulk-title" }, "Change the selected inquiries"),
    count,
    h("div", { class: "bulk__actions" },
      button("Assign to me", () => ({ assignee: view.session.sub })),
      button("Mark as spam", () => ({ status: "spam" })),
      closeField,
      button("Close them", () => (reason.value ? { status: "closed", close_reason: reason.value } : null))),
    outcome);

  async function apply(change, action) {
    if (!change) {
      fill(outcome, h("p", { class: "field-error", role: "alert" }, "Choose why they are closed, then close them."));
      reason.focus();
      return;
    }
    const items = [...selected].map(([inquiry_id, version]) => ({ inquiry_id, version }));
    let answer;
    try {
      answer = await changeMany(items, change);
    } catch (error) {
      if (error instanceof ApiError && error.status !== 401) {
        fill(outcome, banner(error.message, { kind: "warning", title: "Nothing was changed" }));
        outcome.firstChild.focus();
        return;
      }
      view.fail(error);
      return;
    }
    if (!view.isCurrent()) return;
    const results = answer?.results ?? [];
    const done = results.filter((r) => r.status === 200).length;
    const stale = results.filter((r) => r.status === 412).length;
    const refused = results.length - done - stale;
    const words = [`${action}: ${done} of ${results.length} changed.`];
    if (stale) words.push(`${stale} had been changed by someone else meanwhile; check them and try again.`);
    if (refused) words.push(`${refused} could not be changed that way (see each inquiry's status).`);
    selected.clear();
    await refresh();
    fill(outcome, banner(words.join(" "), { kind: done === results.length ? "success" : "warning" }));
    update();
    outcome.firstChild.focus();
  }

  function update() {
    element.hidden = selected.size === 0 && !outcome.childElementCount;
    count.textContent = `${selected.size} selected`;
    for (const b of element.querySelectorAll(".bulk__actions button")) b.disabled = selected.size === 0;
    reason.disabled = selected.size === 0;
  }
  update();
  return { element, update };
}

function cardLinks(list) {
  return [...list.querySelectorAll(".card__title a")];
}

function move(list, step) {
  const links = cardLinks(list);
  if (!links.length) return;
  const at = links.findIndex((link) => link.closest(".card").contains(document.activeElement));
  const next = at < 0 ? (step > 0 ? 0 : links.length - 1) : Math.min(links.length - 1, Math.max(0, at + step));
  links[next].focus();
  links[next].closest(".card").scrollIntoView({ block: "nearest" });
}

function focusedCard(list) {
  return [...list.children].find((card) => card.contains(document.activeElement)) ?? null;
}

function openFocused(list) {
  (focusedCard(list) ?? list.firstElementChild)?.querySelector(".card__title a")?.click();
}

async function assignFocusedToMe(view, list, state, me, news, refresh) {
  const card = focusedCard(list);
  if (!card) {
    fill(news, h("p", {}, "Move to an inquiry first (j and k), then press a to assign it to yourself."));
    return;
  }
  const item = state.items.find((i) => i.inquiry_id === card.dataset.inquiryId);
  if (!item) return;
  try {
    await updateInquiry(item.inquiry_id, item.version, { assignee: me });
    fill(news, h("p", {}, `${item.reference} is assigned to you.`));
  } catch (error) {
    if (error instanceof EditConflict) fill(news, h("p", {}, `${item.reference} changed meanwhile; the queue is reloaded.`));
    else if (error instanceof ApiError && error.status !== 401) fill(news, h("p", {}, error.message));
    else return view.fail(error);
  }
  await refresh();
}
