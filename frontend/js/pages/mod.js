// The moderators' review queue: open reports grouped by what they are about, with the content
// and the reasons given; a post can be removed with a reason (the author is told it, signed
// "Moderator") and any report can be dismissed. Moderator tools need two-step login.

import { ApiError, api } from "../api.js";
import { banner, button, field, handleSubmit, pageHeading } from "../components.js";
import { h, replace } from "../dom.js";
import { hasKey, t } from "../i18n.js";
import { postHref, timeEl } from "../posts.js";

const PAGE_SIZE = 20;
const MAX_REASON = 1000;

function reasonLabel(reason) {
  const key = `report.reason_${reason}`;
  return hasKey(key) ? t(key) : reason;
}

/** What was reported, as text: a post's title and body, or a comment's body. */
function contentView(item) {
  const content = item.content;
  if (!content) return h("p", { class: "hint" }, t("mod.no_content"));
  return h(
    "div",
    { class: "mod-content" },
    content.title ? h("h3", {}, content.title) : null,
    content.body ? h("blockquote", { class: "report-quote" }, content.body) : null,
    content.removed ? h("p", { class: "note" }, t("mod.already_removed")) : null,
    item.target_type === "post"
      ? h("p", {}, h("a", { href: postHref(item.target_id) }, t("mod.open_post")))
      : null,
  );
}

function caseCard(item, { messages, onClosed }) {
  const headingId = `case-${item.id}-title`;
  const card = h("article", { class: "card mod-case", "aria-labelledby": headingId });
  const actions = h("div", { class: "mod-actions" });

  const closed = (key) => {
    messages.success(t(key));
    onClosed(card);
  };

  const removeForm = () => {
    const formMessages = banner();
    const reason = field({
      id: `case-${item.id}-reason`,
      label: t("mod.remove_reason_label"),
      hint: t("mod.remove_reason_hint"),
      kind: "textarea",
      rows: 3,
      maxlength: MAX_REASON,
      required: true,
    });
    const form = h(
      "form",
      { class: "form" },
      formMessages.el,
      reason.wrapper,
      h("button", { type: "submit", class: "button danger" }, t("mod.remove_post")),
    );
    handleSubmit(form, {
      fields: { reason },
      messages: formMessages,
      validate: () => (reason.control.value.trim() ? [] : [["reason", t("form.required")]]),
      async submit() {
        await api("POST", `/api/mod/posts/${item.target_id}/remove`, {
          reason: reason.control.value.trim(),
        });
        closed("mod.removed");
      },
    });
    return form;
  };

  const dismissMessages = banner();
  const dismiss = button(t("mod.dismiss"), {
    onclick: async () => {
      dismissMessages.clear();
      try {
        await api("POST", `/api/mod/reports/${item.id}/dismiss`, {});
        closed("mod.dismissed");
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        dismissMessages.error(error.detail);
      }
    },
  });
  replace(actions, item.target_type === "post" ? removeForm() : null, dismissMessages.el, dismiss);

  const reasons = Object.entries(item.reasons).map(([reason, count]) =>
    h("li", {}, t("mod.reason_count", { reason: reasonLabel(reason), count })),
  );
  replace(
    card,
    h(
      "h2",
      { id: headingId },
      t(`mod.target_${item.target_type}`),
      " · ",
      t("mod.reported_by", { count: item.report_count }),
    ),
    item.crisis ? h("p", { class: "note" }, t("mod.crisis")) : null,
    h(
      "p",
      { class: "hint" },
      t("mod.subject", { handle: `@${item.subject.handle}` }),
      " · ",
      timeEl(item.last_report_at),
    ),
    h("h3", {}, t("mod.reasons_title")),
    h("ul", { class: "mod-reasons" }, reasons),
    contentView(item),
    actions,
  );
  return card;
}

export default {
  title: "mod.title",
  async render() {
    const heading = pageHeading(t("mod.title"));
    let page;
    try {
      page = await api("GET", `/api/mod/reports?limit=${PAGE_SIZE}`);
    } catch (error) {
      if (!(error instanceof ApiError) || error.code !== "two_factor_required") throw error;
      return h(
        "section",
        { class: "page page-narrow page-mod" },
        heading,
        h("p", { class: "banner banner-error", role: "alert" }, error.detail),
        h("p", {}, h("a", { href: "#/account" }, t("mod.set_up_two_factor"))),
      );
    }
    const messages = banner();
    const list = h("div", { class: "mod-queue" });
    const empty = h("p", { class: "empty" }, t("mod.empty"));
    const onClosed = (card) => {
      card.remove();
      empty.hidden = list.childElementCount > 0;
      heading.focus();
    };
    list.append(...page.items.map((item) => caseCard(item, { messages, onClosed })));
    empty.hidden = list.childElementCount > 0;
    return h(
      "section",
      { class: "page page-mod" },
      heading,
      h("p", { class: "lead" }, t("mod.lead")),
      messages.el,
      list,
      empty,
    );
  },
};
