// Notices from the moderators (GET /api/moderation/notices): why my post was removed, the
// outcome of my reports, warnings. Always signed "Moderator", never by name.

import { ApiError, api } from "./api.js";
import { banner, button } from "./components.js";
import { h, replace } from "./dom.js";
import { hasKey, t } from "./i18n.js";
import { postHref, timeEl } from "./posts.js";

const PAGE_SIZE = 30;

function noticeItem(n) {
  // The most specific sentence there is: "your post was removed" before "something you wrote".
  const key = [`notices.kind.${n.kind}.${n.target_type}`, `notices.kind.${n.kind}`].find(hasKey);
  const link =
    n.target_type === "post" && n.target_id
      ? h("a", { href: postHref(n.target_id) }, t("notices.open_post"))
      : null;
  return h(
    "li",
    { class: ["notice", n.read ? "" : "unread"] },
    n.read ? null : [h("span", { class: "unread-mark" }, t("notifications.unread")), " "],
    h("span", { class: "notice-text" }, t(key || "notices.kind.other")),
    hasKey(`notices.outcome.${n.outcome}`)
      ? h("p", { class: "notice-outcome" }, t(`notices.outcome.${n.outcome}`))
      : null,
    n.reason ? h("p", { class: "notice-reason" }, t("notices.reason", { reason: n.reason })) : null,
    h("p", { class: "notice-signature" }, t("notices.signed", { actor: n.actor })),
    h("p", { class: "notification-time" }, timeEl(n.created_at), link ? [" · ", link] : null),
  );
}

/** My moderation notices with "mark all as read"; nothing when there are none. */
export async function noticesSection() {
  const first = await api("GET", `/api/moderation/notices?limit=${PAGE_SIZE}`);
  if (!first.items.length) return null;
  const messages = banner();
  const list = h("ol", { class: "notification-list notice-list" }, first.items.map(noticeItem));
  const actions = h("div", { class: "actions" });
  const heading = h("h2", { id: "notices-title", tabindex: "-1" }, t("notices.title"));
  if (first.unread > 0) {
    replace(
      actions,
      button(t("notices.mark_read"), {
        onclick: async () => {
          messages.clear();
          try {
            await api("POST", "/api/moderation/notices/read", { all: true });
            for (const li of list.querySelectorAll(".unread")) {
              li.classList.remove("unread");
              li.querySelector(".unread-mark")?.remove();
            }
            replace(actions);
            messages.success(t("notices.all_read"));
            heading.focus(); // the button is gone; stay in this section
          } catch (error) {
            if (!(error instanceof ApiError)) throw error;
            messages.error(error.detail);
          }
        },
      }),
    );
  }
  return h(
    "section",
    { class: "notices", "aria-labelledby": "notices-title" },
    heading,
    messages.el,
    actions,
    list,
  );
}
