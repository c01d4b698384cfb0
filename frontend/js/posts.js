// Posts as every page shows them: author (or "Anonymt medlem"), time, the "edited" mark, a
// content warning that keeps the body folded until the reader opens it, reactions as toggle
// buttons, feeds with "load more", and the form for writing or editing a post.

import { ApiError, api } from "./api.js";
import { banner, button, field, handleSubmit } from "./components.js";
import { h, replace } from "./dom.js";
import { hasKey, language, t } from "./i18n.js";
import { richText } from "./richtext.js";

const REACTIONS = ["hjerte", "kram", "styrke", "tak"];
const REACTION_ICONS = { hjerte: "❤️", kram: "🤗", styrke: "💪", tak: "🙏" };
// Mirrors the server's limits so the form stops a mistake before it is sent.
export const LIMITS = { title: 200, body: 20_000, comment: 5_000, cwText: 200 };
const PREVIEW_CHARS = 500;

/** A group's (or category's) name, description or rules in the reader's language. */
export function localText(item, field = "name") {
  return item[`${field}_${language()}`] || item[`${field}_da`] || "";
}

export function groupHref(slug) {
  return `#/groups/${encodeURIComponent(slug)}`;
}

export function postHref(id, query = {}) {
  const search = new URLSearchParams(query).toString();
  return `#/posts/${id}${search ? `?${search}` : ""}`;
}

/** Date and time in the reader's language, machine-readable too. */
export function timeEl(iso) {
  const locale = language() === "en" ? "en-GB" : "da-DK";
  const text = new Date(iso).toLocaleString(locale, { dateStyle: "medium", timeStyle: "short" });
  return h("time", { datetime: iso }, text);
}

export function authorName(author) {
  if (author.anonymous) {
    const key = `author.${author.label_key}`;
    return hasKey(key) ? t(key) : t("author.anonymous_member");
  }
  return author.display_name || author.handle;
}

/** "Maja @maja · 23. nov. 2026, 10.15 · redigeret", and what only I or moderators are told. */
export function byline(item, { group = null } = {}) {
  const parts = [];
  if (group) parts.push(h("a", { href: groupHref(group.slug) }, localText(group)));
  const { author } = item;
  parts.push(
    h(
      "span",
      { class: ["author", author.anonymous ? "author-anonymous" : ""] },
      authorName(author),
      !author.anonymous && author.display_name
        ? h("span", { class: "handle" }, ` @${author.handle}`)
        : null,
    ),
  );
  parts.push(timeEl(item.created_at));
  if (item.edited_at) parts.push(h("span", { class: "edited" }, t("post.edited")));
  const separated = parts.flatMap((part, i) =>
    i ? [h("span", { class: "sep", "aria-hidden": "true" }, " · "), part] : [part],
  );
  const notes = [];
  if (item.anonymous && item.is_mine) notes.push(t("post.anonymous_mine"));
  if (item.revealed_author) {
    notes.push(t("post.revealed_author", { handle: item.revealed_author.handle }));
  }
  return [
    h("p", { class: "byline" }, separated),
    notes.map((note) => h("p", { class: "byline-note" }, note)),
  ];
}

export function topicName(topic) {
  const key = `cw.${topic}`;
  return hasKey(key) ? t(key) : topic;
}

function foldReasons(item) {
  const reasons = [];
  if (item.content_warning) {
    const { topic, text } = item.content_warning;
    reasons.push(
      text
        ? t("post.cw_notice_text", { topic: topicName(topic), text })
        : t("post.cw_notice", { topic: topicName(topic) }),
    );
  }
  if (item.filtered) {
    const { kind, match } = item.filter_reason || {};
    if (kind === "word") reasons.push(t("post.filtered_word", { match }));
    else if (kind === "topic") reasons.push(t("post.filtered_topic", { topic: topicName(match) }));
    else if (kind === "hard_day") reasons.push(t("post.filtered_hard_day"));
    else reasons.push(t("post.filtered"));
  }
  return reasons;
}

/**
 * The body, folded behind its content warning (or the reader's own filters) until the reader
 * opens it with a button that says whether it is open (aria-expanded).
 */
export function folded(item, body, { bodyId, what = "post" }) {
  const reasons = foldReasons(item);
  if (!reasons.length) return body;
  body.id = bodyId;
  body.hidden = true;
  const showKey = what === "comment" ? "comment.show" : "post.show";
  const hideKey = what === "comment" ? "comment.hide" : "post.hide";
  const toggle = h(
    "button",
    {
      type: "button",
      class: "button small fold-toggle",
      "aria-expanded": "false",
      "aria-controls": bodyId,
    },
    t(showKey),
  );
  toggle.addEventListener("click", () => {
    const open = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", String(open));
    body.hidden = !open;
    replace(toggle, t(open ? hideKey : showKey));
  });
  return h(
    "div",
    { class: "fold" },
    h(
      "div",
      { class: "cw-notice" },
      reasons.map((reason) => h("p", { class: "cw-reason" }, reason)),
      toggle,
    ),
    body,
  );
}

export function removedNotice(item) {
  if (!item.removed) return null;
  return h(
    "p",
    { class: "removed-notice" },
    item.removed_reason
      ? t("post.removed_reason", { reason: item.removed_reason })
      : t("post.removed"),
  );
}

function commentCountText(n) {
  return n === 1 ? t("post.comments_one") : t("post.comments_many", { count: n });
}

/** A short beginning of a long body, cut between words. */
function preview(text) {
  if (text.length <= PREVIEW_CHARS) return { text, cut: false };
  const slice = text.slice(0, PREVIEW_CHARS);
  const space = slice.search(/\s\S*$/);
  return { text: `${space > PREVIEW_CHARS / 2 ? slice.slice(0, space) : slice}…`, cut: true };
}

/**
 * Reactions as toggle buttons with counts and aria-pressed; `canReact` false shows the counts
 * only (a reader who is not a member). `showWho` adds a list of who reacted, by handle.
 */
export function reactionBar(post, { canReact, showWho = false }) {
  const messages = banner();
  let state = { reactions: post.reactions, mine: new Set(post.my_reactions) };
  const counts = {};
  const buttons = {};
  let busy = false;
  const who = showWho ? whoReacted(post) : null;

  const draw = () => {
    for (const kind of REACTIONS) {
      replace(counts[kind], String(state.reactions[kind] || 0));
      buttons[kind]?.setAttribute("aria-pressed", String(state.mine.has(kind)));
    }
    who?.reset();
  };

  const toggle = async (kind) => {
    if (busy) return;
    busy = true;
    messages.clear();
    const button = buttons[kind];
    button.setAttribute("aria-disabled", "true");
    try {
      const summary = state.mine.has(kind)
        ? await api("DELETE", `/api/posts/${post.id}/reactions/${kind}`)
        : await api("POST", `/api/posts/${post.id}/reactions`, { kind });
      state = { reactions: summary.reactions, mine: new Set(summary.my_reactions) };
      draw();
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      messages.error(error.detail);
    } finally {
      busy = false;
      button.removeAttribute("aria-disabled");
    }
  };

  const items = REACTIONS.map((kind) => {
    counts[kind] = h("span", { class: "reaction-count" });
    const content = [
      h("span", { class: "reaction-icon", "aria-hidden": "true" }, REACTION_ICONS[kind]),
      h("span", { class: "reaction-name" }, t(`reactions.${kind}`)),
      " ", // so the name reads "Kram 1", not "Kram1"
      counts[kind],
    ];
    if (!canReact) return h("li", { class: "reaction reaction-static" }, content);
    buttons[kind] = h(
      "button",
      { type: "button", class: "reaction", onclick: () => toggle(kind) },
      content,
    );
    return buttons[kind];
  });
  const list = canReact
    ? h("div", { class: "reaction-buttons" }, items)
    : h("ul", { class: "reaction-buttons" }, items);
  draw();
  return h(
    "div",
    { class: "reactions", role: "group", "aria-label": t("reactions.label") },
    list,
    who?.el,
    messages.el,
  );
}

/** "Who reacted?": loaded only when asked, by handle as the server shows them. */
function whoReacted(post) {
  const id = `reactors-${post.id}`;
  const output = h("div", { class: "reactors", id, hidden: true });
  const toggle = h(
    "button",
    { type: "button", class: "link-button small", "aria-expanded": "false", "aria-controls": id },
    t("reactions.who"),
  );
  const show = async () => {
    output.setAttribute("aria-busy", "true");
    try {
      const page = await api("GET", `/api/posts/${post.id}/reactions?limit=50`);
      replace(
        output,
        page.items.length
          ? h(
              "ul",
              { class: "tags" },
              page.items.map((r) => h("li", {}, `@${r.handle}: ${t(`reactions.${r.kind}`)}`)),
            )
          : h("p", { class: "hint" }, t("reactions.nobody")),
        page.next_cursor ? h("p", { class: "hint" }, t("reactions.more")) : null,
      );
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      replace(output, h("p", { class: "field-error" }, error.detail));
    } finally {
      output.removeAttribute("aria-busy");
    }
  };
  toggle.addEventListener("click", async () => {
    const open = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", String(open));
    output.hidden = !open;
    if (open) await show();
  });
  return {
    el: h("div", { class: "who-reacted" }, toggle, output),
    // Counts changed: an open list would be stale, so it closes and reloads when asked again.
    reset() {
      toggle.setAttribute("aria-expanded", "false");
      output.hidden = true;
      replace(output);
    },
  };
}

/** A post in a feed: its title leads to the post page, where the comments are. */
export function postCard(post, { showGroup = false, canReact = false } = {}) {
  const titleId = `post-${post.id}-title`;
  const { text, cut } = preview(post.body);
  const body = richText(text, { className: "post-body" });
  return h(
    "article",
    { class: "post-card", "aria-labelledby": titleId, dataset: { postId: String(post.id) } },
    h("h3", { id: titleId, class: "post-title" }, h("a", { href: postHref(post.id) }, post.title)),
    byline(post, { group: showGroup ? post.group : null }),
    removedNotice(post),
    folded(post, body, { bodyId: `post-${post.id}-preview` }),
    h(
      "p",
      { class: "post-links" },
      cut ? h("a", { href: postHref(post.id) }, t("post.read_more")) : null,
      h("a", { href: postHref(post.id) }, commentCountText(post.comment_count)),
    ),
    reactionBar(post, { canReact }),
  );
}

/**
 * A feed with "load more": `fetchPage(before)` returns {items, next_cursor}. Each post shows
 * once, also when a page repeats one already shown (a post written here was put on top).
 */
export function feedList({ fetchPage, label, emptyText, cardOptions = {} }) {
  const messages = banner();
  const seen = new Set();
  const list = h("ol", { class: "post-list", "aria-label": label });
  const empty = h("div", { class: "empty", hidden: true }, emptyText);
  let cursor = null;
  const more = h(
    "button",
    { type: "button", class: "button load-more", hidden: true },
    t("feed.load_more"),
  );

  const card = (post) => {
    seen.add(post.id);
    return h("li", {}, postCard(post, cardOptions));
  };
  const showPage = (page) => {
    const fresh = page.items.filter((post) => !seen.has(post.id)).map(card);
    list.append(...fresh);
    cursor = page.next_cursor;
    more.hidden = !cursor;
    empty.hidden = list.childElementCount > 0;
    return fresh;
  };

  more.addEventListener("click", async () => {
    if (more.getAttribute("aria-disabled") === "true") return;
    messages.clear();
    more.setAttribute("aria-disabled", "true");
    try {
      const fresh = showPage(await fetchPage(cursor));
      // Keyboard and screen-reader users carry on reading where the new posts begin.
      fresh[0]?.querySelector(".post-title a").focus();
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      messages.error(error.detail);
    } finally {
      more.removeAttribute("aria-disabled");
    }
  });

  return {
    el: h("div", { class: "feed" }, list, empty, messages.el, more),
    async loadFirst() {
      showPage(await fetchPage(null));
    },
    /** A post I just wrote goes on top. */
    prepend(post) {
      if (seen.has(post.id)) return null;
      const item = card(post);
      list.prepend(item);
      empty.hidden = true;
      return item;
    },
  };
}

let topicsPromise = null;

/** The fixed list of content-warning topics, asked for once. */
export function contentWarningTopics() {
  if (!topicsPromise) {
    topicsPromise = api("GET", "/api/content-warnings").catch((error) => {
      topicsPromise = null;
      throw error;
    });
  }
  return topicsPromise;
}

/** Options for a topic <select>: "no warning" first. */
function topicOptions(topics) {
  return [
    { value: "", label: t("post.cw_none") },
    ...topics.map((topic) => ({ value: topic, label: topicName(topic) })),
  ];
}

/**
 * Title, body and content warning (topic from the fixed list, optional words), for writing a
 * post and for editing one; `withAnonymous` adds the "Anonymt medlem" choice, explained.
 * `submit(body)` sends it; errors land next to their fields.
 */
export function postForm({
  idBase,
  topics,
  post = null,
  withAnonymous,
  submitLabel,
  submit,
  cancel,
}) {
  const messages = banner();
  const fields = {
    title: field({
      id: `${idBase}-title`,
      label: t("post.title_label"),
      maxlength: LIMITS.title,
      value: post?.title ?? "",
      autocomplete: "off",
      required: true,
    }),
    body: field({
      id: `${idBase}-body`,
      label: t("post.body_label"),
      hint: t("post.body_hint"),
      kind: "textarea",
      rows: 8,
      maxlength: LIMITS.body,
      value: post?.body ?? "",
      required: true,
    }),
    content_warning: field({
      id: `${idBase}-cw-topic`,
      label: t("post.cw_topic_label"),
      kind: "select",
      value: post?.content_warning?.topic ?? "",
      options: topicOptions(topics),
      describedBy: [`${idBase}-cw-hint`],
    }),
    cw_text: field({
      id: `${idBase}-cw-text`,
      label: t("post.cw_text_label"),
      hint: t("post.cw_text_hint"),
      optional: true,
      maxlength: LIMITS.cwText,
      value: post?.content_warning?.text ?? "",
      autocomplete: "off",
    }),
  };
  const anonymous = withAnonymous
    ? field({
        id: `${idBase}-anonymous`,
        kind: "checkbox",
        label: t("post.anonymous_label"),
        hint: t("post.anonymous_hint"),
      })
    : null;
  const form = h(
    "form",
    { class: "form post-form" },
    messages.el,
    fields.title.wrapper,
    fields.body.wrapper,
    h(
      "fieldset",
      { class: "cw-fields" },
      h("legend", {}, t("post.cw_legend")),
      h("p", { class: "hint", id: `${idBase}-cw-hint` }, t("post.cw_hint")),
      fields.content_warning.wrapper,
      fields.cw_text.wrapper,
    ),
    anonymous?.wrapper,
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
      const problems = [];
      if (!fields.title.control.value.trim()) problems.push(["title", t("form.required")]);
      if (!fields.body.control.value.trim()) problems.push(["body", t("form.required")]);
      const topic = fields.content_warning.control.value;
      const words = fields.cw_text.control.value.trim();
      if (topic === "andet" && !words) problems.push(["cw_text", t("post.cw_other_needs_text")]);
      if (!topic && words) problems.push(["content_warning", t("post.cw_needs_topic")]);
      return problems;
    },
    async submit() {
      const topic = fields.content_warning.control.value;
      const words = fields.cw_text.control.value.trim();
      const body = {
        title: fields.title.control.value.trim(),
        // Stored exactly as typed: line breaks and inner spacing are the writer's.
        body: fields.body.control.value,
        content_warning: topic ? { topic, ...(words ? { text: words } : {}) } : null,
      };
      if (anonymous) body.anonymous = anonymous.control.checked;
      await submit(body);
    },
  });
  return { form, messages, focus: () => fields.title.control.focus() };
}
