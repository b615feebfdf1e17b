// Building page content. Text goes in as text (never parsed as HTML): inquiry fields are whatever
// a member of the public typed.

import { countdown, formatInstant } from "./format.js";

/** An element with attributes (`class`, `for`, `aria-*`, `on<event>` handlers...) and children. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") {
      el.addEventListener(name.slice(2).toLowerCase(), value);
    } else {
      el.setAttribute(name, value === true ? "" : String(value));
    }
  }
  append(el, children);
  return el;
}

/** Replace an element's content; null, undefined and false children are left out. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** A status or flag as words in a box: the words carry the meaning, the colour only repeats it. */
export function tag(text, kind = "") {
  return h("strong", { class: kind ? `tag tag--${kind}` : "tag" }, text);
}

/** A triage level in words: a tag for urgent and priority (they need attention), plain text for none. */
export function levelMark(level, label) {
  return level === "urgent" || level === "priority" ? tag(label, level) : h("span", { class: "level-none" }, label);
}

/**
 * A date and time for people, in the clinic's time zone with the zone named ("Mon, Dec 7, 2026, 5:00 PM
 * PST"), in a <time> element that keeps the exact instant.
 */
export function when(iso) {
  if (!iso) return "—";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return String(iso);
  return h("time", { datetime: date.toISOString() }, formatInstant(date));
}

/** A due time: "due in 52 min" / "overdue 2 h", then the instant in the clinic's zone. */
export function dueMark(iso, { running = true, now = Date.now() } = {}) {
  if (!iso) return "—";
  const left = running ? countdown(iso, now) : null;
  return h("span", { class: "due" }, left ? h("span", { class: "due__countdown" }, left) : null, left ? " · " : null,
    when(iso));
}

/**
 * A textarea with the GOV.UK character count under it: "You have 1,980 characters remaining", announced
 * politely once typing pauses; past the limit it says by how much, and the field is marked.
 */
export function characterCount(textarea, limit) {
  const message = h("p", { class: "hint character-count", id: `${textarea.id}-count` });
  const live = h("p", { class: "visually-hidden", "aria-live": "polite", id: `${textarea.id}-count-live` });
  let timer = null;
  const text = () => {
    const left = limit - textarea.value.length;
    const n = Math.abs(left).toLocaleString("en-US");
    const unit = Math.abs(left) === 1 ? "character" : "characters";
    return left >= 0 ? `You have ${n} ${unit} remaining` : `You have ${n} ${unit} too many`;
  };
  const update = () => {
    const over = textarea.value.length > limit;
    message.textContent = text();
    message.classList.toggle("character-count--over", over);
    clearTimeout(timer);
    timer = setTimeout(() => { live.textContent = text(); }, 800);
  };
  textarea.addEventListener("input", update);
  const described = new Set((textarea.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean));
  described.add(message.id);
  textarea.setAttribute("aria-describedby", [...described].join(" "));
  message.textContent = text();
  message.classList.toggle("character-count--over", textarea.value.length > limit);
  return [message, live];
}

/**
 * The GOV.UK error summary: "There is a problem", then each message linking to its field.
 * `problems` is a list of {message, fieldId?}. Focus moves to it so screen readers announce it.
 */
export function errorSummary(problems, title = "There is a problem") {
  const items = problems.map(({ message, fieldId }) =>
    h("li", {}, fieldId ? h("a", { href: `#${fieldId}`, onclick: focusField(fieldId) }, message) : message));
  const box = h("div", { class: "error-summary", role: "alert", tabindex: "-1", "aria-labelledby": "error-summary-title" },
    h("h2", { class: "error-summary__title", id: "error-summary-title" }, title),
    h("ul", { class: "error-summary__list" }, items));
  return box;
}

function focusField(fieldId) {
  // Following "#field" would change the hash the router reads; move focus instead.
  return (event) => {
    event.preventDefault();
    document.getElementById(fieldId)?.focus();
  };
}

/** A message that is not an error: "Inquiry updated", "Someone else changed this". */
export function banner(text, { kind = "info", title } = {}) {
  return h("div", { class: `banner banner--${kind}`, role: kind === "success" ? "status" : "alert", tabindex: "-1" },
    title ? h("h2", { class: "banner__title" }, title) : null,
    h("p", { class: "banner__text" }, text));
}

/** Mark a field invalid and put its message beside it (or clear both when message is empty). */
export function showFieldError(input, message) {
  const errorId = `${input.id}-error`;
  let error = document.getElementById(errorId);
  const group = input.closest(".field");
  if (!message) {
    input.removeAttribute("aria-invalid");
    error?.remove();
    group?.classList.remove("field--error");
    return;
  }
  if (!error) {
    error = h("p", { class: "field-error", id: errorId });
    input.before(error);
  }
  error.replaceChildren(h("span", { class: "visually-hidden" }, "Error: "), message);
  input.setAttribute("aria-invalid", "true");
  const described = new Set((input.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean));
  described.add(errorId);
  input.setAttribute("aria-describedby", [...described].join(" "));
  group?.classList.add("field--error");
}

/**
 * Mark a group of radios invalid (GOV.UK: the message after the legend and hint, named by the fieldset's
 * aria-describedby), or clear it when message is empty.
 */
export function showGroupError(fieldset, message) {
  const errorId = `${fieldset.id}-error`;
  const described = new Set((fieldset.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean));
  const group = fieldset.closest(".field");
  let error = document.getElementById(errorId);
  if (!message) {
    error?.remove();
    described.delete(errorId);
    if (described.size) fieldset.setAttribute("aria-describedby", [...described].join(" "));
    else fieldset.removeAttribute("aria-describedby");
    group?.classList.remove("field--error");
    return;
  }
  if (!error) {
    error = h("p", { class: "field-error", id: errorId });
    fieldset.querySelector(".radios")?.before(error);
  }
  error.replaceChildren(h("span", { class: "visually-hidden" }, "Error: "), message);
  described.add(errorId);
  fieldset.setAttribute("aria-describedby", [...described].join(" "));
  group?.classList.add("field--error");
}

/** A labelled text input inside a .field group; hint optional. */
export function textField({ id, label, type = "text", value = "", hint, ...attrs }) {
  const hintId = hint ? `${id}-hint` : undefined;
  return h("div", { class: "field" },
    h("label", { class: "label", for: id }, label),
    hint ? h("p", { class: "hint", id: hintId }, hint) : null,
    h("input", { class: "input", id, name: id, type, value, "aria-describedby": hintId, ...attrs }));
}
