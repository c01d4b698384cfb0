// Shared building blocks for pages: form fields with labels, hints and linked errors,
// banners that screen readers announce, buttons, and the crisis link shown everywhere.

import { ApiError } from "./api.js";
import { h, replace } from "./dom.js";
import { t } from "./i18n.js";

/** The ever-present, calm pointer to crisis lines. */
export function crisisLink(extraClass = "") {
  return h("a", { class: ["crisis-link", extraClass], href: "#/hjaelp" }, t("crisis.link"));
}

/** Page heading that receives focus after navigation. */
export function pageHeading(text) {
  return h("h1", { tabindex: "-1", class: "page-title" }, text);
}

/**
 * A labelled form control with an optional hint and an error slot wired by aria-describedby.
 * kind: "input" (default), "textarea", "select" or "checkbox"; `describedBy` adds the ids of
 * other text that explains the field.
 */
export function field({
  id,
  label,
  kind = "input",
  hint,
  optional = false,
  options = [],
  describedBy = [],
  ...attrs
}) {
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const error = h("p", { class: "field-error", id: errorId, hidden: true });
  const hintEl = hint ? h("p", { class: "hint", id: hintId }, hint) : null;
  let control;
  if (kind === "textarea") {
    control = h("textarea", { id, ...attrs });
  } else if (kind === "select") {
    const { value, ...rest } = attrs;
    control = h(
      "select",
      { id, ...rest },
      options.map((o) => h("option", { value: o.value, selected: o.value === value }, o.label)),
    );
  } else if (kind === "checkbox") {
    control = h("input", { id, type: "checkbox", ...attrs });
  } else {
    control = h("input", { id, type: "text", ...attrs });
  }
  const describe = (withError) => {
    const ids = [...describedBy, hintEl ? hintId : null, withError ? errorId : null];
    const list = ids.filter(Boolean).join(" ");
    if (list) control.setAttribute("aria-describedby", list);
    else control.removeAttribute("aria-describedby");
  };
  describe(false);

  const labelEl = h(
    "label",
    { for: id },
    label,
    optional ? h("span", { class: "optional" }, ` ${t("form.optional")}`) : null,
  );
  const wrapper =
    kind === "checkbox"
      ? h("div", { class: "field field-check" }, control, h("div", {}, labelEl, hintEl, error))
      : h("div", { class: "field" }, labelEl, hintEl, control, error);

  return {
    wrapper,
    control,
    setError(message) {
      replace(error, message);
      error.hidden = false;
      control.setAttribute("aria-invalid", "true");
      describe(true);
    },
    clearError() {
      replace(error);
      error.hidden = true;
      control.removeAttribute("aria-invalid");
      describe(false);
    },
  };
}

/** A group of checkboxes or radios under one legend (its own label for the group). */
export function choiceGroup({ id, legend, hint, type = "checkbox", name, choices, checked = [] }) {
  const hintId = `${id}-hint`;
  const controls = [];
  const items = choices.map((c) => {
    const inputId = `${id}-${c.value}`;
    const input = h("input", {
      id: inputId,
      type,
      name: name || id,
      value: c.value,
      checked: checked.includes(c.value),
    });
    controls.push(input);
    return h(
      "div",
      { class: "field-check" },
      input,
      h(
        "div",
        {},
        h("label", { for: inputId }, c.label),
        c.hint ? h("p", { class: "hint" }, c.hint) : null,
      ),
    );
  });
  const fieldset = h(
    "fieldset",
    { class: ["choices", type === "checkbox" && choices.length > 4 ? "choices-grid" : ""], id },
    h("legend", {}, legend),
    hint ? h("p", { class: "hint", id: hintId }, hint) : null,
    h("div", { class: "choices-list" }, items),
  );
  if (hint) fieldset.setAttribute("aria-describedby", hintId);
  return {
    wrapper: fieldset,
    controls,
    values: () => controls.filter((c) => c.checked).map((c) => c.value),
  };
}

/** A message area: errors are announced at once (alert), confirmations politely (status). */
export function banner() {
  const el = h("div", { class: "banner", hidden: true });
  const show = (kind, message) => {
    el.className = `banner banner-${kind}`;
    el.setAttribute("role", kind === "error" ? "alert" : "status");
    replace(el, message);
    el.hidden = false;
  };
  return {
    el,
    error: (message) => show("error", message),
    success: (message) => show("success", message),
    clear() {
      el.hidden = true;
      replace(el);
    },
  };
}

let pendingFlash = null;

/** A confirmation for the page at `path`, e.g. "You are logged out" on the front page. */
export function flash(key, path) {
  pendingFlash = { key, path };
}

/** The confirmation for the page being shown, if any; any other page drops it. */
export function takeFlash(path) {
  const pending = pendingFlash;
  pendingFlash = null;
  return pending && pending.path === path ? pending.key : null;
}

/** Password managers and screen readers expect the account name next to a password field. */
export function usernameHint(handle) {
  return h("input", {
    type: "text",
    autocomplete: "username",
    value: handle,
    hidden: true,
    readonly: true,
    tabindex: "-1",
  });
}

export function button(label, attrs = {}) {
  return h("button", { type: "button", class: "button", ...attrs }, label);
}

/**
 * Run a form submission: clear old errors, disable the button while busy, show the server's
 * translated message on failure and put the message next to the field it is about.
 * `fieldFor(code)` maps error codes (handle_taken, …) to field names;
 * `fields` maps those names to fields.
 */
export function handleSubmit(form, options) {
  const { fields = {}, messages, fieldFor = () => null, validate, submit } = options;
  form.setAttribute("novalidate", "");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (form.getAttribute("aria-busy") === "true") return; // already sending
    messages.clear();
    for (const f of Object.values(fields)) f.clearError();
    const problems = validate ? validate() : [];
    if (problems.length) {
      for (const [name, message] of problems) fields[name]?.setError(message);
      messages.error(t("form.fix_errors"));
      fields[problems[0][0]]?.control.focus();
      return;
    }
    const submitButton = form.querySelector("[type=submit]");
    submitButton?.setAttribute("aria-disabled", "true");
    form.setAttribute("aria-busy", "true");
    try {
      await submit();
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      messages.error(error.detail);
      const names = [fieldFor(error.code), ...error.fields].filter((n) => n && fields[n]);
      for (const name of names) {
        fields[name].setError(name === fieldFor(error.code) ? error.detail : t("form.check_field"));
      }
      if (names.length) fields[names[0]].control.focus();
    } finally {
      submitButton?.removeAttribute("aria-disabled");
      form.removeAttribute("aria-busy");
    }
  });
}

/** Days and times in the reader's language. */
export function formatDate(iso) {
  const locale = document.documentElement.lang === "en" ? "en-GB" : "da-DK";
  const style = { day: "numeric", month: "long", year: "numeric" };
  return new Date(iso).toLocaleDateString(locale, style);
}
