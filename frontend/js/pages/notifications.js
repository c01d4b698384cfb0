// My notifications: replies to my posts and comments and reactions to my posts, newest first.
// Opening one marks it read; so does "mark all as read". The bell follows at once.

import { ApiError, api } from "../api.js";
import { setUnread } from "../bell.js";
import { banner, button, pageHeading } from "../components.js";
import { h, replace } from "../dom.js";
import { hasKey, t } from "../i18n.js";
import { noticesSection } from "../notices.js";
import { authorName, postHref, timeEl } from "../posts.js";
import { navigate } from "../router.js";

const PAGE_SIZE = 30;

function sentence(n) {
  const params = { actor: authorName(n.actor), title: n.post_title };
  if (n.kind === "reaction") {
    const key = `notifications.reaction.${n.reaction}`;
    return hasKey(key) ? t(key, params) : t("notifications.reaction", params);
  }
  if (n.kind === "comment") return t("notifications.comment", params);
  if (n.kind === "reply") return t("notifications.reply", params);
  return t("notifications.other", params);
}

async function markRead(body) {
  const { unread } = await api("POST", "/api/notifications/read", body);
  setUnread(unread);
  return unread;
}

function item(n, onOpened) {
  const query = n.comment_id ? { comment: n.comment_id } : {};
  const li = h("li", { class: ["notification", n.read ? "" : "unread"] });
  const open = async (event) => {
    // A new tab or window keeps the browser's own behaviour; it is marked read next time here.
    if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
    event.preventDefault();
    if (!n.read) {
      try {
        await markRead({ ids: [n.id] });
        n.read = true;
        onOpened();
      } catch {
        // Reading the post matters more than the mark; it stays unread and can be marked later.
      }
    }
    navigate(`/posts/${n.post_id}`, query);
  };
  replace(
    li,
    h(
      "a",
      { class: "notification-link", href: postHref(n.post_id, query), onclick: open },
      n.read ? null : [h("span", { class: "unread-mark" }, t("notifications.unread")), " "],
      h("span", { class: "notification-text" }, sentence(n)),
    ),
    h("p", { class: "notification-time" }, timeEl(n.created_at)),
  );
  return li;
}

export default {
  title: "notifications.title",
  async render() {
    const [first, notices] = await Promise.all([
      api("GET", `/api/notifications?limit=${PAGE_SIZE}`),
      noticesSection(),
    ]);
    const messages = banner();
    const list = h("ol", { class: "notification-list" });
    const empty = h("p", { class: "empty" }, t("notifications.empty"));
    const actions = h("div", { class: "actions" });
    let cursor = null;

    const unreadShown = () => list.querySelectorAll(".unread").length;
    const drawActions = () => {
      replace(
        actions,
        unreadShown() > 0
          ? button(t("notifications.mark_all"), {
              onclick: async () => {
                messages.clear();
                try {
                  await markRead({ all: true });
                  for (const li of list.querySelectorAll(".unread")) {
                    li.classList.remove("unread");
                    li.querySelector(".unread-mark")?.remove();
                  }
                  messages.success(t("notifications.all_read"));
                  drawActions();
                } catch (error) {
                  if (!(error instanceof ApiError)) throw error;
                  messages.error(error.detail);
                }
              },
            })
          : null,
      );
    };
    const more = h(
      "button",
      { type: "button", class: "button load-more", hidden: true },
      t("notifications.load_more"),
    );
    const showPage = (page) => {
      const items = page.items.map((n) => item(n, drawActions));
      list.append(...items);
      cursor = page.next_cursor;
      more.hidden = !cursor;
      empty.hidden = list.childElementCount > 0;
      drawActions();
      return items;
    };
    more.addEventListener("click", async () => {
      if (more.getAttribute("aria-disabled") === "true") return;
      messages.clear();
      more.setAttribute("aria-disabled", "true");
      try {
        const page = await api("GET", `/api/notifications?limit=${PAGE_SIZE}&before=${cursor}`);
        showPage(page)[0]?.querySelector("a").focus();
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        messages.error(error.detail);
      } finally {
        more.removeAttribute("aria-disabled");
      }
    });
    showPage(first);

    return h(
      "section",
      { class: "page page-notifications" },
      pageHeading(t("notifications.title")),
      h("p", { class: "lead" }, t("notifications.lead")),
      notices,
      messages.el,
      actions,
      list,
      empty,
      more,
    );
  },
};
