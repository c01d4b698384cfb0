// Become a member: a handle, a password, optional email, language, 18+ and informed consent.

import { api } from "../api.js";
import { banner, field, flash, handleSubmit, pageHeading } from "../components.js";
import { h } from "../dom.js";
import { language, rememberLanguage, t } from "../i18n.js";
import { navigate } from "../router.js";
import { logIn } from "../session.js";

// Mirrors the server's rule so most mistakes are caught before sending.
const HANDLE = /^[A-Za-z0-9ÆØÅæøå][A-Za-z0-9ÆØÅæøå_.-]{2,29}$/;
const MIN_PASSWORD = 10;

function fieldFor(code) {
  if (code.startsWith("handle_")) return "handle";
  if (code.startsWith("password_")) return "password";
  if (code === "email_taken") return "email";
  return null;
}

export default {
  title: "register.title",
  render() {
    const messages = banner();
    const fields = {
      handle: field({
        id: "register-handle",
        label: t("field.handle"),
        hint: t("register.handle_hint"),
        autocomplete: "username",
        autocapitalize: "none",
        spellcheck: "false",
        required: true,
        maxlength: 30,
      }),
      password: field({
        id: "register-password",
        label: t("field.password"),
        hint: t("register.password_hint", { min: MIN_PASSWORD }),
        type: "password",
        autocomplete: "new-password",
        required: true,
        maxlength: 1024,
      }),
      email: field({
        id: "register-email",
        label: t("field.email"),
        hint: t("register.email_hint"),
        optional: true,
        type: "email",
        autocomplete: "email",
        maxlength: 254,
      }),
      language: field({
        id: "register-language",
        label: t("field.language"),
        kind: "select",
        value: language(),
        options: [
          { value: "da", label: t("language.da") },
          { value: "en", label: t("language.en") },
        ],
      }),
      isAdult: field({
        id: "register-adult",
        label: t("register.adult_label"),
        kind: "checkbox",
        required: true,
      }),
      consent: field({
        id: "register-consent",
        label: t("register.consent_label"),
        hint: t("register.consent_hint"),
        kind: "checkbox",
        required: true,
        // The checkbox is described by the full explanation, not only its short label.
        describedBy: ["register-consent-text"],
      }),
    };
    const consentText = h(
      "div",
      { class: "consent", id: "register-consent-text" },
      h("h2", {}, t("register.consent_title")),
      h(
        "ul",
        {},
        ["consent_health", "consent_purpose", "consent_control", "consent_anonymous"].map((k) =>
          h("li", {}, t(`register.${k}`)),
        ),
      ),
    );

    const form = h(
      "form",
      { class: "form card" },
      messages.el,
      fields.handle.wrapper,
      fields.password.wrapper,
      fields.email.wrapper,
      fields.language.wrapper,
      consentText,
      fields.isAdult.wrapper,
      fields.consent.wrapper,
      h("button", { type: "submit", class: "button primary" }, t("register.submit")),
    );

    handleSubmit(form, {
      fields,
      messages,
      fieldFor,
      validate() {
        const problems = [];
        const handle = fields.handle.control.value.trim();
        if (!handle) problems.push(["handle", t("form.required")]);
        else if (!HANDLE.test(handle)) problems.push(["handle", t("register.handle_rule")]);
        if (fields.password.control.value.length < MIN_PASSWORD) {
          problems.push(["password", t("register.password_short", { min: MIN_PASSWORD })]);
        }
        const email = fields.email.control.value.trim();
        if (email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) {
          problems.push(["email", t("register.email_invalid")]);
        }
        if (!fields.isAdult.control.checked) {
          problems.push(["isAdult", t("register.adult_required")]);
        }
        if (!fields.consent.control.checked) {
          problems.push(["consent", t("register.consent_required")]);
        }
        return problems;
      },
      async submit() {
        const handle = fields.handle.control.value.trim();
        const password = fields.password.control.value;
        const chosen = fields.language.control.value;
        const email = fields.email.control.value.trim();
        await api("POST", "/api/auth/register", {
          handle,
          password,
          consent: true,
          is_adult: true,
          language: chosen,
          ...(email ? { email } : {}),
        });
        // Logging in applies the remembered language to the whole interface.
        rememberLanguage(chosen);
        flash("register.welcome", "/profile");
        await logIn(handle, password);
        navigate("/profile");
      },
    });

    return h(
      "section",
      { class: "page page-narrow" },
      pageHeading(t("register.title")),
      h("p", { class: "lead" }, t("register.lead")),
      form,
      h(
        "p",
        {},
        t("register.have_account"),
        " ",
        h("a", { href: "#/login" }, t("register.login_link")),
      ),
    );
  },
};
