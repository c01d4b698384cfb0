// One post: its body folded behind its content warning until the reader opens it, reactions,
// editing and deleting my own post, and the comments with one level of replies.

import { ApiError, api } from "../api.js";
import { banner, button, field, flash, handleSubmit, pageHeading } from "../components.js";
import { append, h, replace } from "../dom.js";
import { t } from "../i18n.js";
import {
  LIMITS,
  authorName,
  byline,
  contentWarningTopics,
  folded,
  groupHref,
  localText,
  postForm,
  reactionBar,
  removedNotice,
} from "../posts.js";
import { reportPanel } from "../report.js";
import { richText } from "../richtext.js";
import { navigate } from "../router.js";
import { supportPanel } from "../support.js";
import notFound from "./not-found.js";

const COMMENT_PAGE = 50;

/** Two buttons under a question; focus goes to the one that changes nothing. */
function confirmation({ idBase, question, confirmLabel, onConfirm, onCancel }) {
  const questionId = `${idBase}-question`;
  const cancel = button(t("post.cancel"), { "aria-describedby": questionId, onclick: onCancel });
  const el = h(
    "div",
    { class: "confirm" },
    h("p", { id: questionId, class: "confirm-question" }, question),
    h(
      "div",
      { class: "actions" },
      button(confirmLabel, {
        class: "button danger",
        "aria-describedby": questionId,
        onclick: onConfirm,
      }),
      cancel,
    ),
  );
  return { el, focus: () => cancel.focus() };
}

/** Write a comment or a reply, as myself or as "Anonymt medlem". */
function commentForm({ post, idBase, parentId = null, label, submitLabel, onSent, cancel }) {
  const messages = banner();
  // The writer of an anonymous post stays anonymous in its thread unless they choose otherwise.
  const anonymousDefault = Boolean(post.anonymous && post.is_mine);
  const fields = {
    body: field({
      id: `${idBase}-body`,
      label,
      kind: "textarea",
      rows: 4,
      maxlength: LIMITS.comment,
      required: true,
    }),
  };
  const anonymous = field({
    id: `${idBase}-anonymous`,
    kind: "checkbox",
    label: t("comment.anonymous_label"),
    hint: t("comment.anonymous_hint"),
    checked: anonymousDefault,
  });
  const form = h(
    "form",
    { class: "form comment-form" },
    messages.el,
    fields.body.wrapper,
    anonymous.wrapper,
    h(
      "div",
      { class: "actions" },
      h("button", { type: "submit", class: "button primary" }, submitLabel),
      cancel ? button(t("post.cancel"), { onclick: cancel }) : null,
    ),
  );
  handleSubmit(form, {
    fields,
    messages,
    validate() {
      return fields.body.control.value.trim() ? [] : [["body", t("form.required")]];
    },
    async submit() {
      const comment = await api("POST", `/api/posts/${post.id}/comments`, {
        body: fields.body.control.value,
        anonymous: anonymous.control.checked,
        ...(parentId ? { parent_id: parentId } : {}),
      });
      form.reset();
      anonymous.control.checked = anonymousDefault;
      onSent(comment, messages);
    },
  });
  return { form, focus: () => fields.body.control.focus() };
}

function commentsSection({ post, group, firstPage, target }) {
  const canComment = group.can_post && (!post.locked || group.can_moderate);
  const heading = h("h2", { id: "comments-title", tabindex: "-1" });
  let total = post.comment_count;
  const setTotal = (n) => {
    total = Math.max(0, n);
    replace(heading, t("comment.heading", { count: total }));
  };
  setTotal(total);
  const list = h("ol", { class: "comments" });
  const replyLists = new Map(); // top-level comment id -> its <ol> of replies
  const seen = new Set();
  const messages = banner();
  const support = h("div", { class: "support-slot" });
  let cursor = null;

  const showSupport = (comment) => {
    if (!comment.support) return false;
    const id = `comment-${comment.id}-support`;
    const onClose = () => {
      replace(support);
      heading.focus();
    };
    replace(support, supportPanel(comment.support, { id, onClose }));
    support.querySelector("h2").focus();
    return true;
  };

  /** Put a comment where it belongs; ones I just wrote stay after those loaded later. */
  const place = (comment, { local = false } = {}) => {
    if (seen.has(comment.id)) return null;
    seen.add(comment.id);
    const li = commentItem(comment);
    // A reply whose parent is unknown here still shows, at the end.
    const into = (comment.parent_id && replyLists.get(comment.parent_id)) || list;
    if (local) {
      li.dataset.local = "true";
      into.append(li);
    } else {
      into.insertBefore(li, into.querySelector(":scope > li[data-local]"));
    }
    return li;
  };

  function commentItem(comment) {
    const li = h("li", { class: ["comment", comment.parent_id ? "reply" : ""] });
    const article = h("article", {
      id: `comment-${comment.id}`,
      tabindex: "-1",
      "aria-label": t("comment.label", { author: authorName(comment.author) }),
    });
    const replies = comment.parent_id ? null : h("ol", { class: "replies" });
    const replySlot = h("div", { class: "reply-slot" });
    if (replies) replyLists.set(comment.id, replies);
    let current = comment;

    const actions = () => {
      const row = h("div", { class: "comment-actions" });
      if (replies && canComment) {
        const formId = `reply-${comment.id}-form`;
        const toggle = h(
          "button",
          {
            type: "button",
            class: "link-button small",
            "aria-expanded": "false",
            "aria-controls": formId,
            dataset: { action: "reply" },
          },
          t("comment.reply"),
        );
        const close = () => {
          replace(replySlot);
          toggle.setAttribute("aria-expanded", "false");
        };
        toggle.addEventListener("click", () => {
          if (toggle.getAttribute("aria-expanded") === "true") {
            close();
            return;
          }
          const reply = commentForm({
            post,
            idBase: `reply-${comment.id}`,
            parentId: comment.id,
            label: t("comment.reply_label", { author: authorName(comment.author) }),
            submitLabel: t("comment.reply_submit"),
            cancel: () => {
              close();
              toggle.focus();
            },
            onSent(sent) {
              close();
              const placed = place(sent, { local: true });
              setTotal(total + 1);
              if (!showSupport(sent)) placed?.querySelector("article").focus();
            },
          });
          reply.form.id = formId;
          replace(replySlot, reply.form);
          toggle.setAttribute("aria-expanded", "true");
          reply.focus();
        });
        row.append(toggle);
      }
      if (current.is_mine) {
        row.append(
          button(t("comment.edit"), {
            class: "link-button small",
            dataset: { action: "edit" },
            onclick: edit,
          }),
          button(t("comment.delete"), {
            class: "link-button small",
            dataset: { action: "delete" },
            onclick: askDelete,
          }),
        );
      }
      return row.childElementCount ? row : null;
    };

    const view = (focusAction = null) => {
      const body = richText(current.body, { className: "comment-body" });
      replace(
        article,
        byline(current),
        removedNotice(current),
        folded(current, body, { bodyId: `comment-${current.id}-body`, what: "comment" }),
        actions(),
      );
      if (focusAction) article.querySelector(`[data-action="${focusAction}"]`)?.focus();
    };

    function edit() {
      const editMessages = banner();
      const text = field({
        id: `comment-${comment.id}-edit`,
        label: t("comment.edit_label"),
        kind: "textarea",
        rows: 4,
        maxlength: LIMITS.comment,
        value: current.body,
      });
      const form = h(
        "form",
        { class: "form comment-form" },
        editMessages.el,
        text.wrapper,
        h(
          "div",
          { class: "actions" },
          h("button", { type: "submit", class: "button primary" }, t("comment.save")),
          button(t("post.cancel"), { onclick: () => view("edit") }),
        ),
      );
      handleSubmit(form, {
        fields: { body: text },
        messages: editMessages,
        validate: () => (text.control.value.trim() ? [] : [["body", t("form.required")]]),
        async submit() {
          current = await api("PATCH", `/api/comments/${comment.id}`, {
            body: text.control.value,
          });
          view();
          if (!showSupport(current)) article.focus();
        },
      });
      replace(article, byline(current), form);
      text.control.focus();
    }

    function askDelete() {
      const confirm = confirmation({
        idBase: `comment-${comment.id}-delete`,
        question: t("comment.delete_question"),
        confirmLabel: t("comment.delete_confirm"),
        onCancel: () => view("delete"),
        async onConfirm() {
          try {
            await api("DELETE", `/api/comments/${comment.id}`);
          } catch (error) {
            if (!(error instanceof ApiError)) throw error;
            messages.error(error.detail);
            view("delete");
            return;
          }
          // Its replies go with it.
          setTotal(total - 1 - li.querySelectorAll(".reply").length);
          li.remove();
          empty.hidden = list.childElementCount > 0;
          messages.success(t("comment.deleted"));
          heading.focus();
        },
      });
      article.querySelector(".comment-actions")?.replaceWith(confirm.el);
      confirm.focus();
    }

    view();
    append(li, article, replies, replies ? replySlot : null);
    return li;
  }

  const showPage = (page) => {
    const placed = page.items.map((c) => place(c)).filter(Boolean);
    cursor = page.next_cursor;
    more.hidden = !cursor;
    empty.hidden = seen.size > 0;
    return placed;
  };

  const empty = h("p", { class: "hint empty" }, t("comment.none"));
  const more = h(
    "button",
    { type: "button", class: "button load-more", hidden: true },
    t("comment.load_more"),
  );
  more.addEventListener("click", async () => {
    if (more.getAttribute("aria-disabled") === "true") return;
    messages.clear();
    more.setAttribute("aria-disabled", "true");
    try {
      const page = await api(
        "GET",
        `/api/posts/${post.id}/comments?limit=${COMMENT_PAGE}&before=${cursor}`,
      );
      showPage(page)[0]?.querySelector("article").focus();
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      messages.error(error.detail);
    } finally {
      more.removeAttribute("aria-disabled");
    }
  });
  showPage(firstPage);

  let writer = null;
  if (canComment) {
    const form = commentForm({
      post,
      idBase: "comment-new",
      label: t("comment.new_label"),
      submitLabel: t("comment.submit"),
      onSent(comment, formMessages) {
        const placed = place(comment, { local: true });
        empty.hidden = true;
        setTotal(total + 1);
        formMessages.success(t("comment.sent"));
        if (!showSupport(comment)) placed?.querySelector("article").focus();
      },
    });
    writer = h(
      "div",
      { class: "comment-writer" },
      h("h3", {}, t("comment.new_title")),
      form.form,
    );
  } else if (post.locked) {
    writer = h("p", { class: "note" }, t("comment.locked"));
  } else if (!group.can_post) {
    writer = h(
      "p",
      { class: "note" },
      t("comment.members_only"),
      " ",
      h("a", { href: groupHref(group.slug) }, t("comment.go_to_group")),
    );
  }

  if (target) {
    const el = list.querySelector(`#comment-${CSS.escape(target)}`);
    if (el) {
      el.classList.add("comment-target");
      // After the page has put focus on its heading: go on to the comment the link was about.
      setTimeout(() => el.focus(), 0);
    }
  }

  return h(
    "section",
    { class: "comments-section", "aria-labelledby": "comments-title" },
    heading,
    messages.el,
    list,
    empty,
    more,
    writer,
    support,
  );
}

function postView({ post, group, topics, heading }) {
  const messages = banner();
  const view = h("div", { class: "post-view" });
  const support = h("div", { class: "support-slot" });
  const slug = post.group.slug;
  let current = post;

  const reportSlot = h("div", { class: "report-slot" });

  const openReport = () => {
    messages.clear();
    replace(
      reportSlot,
      reportPanel({
        id: "post-report",
        targetType: "post",
        targetId: current.id,
        title: t("report.post_title"),
        quote: current.title,
        onDone: (sent) => {
          replace(reportSlot);
          if (sent) messages.success(t("report.sent"));
          view.querySelector('[data-action="report"]')?.focus();
        },
      }),
    );
    reportSlot.querySelector("h2").focus();
  };

  const ownerActions = () => {
    if (!current.is_mine) {
      return h(
        "div",
        { class: "actions" },
        button(t("report.action"), {
          class: "link-button small",
          dataset: { action: "report" },
          "aria-label": t("report.post_label"),
          onclick: openReport,
        }),
      );
    }
    return h(
      "div",
      { class: "actions owner-actions" },
      button(t("post.edit"), { dataset: { action: "edit" }, onclick: edit }),
      button(t("post.delete"), { dataset: { action: "delete" }, onclick: askDelete }),
    );
  };

  const draw = (focusAction = null) => {
    replace(
      view,
      byline(current),
      removedNotice(current),
      folded(current, richText(current.body, { className: "post-body" }), {
        bodyId: "post-body",
      }),
      ownerActions(),
    );
    if (focusAction) view.querySelector(`[data-action="${focusAction}"]`)?.focus();
  };

  function edit() {
    messages.clear();
    const editor = postForm({
      idBase: "post-edit",
      topics,
      post: current,
      withAnonymous: false,
      submitLabel: t("post.save"),
      cancel: () => draw("edit"),
      async submit(body) {
        current = await api("PATCH", `/api/posts/${current.id}`, body);
        replace(heading, current.title);
        document.title = `${current.title} · ${t("app.name")}`;
        draw();
        messages.success(t("post.saved"));
        if (current.support) {
          const onClose = () => {
            replace(support);
            heading.focus();
          };
          replace(support, supportPanel(current.support, { id: "post-edit-support", onClose }));
          support.querySelector("h2").focus();
        } else {
          heading.focus();
        }
      },
    });
    replace(view, h("h2", {}, t("post.edit_title")), editor.form);
    editor.focus();
  }

  function askDelete() {
    messages.clear();
    const confirm = confirmation({
      idBase: "post-delete",
      question: t("post.delete_question"),
      confirmLabel: t("post.delete_confirm"),
      onCancel: () => draw("delete"),
      async onConfirm() {
        try {
          await api("DELETE", `/api/posts/${current.id}`);
        } catch (error) {
          if (!(error instanceof ApiError)) throw error;
          messages.error(error.detail);
          draw("delete");
          return;
        }
        const groupPath = `/groups/${encodeURIComponent(slug)}`;
        flash("post.deleted", groupPath);
        navigate(groupPath);
      },
    });
    view.querySelector(".owner-actions").replaceWith(confirm.el);
    confirm.focus();
  }

  draw();
  return [
    messages.el,
    view,
    reportSlot,
    support,
    reactionBar(post, { canReact: group.can_post, showWho: true }),
  ];
}

export default {
  title: "post.page_title",
  async render({ params, query }) {
    // Only a number can be a post; anything else is no page of ours (and no request).
    if (!/^[1-9]\d{0,15}$/.test(params.id)) return notFound.render();
    const post = await api("GET", `/api/posts/${params.id}`);
    const [group, firstPage, topics] = await Promise.all([
      api("GET", `/api/groups/${encodeURIComponent(post.group.slug)}`),
      api("GET", `/api/posts/${post.id}/comments?limit=${COMMENT_PAGE}`),
      post.is_mine ? contentWarningTopics() : [],
    ]);
    const heading = pageHeading(post.title);
    heading.id = "post-title";
    const target = /^\d{1,16}$/.test(query.get("comment") || "") ? query.get("comment") : null;
    return h(
      "section",
      { class: "page page-post" },
      h(
        "p",
        { class: "breadcrumb" },
        h("a", { href: groupHref(post.group.slug) }, localText(post.group)),
      ),
      h(
        "article",
        { class: "post-full", "aria-labelledby": "post-title" },
        heading,
        postView({ post, group, topics, heading }),
      ),
      commentsSection({ post, group, firstPage, target }),
    );
  },
};
