// Privacy settings: who sees each profile field, who may write, and a preview of my profile
// exactly as a visitor or another member receives it from the server.

import { api } from "../api.js";
import { banner, choiceGroup, field, handleSubmit, pageHeading } from "../components.js";
import { h, replace } from "../dom.js";
import { t } from "../i18n.js";
import { currentMember, updateMember } from "../session.js";
import { PROFILE_FIELDS, languageName } from "./profile.js";

const LEVELS = ["public", "members", "nobody"];
const WHO_CAN_MESSAGE = ["everyone", "shared_groups", "nobody"];

function previewValue(name, value) {
  if (Array.isArray(value)) {
    const items = name === "languages" ? value.map(languageName) : value;
    return h("ul", { class: "tags" }, items.map((item) => h("li", {}, item)));
  }
  return h("span", { class: name === "bio" ? "bio" : "" }, String(value));
}

/** The preview card: only what the server sent for that audience, all as text. */
function previewCard(audience, shown, privacy) {
  const present = PROFILE_FIELDS.filter((name) => shown[name] !== undefined);
  const hidden = PROFILE_FIELDS.filter((name) => {
    const level = privacy.field_visibility[name] || "nobody";
    return level === "nobody" || (level === "members" && audience === "visitor");
  });
  return h(
    "article",
    { class: "preview-card", "aria-labelledby": "preview-heading" },
    h("h3", { id: "preview-heading" }, t(`privacy.preview_heading_${audience}`)),
    h("p", { class: "preview-handle" }, `@${shown.handle}`),
    present.length
      ? h(
          "dl",
          { class: "preview-fields" },
          present.map((name) => [
            h("dt", {}, t(`field.${name}`)),
            h("dd", {}, previewValue(name, shown[name])),
          ]),
        )
      : h("p", {}, t("privacy.preview_only_handle")),
    hidden.length
      ? h(
          "div",
          { class: "preview-hidden" },
          h("p", { class: "hint", id: "preview-hidden-label" }, t("privacy.preview_hidden")),
          h(
            "ul",
            { class: "tags tags-muted", "aria-labelledby": "preview-hidden-label" },
            hidden.map((n) => h("li", {}, t(`field.${n}`))),
          ),
        )
      : null,
  );
}

function previewSection() {
  const output = h("div", { class: "preview-output", "aria-live": "polite" });
  const messages = banner();
  const buttons = {};
  const show = async (audience) => {
    messages.clear();
    for (const [name, b] of Object.entries(buttons)) {
      b.setAttribute("aria-pressed", String(name === audience));
    }
    output.setAttribute("aria-busy", "true");
    try {
      const shown = await api("GET", `/api/me/profile/preview?as=${audience}`);
      replace(output, previewCard(audience, shown, currentMember().privacy));
    } catch (error) {
      messages.error(error.detail || t("error.generic"));
    } finally {
      output.removeAttribute("aria-busy");
    }
  };
  for (const audience of ["visitor", "member"]) {
    buttons[audience] = h(
      "button",
      { type: "button", class: "button", "aria-pressed": "false", onclick: () => show(audience) },
      t(`privacy.preview_as_${audience}`),
    );
  }
  const section = h(
    "section",
    { class: "card preview", "aria-labelledby": "preview-title" },
    h("h2", { id: "preview-title" }, t("privacy.preview_title")),
    h("p", {}, t("privacy.preview_lead")),
    h("div", { class: "actions" }, buttons.visitor, buttons.member),
    messages.el,
    output,
  );
  // After saving, an open preview is fetched again so it never shows stale settings.
  const refresh = () => {
    const open = Object.entries(buttons).find(([, b]) => b.getAttribute("aria-pressed") === "true");
    if (open) show(open[0]);
  };
  return { section, refresh };
}

export default {
  title: "privacy.title",
  render() {
    const { privacy } = currentMember();
    const messages = banner();
    const levelOptions = LEVELS.map((level) => ({ value: level, label: t(`visibility.${level}`) }));
    const visibility = Object.fromEntries(
      PROFILE_FIELDS.map((name) => [
        name,
        field({
          id: `privacy-${name}`,
          label: t(`field.${name}`),
          kind: "select",
          value: privacy.field_visibility[name] || "nobody",
          options: levelOptions,
        }),
      ]),
    );
    const whoCanMessage = choiceGroup({
      id: "privacy-who-can-message",
      legend: t("privacy.who_can_message"),
      type: "radio",
      choices: WHO_CAN_MESSAGE.map((value) => ({
        value,
        label: t(`privacy.message_${value}`),
      })),
      checked: [privacy.who_can_message],
    });
    const showOnline = field({
      id: "privacy-show-online",
      label: t("privacy.show_online"),
      hint: t("privacy.show_online_hint"),
      kind: "checkbox",
      checked: privacy.show_online,
    });
    const readReceipts = field({
      id: "privacy-read-receipts",
      label: t("privacy.read_receipts"),
      hint: t("privacy.read_receipts_hint"),
      kind: "checkbox",
      checked: privacy.read_receipts,
    });
    const preview = previewSection();

    const form = h(
      "form",
      { class: "form card" },
      h(
        "fieldset",
        { class: "visibility" },
        h("legend", {}, t("privacy.fields_legend")),
        h("p", { class: "hint" }, t("privacy.fields_hint")),
        h("div", { class: "visibility-grid" }, Object.values(visibility).map((f) => f.wrapper)),
      ),
      whoCanMessage.wrapper,
      h(
        "fieldset",
        { class: "choices" },
        h("legend", {}, t("privacy.activity_legend")),
        showOnline.wrapper,
        readReceipts.wrapper,
      ),
      messages.el,
      h("button", { type: "submit", class: "button primary" }, t("privacy.save")),
    );

    handleSubmit(form, {
      fields: visibility,
      messages,
      async submit() {
        const body = {
          field_visibility: Object.fromEntries(
            Object.entries(visibility).map(([name, f]) => [name, f.control.value]),
          ),
          who_can_message: whoCanMessage.values()[0],
          show_online: showOnline.control.checked,
          read_receipts: readReceipts.control.checked,
        };
        const saved = await api("PATCH", "/api/me/privacy", body);
        updateMember("privacy", saved);
        messages.success(t("privacy.saved"));
        preview.refresh();
      },
    });

    return h(
      "section",
      { class: "page page-wide" },
      pageHeading(t("privacy.title")),
      h("p", { class: "lead" }, t("privacy.lead")),
      h("div", { class: "two-columns" }, form, preview.section),
    );
  },
};
