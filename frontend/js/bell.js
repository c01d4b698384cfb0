// The bell in the header: how many of my notifications are unread. Asked for when the live
// socket brings a notification, on every page change, when the tab becomes visible again, and
// every 30 seconds while it is visible and I am logged in (the socket may be down); pages that
// mark notifications read pass on the server's new count at once.

import { api } from "./api.js";
import { h, replace } from "./dom.js";
import { onLanguageChange, t } from "./i18n.js";
import { parseHash } from "./router.js";
import { currentMember, onMemberChange } from "./session.js";
import { onFrame } from "./ws.js";

const POLL_MS = 30_000;
const PATH = "/notifications";

let link = null;
let unread = 0;
let timer = null;
let asking = null;

function draw() {
  if (!link) return;
  link.hidden = !currentMember();
  link.dataset.unread = String(unread);
  if (parseHash()?.path === PATH) link.setAttribute("aria-current", "page");
  else link.removeAttribute("aria-current");
  // The name says the count in words; the badge only shows it.
  let name = t("bell.label");
  if (unread === 1) name = t("bell.unread_one");
  else if (unread > 1) name = t("bell.unread_many", { count: unread });
  link.setAttribute("aria-label", name);
  replace(
    link,
    h("span", { class: "bell-icon", "aria-hidden": "true" }, "🔔"),
    h("span", { class: "bell-label" }, t("bell.label")),
    unread > 0
      ? h("span", { class: "bell-count", "aria-hidden": "true" }, unread > 99 ? "99+" : unread)
      : null,
  );
}

/** The server's count after marking read, or after a fresh look. */
export function setUnread(count) {
  if (!Number.isInteger(count) || count < 0) return;
  unread = count;
  draw();
}

/** Ask the server now (one question at a time); quietly keep the old count if it fails. */
export function refreshBell() {
  if (!currentMember() || document.visibilityState !== "visible") return Promise.resolve();
  if (!asking) {
    asking = api("GET", "/api/notifications/unread-count")
      .then((r) => {
        if (currentMember()) setUnread(r.unread);
      })
      .catch(() => {
        // Offline for a moment: the next page change or tick asks again.
      })
      .finally(() => {
        asking = null;
      });
  }
  return asking;
}

function follow(me) {
  clearInterval(timer);
  timer = null;
  if (me) {
    timer = setInterval(refreshBell, POLL_MS);
    refreshBell();
  } else {
    unread = 0;
  }
  draw();
}

/** Put the bell into the header, before `before`, and keep it up to date. */
export function startBell(container, before = null) {
  link = h("a", { class: "bell", href: `#${PATH}`, hidden: true });
  container.insertBefore(link, before);
  onMemberChange(follow);
  onLanguageChange(draw);
  window.addEventListener("hashchange", () => {
    draw();
    refreshBell();
  });
  document.addEventListener("visibilitychange", () => refreshBell());
  onFrame("notification", () => refreshBell());
  follow(currentMember());
}
