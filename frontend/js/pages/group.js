// One group: what it is for, its rules, joining (at once, or by request) and leaving, the
// composer for members, and the group's feed, newest first, with "load more".

import { ApiError, api } from "../api.js";
import { banner, button, pageHeading } from "../components.js";
import { h, replace } from "../dom.js";
import { t } from "../i18n.js";
import { contentWarningTopics, feedList, localText, postForm, timeEl } from "../posts.js";
import { richText } from "../richtext.js";
import { supportPanel } from "../support.js";
import { categoryLine, groupBadges } from "./groups.js";

const FEED_PAGE = 20;

function memberCount(n) {
  return n === 1 ? t("groups.members_one") : t("groups.members_many", { count: n });
}

function membershipText(group) {
  const status = group.membership?.status;
  if (status === "active") {
    return group.membership.role === "moderator" ? t("group.you_moderate") : t("group.you_belong");
  }
  if (status === "pending") return t("group.request_pending");
  return group.kind === "request" ? t("group.join_by_request") : t("group.join_open");
}

/**
 * Where I stand and what I can do about it. `changed(group, message)` is told after a join or
 * leave so the rest of the page can follow.
 */
function membershipBox(initial, changed) {
  const messages = banner();
  const box = h("section", { class: "card membership", "aria-labelledby": "membership-title" });
  let group = initial;

  const act = async (action, successKey) => {
    messages.clear();
    try {
      group = await api("POST", `/api/groups/${encodeURIComponent(group.slug)}/${action}`);
      draw(t(successKey, { name: localText(group) }));
      changed(group);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      messages.error(error.detail);
    }
  };

  const confirmLeave = (actions) => {
    const questionId = "leave-question";
    const stay = button(t("group.leave_cancel"), {
      "aria-describedby": questionId,
      onclick: () => draw(null, "leave"),
    });
    replace(
      actions,
      h("p", { id: questionId, class: "confirm-question" }, t("group.leave_question")),
      h(
        "div",
        { class: "actions" },
        button(t("group.leave_confirm"), {
          class: "button danger",
          "aria-describedby": questionId,
          onclick: () => act("leave", "group.left"),
        }),
        stay,
      ),
    );
    stay.focus();
  };

  /** `notice` is said after a change (and focused); `focusAction` returns focus to a button. */
  function draw(notice = null, focusAction = null) {
    const status = group.membership?.status;
    const actions = h("div", { class: "actions" });
    if (!status) {
      const [label, success] =
        group.kind === "request"
          ? ["group.request_join", "group.requested"]
          : ["group.join", "group.joined"];
      actions.append(
        button(t(label), {
          class: "button primary",
          dataset: { action: "join" },
          onclick: () => act("join", success),
        }),
      );
    } else if (status === "pending") {
      actions.append(
        button(t("group.withdraw_request"), {
          dataset: { action: "leave" },
          onclick: () => act("leave", "group.request_withdrawn"),
        }),
      );
    } else {
      actions.append(
        button(t("group.leave"), {
          dataset: { action: "leave" },
          onclick: () => confirmLeave(actions),
        }),
      );
    }
    const said = h(
      "p",
      { class: "membership-status", tabindex: "-1" },
      notice || membershipText(group),
    );
    replace(
      box,
      h("h2", { id: "membership-title" }, t("group.membership_title")),
      said,
      messages.el,
      actions,
    );
    if (notice) said.focus();
    else if (focusAction) box.querySelector(`[data-action="${focusAction}"]`)?.focus();
  }

  draw();
  return box;
}

/** For the group's moderators: who asked to join, oldest first, to let in or turn down. */
async function joinRequests(group, decided) {
  const base = `/api/groups/${encodeURIComponent(group.slug)}/requests`;
  const messages = banner();
  const heading = h("h2", { id: "requests-title", tabindex: "-1" }, t("group.requests_title"));
  const list = h("ul", { class: "join-requests" });
  const empty = h("p", { class: "hint" }, t("group.requests_none"));
  const more = h(
    "button",
    { type: "button", class: "button load-more", hidden: true },
    t("group.requests_more"),
  );
  let cursor = null;

  const decide = async (item, handle, action) => {
    messages.clear();
    try {
      await api("POST", `${base}/${encodeURIComponent(handle)}/${action}`);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      messages.error(error.detail);
      return;
    }
    // Focus moves on to the next request, or to the heading when none are left.
    const next = item.nextElementSibling || item.previousElementSibling;
    item.remove();
    empty.hidden = list.childElementCount > 0;
    messages.success(
      t(action === "approve" ? "group.request_approved" : "group.request_declined", { handle }),
    );
    (next?.querySelector("button") || heading).focus();
    if (action === "approve") await decided();
  };

  const row = ({ handle, requested_at: at }) => {
    const item = h(
      "li",
      { class: "join-request" },
      h("p", {}, h("strong", {}, `@${handle}`), " ", h("span", { class: "hint" }, timeEl(at))),
    );
    item.append(
      h(
        "div",
        { class: "actions" },
        button(t("group.request_approve"), {
          class: "button primary small",
          "aria-label": t("group.request_approve_who", { handle }),
          onclick: () => decide(item, handle, "approve"),
        }),
        button(t("group.request_decline"), {
          class: "button small",
          "aria-label": t("group.request_decline_who", { handle }),
          onclick: () => decide(item, handle, "decline"),
        }),
      ),
    );
    return item;
  };

  const load = async () => {
    const page = await api("GET", `${base}?limit=50${cursor ? `&before=${cursor}` : ""}`);
    const rows = page.items.map(row);
    list.append(...rows);
    cursor = page.next_cursor;
    more.hidden = !cursor;
    empty.hidden = list.childElementCount > 0;
    return rows;
  };
  more.addEventListener("click", async () => {
    messages.clear();
    try {
      (await load())[0]?.querySelector("button").focus();
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      messages.error(error.detail);
    }
  });
  await load();
  return h(
    "section",
    { class: "card", "aria-labelledby": "requests-title" },
    heading,
    messages.el,
    list,
    empty,
    more,
  );
}

function composerSection(group, topics, feed) {
  const support = h("div", { class: "support-slot" });
  const postsPath = `/api/groups/${encodeURIComponent(group.slug)}/posts`;
  const composer = postForm({
    idBase: "composer",
    topics,
    withAnonymous: true,
    submitLabel: t("post.submit"),
    async submit(body) {
      const post = await api("POST", postsPath, body);
      composer.form.reset();
      composer.messages.success(t("post.published"));
      const item = feed.prepend(post);
      if (post.support) {
        const onClose = () => {
          replace(support);
          composer.focus();
        };
        replace(support, supportPanel(post.support, { id: "composer-support", onClose }));
        support.querySelector("h2").focus();
      } else {
        replace(support);
        item?.querySelector(".post-title a").focus();
      }
    },
  });
  return h(
    "section",
    { class: "card post-composer", "aria-labelledby": "composer-heading" },
    h("h2", { id: "composer-heading" }, t("post.compose_title")),
    composer.form,
    support,
  );
}

export default {
  title: "groups.title",
  async render({ params }) {
    const path = `/api/groups/${encodeURIComponent(params.slug)}`;
    const [group, topics] = await Promise.all([api("GET", path), contentWarningTopics()]);
    const name = localText(group);
    const count = h("span", { class: "member-count" }, memberCount(group.member_count));
    const badges = h("div", { class: "badges-slot" }, groupBadges(group));
    const body = h("div", { class: "group-body" });

    const drawBody = async (current) => {
      if (!current.can_read) {
        replace(
          body,
          h(
            "section",
            { class: "card", "aria-labelledby": "feed-title" },
            h("h2", { id: "feed-title" }, t("group.feed_title")),
            h("p", {}, t("group.members_only")),
          ),
        );
        return;
      }
      const feed = feedList({
        label: t("group.feed_title"),
        emptyText: t(current.can_post ? "group.feed_empty_member" : "group.feed_empty"),
        cardOptions: { canReact: current.can_post },
        fetchPage: (before) =>
          api("GET", `${path}/posts?limit=${FEED_PAGE}${before ? `&before=${before}` : ""}`),
      });
      await feed.loadFirst();
      replace(
        body,
        current.can_post ? composerSection(current, topics, feed) : null,
        h(
          "section",
          { class: "group-feed", "aria-labelledby": "feed-title" },
          h("h2", { id: "feed-title" }, t("group.feed_title")),
          feed.el,
        ),
      );
    };

    const refreshCount = async () => {
      try {
        replace(count, memberCount((await api("GET", path)).member_count));
      } catch {
        // Only the count is stale; it is right again on the next visit.
      }
    };

    const onChange = async (changed) => {
      replace(count, memberCount(changed.member_count));
      replace(badges, groupBadges(changed));
      try {
        await drawBody(changed);
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        const messages = banner();
        messages.error(error.detail);
        replace(body, messages.el);
      }
    };

    await drawBody(group);
    return h(
      "section",
      { class: "page page-group" },
      h("p", { class: "breadcrumb" }, h("a", { href: "#/groups" }, t("group.back_to_directory"))),
      pageHeading(name),
      h("div", { class: "group-facts" }, categoryLine(group, "span"), count, badges),
      richText(localText(group, "description"), { className: "lead group-description" }),
      h(
        "div",
        { class: "group-columns" },
        h(
          "div",
          { class: "group-side" },
          membershipBox(group, onChange),
          group.can_moderate && group.kind === "request"
            ? await joinRequests(group, refreshCount)
            : null,
          h(
            "section",
            { class: "card rules", "aria-labelledby": "rules-title" },
            h("h2", { id: "rules-title" }, t("group.rules_title")),
            localText(group, "rules")
              ? richText(localText(group, "rules"))
              : h("p", { class: "hint" }, t("group.no_rules")),
          ),
        ),
        body,
      ),
    );
  },
};
