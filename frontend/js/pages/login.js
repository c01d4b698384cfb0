// Log in with handle and password; the server sets HttpOnly cookies.

import { banner, field, handleSubmit, pageHeading } from "../components.js";
import { h } from "../dom.js";
import { t } from "../i18n.js";
import { navigate } from "../router.js";
import { logIn } from "../session.js";

/** Only our own routes are valid places to return to after logging in. */
export function safeNext(next) {
  return next && /^\/[a-z0-9/_-]*$/i.test(next) && !next.startsWith("//") ? next : "/";
}

export default {
  title: "login.title",
  render({ query }) {
    const messages = banner();
    const fields = {
      handle: field({
        id: "login-handle",
        label: t("field.handle"),
        name: "username",
        autocomplete: "username",
        autocapitalize: "none",
        spellcheck: "false",
        required: true,
        maxlength: 30,
      }),
      password: field({
        id: "login-password",
        label: t("field.password"),
        type: "password",
        name: "password",
        autocomplete: "current-password",
        required: true,
        maxlength: 1024,
      }),
      // Shown only when the account has two-step login and the server asks for the code.
      totp_code: field({
        id: "login-totp",
        label: t("login.totp_label"),
        hint: t("login.totp_hint"),
        name: "one-time-code",
        autocomplete: "one-time-code",
        inputmode: "numeric",
        maxlength: 12,
      }),
    };
    // A plain box, since .field's own display would override [hidden].
    const totpBox = h("div", { hidden: true }, fields.totp_code.wrapper);
    const form = h(
      "form",
      { class: "form card" },
      messages.el,
      fields.handle.wrapper,
      fields.password.wrapper,
      totpBox,
      h("button", { type: "submit", class: "button primary" }, t("login.submit")),
    );
    handleSubmit(form, {
      fields,
      messages,
      fieldFor: (code) => (code.startsWith("totp_") ? "totp_code" : null),
      validate() {
        const problems = [];
        if (!fields.handle.control.value.trim()) problems.push(["handle", t("form.required")]);
        if (!fields.password.control.value) problems.push(["password", t("form.required")]);
        return problems;
      },
      async submit() {
        const code = fields.totp_code.control.value.trim();
        try {
          await logIn(
            fields.handle.control.value.trim(),
            fields.password.control.value,
            code ? { totp_code: code } : {},
          );
        } catch (error) {
          if (error.code === "totp_required") totpBox.hidden = false;
          throw error;
        }
        navigate(safeNext(query.get("next")));
      },
    });
    return h(
      "section",
      { class: "page page-narrow" },
      pageHeading(t("login.title")),
      form,
      h(
        "p",
        {},
        t("login.new_here"),
        " ",
        h("a", { href: "#/register" }, t("login.register_link")),
      ),
    );
  },
};
