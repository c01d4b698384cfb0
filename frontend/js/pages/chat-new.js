// Write to a member by their handle. A first message is a request the other member accepts or
// declines; when they cannot be written to, we say why in plain words.

import { ApiError, api } from "../api.js";
import { MAX_BODY, bodyCounter, newClientId, setSupport } from "../chat.js";
import { banner, field, handleSubmit, pageHeading } from "../components.js";
import { h } from "../dom.js";
import { t } from "../i18n.js";
import { navigate } from "../router.js";

// Loose on purpose: the server knows which handles exist; this only catches typing slips.
const HANDLE = /^\S{3,30}$/u;

/** The server's refusal, told as what it means for the member and what they can do. */
function explain(error, handle) {
  const who = `@${handle}`;
  const plain = {
    cannot_message_member: t("chat.cannot_message_member", { handle: who }),
    request_pending: t("chat.request_pending", { handle: who }),
    request_not_accepted: t("chat.request_not_accepted", { handle: who }),
    member_not_found: t("chat.member_not_found", { handle: who }),
  }[error.code];
  return plain ? new ApiError(error.status, error.code, plain, error.errors) : error;
}

export default {
  title: "chat.new_title",
  render({ query }) {
    const to = (query.get("to") || "").replace(/^@/, "").trim();
    const messages = banner();
    const counterId = "chat-new-body-counter";
    const fields = {
      handle: field({
        id: "chat-new-handle",
        label: t("chat.to_label"),
        hint: t("chat.to_hint"),
        value: to,
        autocomplete: "off",
        autocapitalize: "none",
        spellcheck: "false",
        maxlength: 30,
      }),
      body: field({
        id: "chat-new-body",
        label: t("chat.first_message_label"),
        kind: "textarea",
        rows: 6,
        hint: t("chat.first_message_hint"),
        describedBy: [counterId],
      }),
    };
    const counter = bodyCounter(fields.body.control, counterId);
    // One id per written message: sending twice (a double click, a retry) stores it once.
    let clientId = newClientId();
    let sentBody = null;
    fields.body.control.addEventListener("input", () => {
      if (sentBody !== null && fields.body.control.value !== sentBody) {
        clientId = newClientId();
        sentBody = null;
      }
    });

    const form = h(
      "form",
      { class: "form card" },
      messages.el,
      fields.handle.wrapper,
      fields.body.wrapper,
      counter.el,
      h("button", { type: "submit", class: "button primary" }, t("chat.send_request")),
    );
    handleSubmit(form, {
      fields,
      messages,
      fieldFor: (code) =>
        code === "member_not_found" || code === "cannot_message_self" ? "handle" : null,
      validate() {
        const problems = [];
        const handle = fields.handle.control.value.trim().replace(/^@/, "");
        if (!handle) problems.push(["handle", t("form.required")]);
        else if (!HANDLE.test(handle)) problems.push(["handle", t("chat.handle_rule")]);
        const body = fields.body.control.value;
        if (!body.trim()) problems.push(["body", t("chat.body_empty")]);
        else if (counter.over()) {
          problems.push(["body", t("chat.body_too_long", { max: MAX_BODY })]);
        }
        return problems;
      },
      async submit() {
        const handle = fields.handle.control.value.trim().replace(/^@/, "");
        const body = fields.body.control.value;
        sentBody = body;
        let conv;
        try {
          conv = await api("POST", "/api/conversations", { handle, body, client_id: clientId });
        } catch (error) {
          throw error instanceof ApiError ? explain(error, handle) : error;
        }
        if (conv.support) setSupport(conv.id, conv.support);
        navigate(`/chat/${conv.id}`);
      },
    });

    return h(
      "section",
      { class: "page page-narrow page-chat" },
      pageHeading(to ? t("chat.new_title_to", { handle: `@${to}` }) : t("chat.new_title")),
      h("p", { class: "lead" }, t("chat.new_lead")),
      h(
        "ul",
        { class: "promises" },
        h("li", {}, t("chat.new_request_explained")),
        h("li", {}, t("chat.new_not_seen")),
      ),
      form,
      h("p", {}, h("a", { href: "#/chat" }, t("chat.back"))),
    );
  },
};
