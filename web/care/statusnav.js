// The status tabs above every list: the queue first, then each status with how many inquiries are in it
// (the counts the queue last answered; a tab shows no number until then).

import { h } from "./render.js";
import { STATUSES, listTitle } from "./terms.js";

let counts = null;

/** Remember the queue's counts ({status: n}) for every tab. */
export function rememberCounts(latest) {
  if (latest && typeof latest === "object") counts = { ...latest };
}

/** The tabs; `current` is "queue" or a status. */
export function statusNavigation(current) {
  const label = (text, n) => (Number.isFinite(n)
    ? [text, " ", h("span", { class: "count" }, h("span", { class: "visually-hidden" }, "("), String(n),
      h("span", { class: "visually-hidden" }, ")"))]
    : text);
  return h("nav", { class: "status-nav", "aria-label": "Inquiry status" },
    h("ul", {},
      h("li", {}, h("a", { href: "#/queue", "aria-current": current === "queue" ? "page" : null }, "Queue")),
      STATUSES.map((status) => h("li", {},
        h("a", { href: `#/inquiries?status=${status}`, "aria-current": status === current ? "page" : null },
          label(listTitle(status), counts?.[status]))))));
}
