// The calm support panel shown to someone whose own words signal risk: crisis lines from the
// server's `support` object (open ones first, 112 always there), each with a tap-to-call link.

import { h } from "./dom.js";
import { hasKey, language, t } from "./i18n.js";

function clock(iso) {
  const locale = language() === "en" ? "en-GB" : "da-DK";
  return new Date(iso).toLocaleTimeString(locale, {
    hour: "2-digit",
    minute: "2-digit",
    timeZone: "Europe/Copenhagen",
  });
}

function openState(line) {
  if (line.always_open) return t("support.always_open");
  if (line.open_now) return t("support.open_now");
  if (line.opens_at) return t("support.opens_at", { time: clock(line.opens_at) });
  return t("support.closed_now");
}

function crisisLine(line) {
  const about = line.description?.[language()] || line.description?.da || "";
  return h(
    "li",
    { class: ["support-line", line.acute ? "support-line-acute" : ""] },
    h("h3", {}, line.name),
    about ? h("p", {}, about) : null,
    h("p", { class: "hint" }, openState(line)),
    h(
      "a",
      { class: ["button", "call", line.acute ? "" : "primary"], href: line.phone.tel },
      t("crisis.call"),
      " ",
      h("span", { class: "number" }, line.phone.display),
    ),
  );
}

/** The panel for a `support` object; `onClose` lets the writer put it away. */
export function supportPanel(support, { id, onClose } = {}) {
  const headingId = `${id || "support"}-title`;
  // The server names the message; our own words stand in if this page does not know it yet.
  const message = hasKey(support.message) ? t(support.message) : t("safety.support.message");
  return h(
    "section",
    { class: "support-panel", id, "aria-labelledby": headingId },
    h("h2", { id: headingId, tabindex: "-1" }, t("support.title")),
    h("p", {}, message),
    h("ul", { class: "support-lines" }, support.lines.map(crisisLine)),
    h("p", { class: "hint" }, t("support.only_you")),
    onClose
      ? h("button", { type: "button", class: "button", onclick: onClose }, t("support.close"))
      : null,
  );
}
