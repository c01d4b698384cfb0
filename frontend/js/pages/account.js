// My account: what is recorded about me, change password, take my data, log out, delete.

import { api } from "../api.js";
import {
  banner,
  button,
  field,
  flash,
  formatDate,
  handleSubmit,
  pageHeading,
  usernameHint,
} from "../components.js";
import { h, replace } from "../dom.js";
import { t } from "../i18n.js";
import { navigate } from "../router.js";
import { currentMember, forget, loadMember, logOut } from "../session.js";

const MIN_PASSWORD = 10;

function summary(account) {
  const row = (label, value) => [h("dt", {}, label), h("dd", {}, value)];
  return h(
    "dl",
    { class: "summary" },
    row(t("field.handle"), account.handle),
    row(t("field.email"), account.email || t("account.no_email")),
    row(t("account.member_since"), formatDate(account.created_at)),
    row(t("account.consent_given"), formatDate(account.consent_at)),
  );
}

function passwordForm(handle) {
  const messages = banner();
  const fields = {
    current_password: field({
      id: "account-current-password",
      label: t("account.current_password"),
      type: "password",
      autocomplete: "current-password",
      maxlength: 1024,
    }),
    new_password: field({
      id: "account-new-password",
      label: t("account.new_password"),
      hint: t("register.password_hint", { min: MIN_PASSWORD }),
      type: "password",
      autocomplete: "new-password",
      maxlength: 1024,
    }),
  };
  const form = h(
    "form",
    { class: "form" },
    messages.el,
    usernameHint(handle),
    fields.current_password.wrapper,
    fields.new_password.wrapper,
    h("button", { type: "submit", class: "button primary" }, t("account.change_password")),
  );
  handleSubmit(form, {
    fields,
    messages,
    fieldFor(code) {
      if (code === "wrong_password") return "current_password";
      return code.startsWith("password_") ? "new_password" : null;
    },
    validate() {
      const problems = [];
      if (!fields.current_password.control.value) {
        problems.push(["current_password", t("form.required")]);
      }
      if (fields.new_password.control.value.length < MIN_PASSWORD) {
        problems.push(["new_password", t("register.password_short", { min: MIN_PASSWORD })]);
      }
      return problems;
    },
    async submit() {
      await api("POST", "/api/me/password", {
        current_password: fields.current_password.control.value,
        new_password: fields.new_password.control.value,
      });
      form.reset();
      messages.success(t("account.password_changed"));
    },
  });
  return form;
}

/** Two-step login: password -> secret for an authenticator app -> first code -> recovery codes. */
function twoFactorSection(account) {
  const box = h("div", {});
  if (account.has_two_factor) {
    replace(box, h("p", {}, t("account.two_factor_on")));
    return box;
  }
  const messages = banner();
  const password = field({
    id: "account-2fa-password",
    label: t("account.two_factor_password"),
    type: "password",
    autocomplete: "current-password",
    maxlength: 1024,
  });
  const start = h(
    "form",
    { class: "form" },
    h("p", {}, t("account.two_factor_lead")),
    messages.el,
    usernameHint(account.handle),
    password.wrapper,
    h("button", { type: "submit", class: "button primary" }, t("account.two_factor_start")),
  );
  handleSubmit(start, {
    fields: { password },
    messages,
    fieldFor: (code) => (code === "wrong_password" ? "password" : null),
    validate: () => (password.control.value ? [] : [["password", t("form.required")]]),
    async submit() {
      const setup = await api("POST", "/api/me/2fa/setup", { password: password.control.value });
      confirmStep(setup);
    },
  });

  function confirmStep(setup) {
    const confirmMessages = banner();
    const code = field({
      id: "account-2fa-code",
      label: t("account.two_factor_code"),
      autocomplete: "one-time-code",
      inputmode: "numeric",
      maxlength: 12,
    });
    const form = h(
      "form",
      { class: "form" },
      h("p", {}, t("account.two_factor_secret_lead")),
      h(
        "p",
        {},
        t("account.two_factor_secret"),
        " ",
        h("code", { id: "account-2fa-secret" }, setup.secret),
      ),
      h("p", { class: "hint" }, t("account.two_factor_uri"), " ", h("code", {}, setup.otpauth_uri)),
      confirmMessages.el,
      code.wrapper,
      h("button", { type: "submit", class: "button primary" }, t("account.two_factor_confirm")),
    );
    handleSubmit(form, {
      fields: { code },
      messages: confirmMessages,
      fieldFor: (errorCode) => (errorCode.startsWith("totp_") ? "code" : null),
      validate: () => (code.control.value.trim() ? [] : [["code", t("form.required")]]),
      async submit() {
        const out = await api("POST", "/api/me/2fa/enable", { code: code.control.value.trim() });
        const done = h("p", { tabindex: "-1", role: "status" }, t("account.two_factor_enabled"));
        replace(
          box,
          done,
          h("p", {}, t("account.two_factor_recovery_lead")),
          h(
            "ul",
            { class: "recovery-codes" },
            out.recovery_codes.map((c) => h("li", {}, h("code", {}, c))),
          ),
        );
        done.focus();
        // Keep the cached account in step; the codes stay on screen until the member leaves.
        loadMember().catch(() => {});
      },
    });
    replace(box, form);
    code.control.focus();
  }

  replace(box, start);
  return box;
}

function exportSection(handle) {
  const messages = banner();
  const download = button(t("account.export_button"), {
    onclick: async () => {
      messages.clear();
      try {
        const data = await api("GET", "/api/me/export");
        const blob = new Blob([JSON.stringify(data, null, 2)], { type: "application/json" });
        const url = URL.createObjectURL(blob);
        const link = h("a", { href: url, download: `samvaer-${handle}.json`, hidden: true });
        document.body.append(link);
        link.click();
        link.remove();
        setTimeout(() => URL.revokeObjectURL(url), 10_000);
        messages.success(t("account.export_done"));
      } catch (error) {
        messages.error(error.detail || t("error.generic"));
      }
    },
  });
  return [h("p", {}, t("account.export_lead")), download, messages.el];
}

function deleteForm(handle) {
  const messages = banner();
  const fields = {
    password: field({
      id: "account-delete-password",
      label: t("account.delete_password"),
      type: "password",
      autocomplete: "current-password",
      maxlength: 1024,
    }),
    confirm: field({
      id: "account-delete-confirm",
      label: t("account.delete_confirm"),
      kind: "checkbox",
    }),
  };
  const form = h(
    "form",
    { class: "form" },
    h("p", {}, t("account.delete_lead")),
    messages.el,
    usernameHint(handle),
    fields.password.wrapper,
    fields.confirm.wrapper,
    h("button", { type: "submit", class: "button danger" }, t("account.delete_button")),
  );
  handleSubmit(form, {
    fields,
    messages,
    fieldFor: (code) => (code === "wrong_password" ? "password" : null),
    validate() {
      const problems = [];
      if (!fields.password.control.value) problems.push(["password", t("form.required")]);
      if (!fields.confirm.control.checked) {
        problems.push(["confirm", t("account.delete_confirm_required")]);
      }
      return problems;
    },
    async submit() {
      await api("DELETE", "/api/me", { password: fields.password.control.value });
      forget();
      flash("account.deleted", "/");
      navigate("/");
    },
  });
  return form;
}

export default {
  title: "account.title",
  render() {
    const { account } = currentMember();
    const section = (id, title, ...content) =>
      h("section", { class: "card", "aria-labelledby": id }, h("h2", { id }, title), content);
    return h(
      "section",
      { class: "page page-narrow" },
      pageHeading(t("account.title")),
      section("account-about", t("account.about_title"), summary(account)),
      section("account-password", t("account.password_title"), passwordForm(account.handle)),
      section("account-2fa", t("account.two_factor_title"), twoFactorSection(account)),
      section("account-export", t("account.export_title"), exportSection(account.handle)),
      section(
        "account-logout",
        t("account.logout_title"),
        h("p", {}, t("account.logout_lead")),
        button(t("nav.logout"), {
          onclick: async () => {
            await logOut();
            flash("account.logged_out", "/");
            navigate("/");
          },
        }),
      ),
      section("account-delete", t("account.delete_title"), deleteForm(account.handle)),
    );
  },
};
