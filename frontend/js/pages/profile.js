// My profile: everything optional, each field showing who can currently see it.

import { api } from "../api.js";
import { banner, choiceGroup, field, handleSubmit, pageHeading, takeFlash } from "../components.js";
import { h } from "../dom.js";
import { hasKey, t } from "../i18n.js";
import { currentMember, updateMember } from "../session.js";

export const PROFILE_FIELDS = [
  "display_name",
  "age",
  "city",
  "pronouns",
  "bio",
  "interests",
  "languages",
];
const LANGUAGE_CHOICES = ["da", "en", "de", "sv", "no", "pl", "uk", "ar", "tr", "fa"];
const MAX_INTERESTS = 20;
const MAX_TAG = 40;

function visibleTo(privacy, name) {
  const level = privacy.field_visibility[name] || "nobody";
  const who = t(`visibility.${level}`);
  return h("span", { class: `badge badge-${level}` }, t("profile.visible_to", { who }));
}

export function languageName(code) {
  return hasKey(`langname.${code}`) ? t(`langname.${code}`) : code;
}

function splitTags(text) {
  const seen = new Set();
  return text
    .split(",")
    .map((tag) => tag.trim())
    .filter((tag) => tag && !seen.has(tag.toLowerCase()) && seen.add(tag.toLowerCase()));
}

export default {
  title: "profile.title",
  render({ path }) {
    const { profile, privacy } = currentMember();
    const messages = banner();
    const welcome = takeFlash(path);
    if (welcome) messages.success(t(welcome));

    const text = (name, { hint, ...extra } = {}) =>
      field({
        id: `profile-${name}`,
        label: t(`field.${name}`),
        hint: [hint ? `${hint} ` : null, visibleTo(privacy, name)],
        optional: true,
        value: profile[name] ?? "",
        ...extra,
      });
    const fields = {
      display_name: text("display_name", { maxlength: 60, autocomplete: "nickname" }),
      // Text, not type=number: a number field turns "abc" into "" and would silently clear the age.
      age: text("age", { inputmode: "numeric", maxlength: 3, autocomplete: "off" }),
      city: text("city", { maxlength: 80, hint: t("profile.city_hint") }),
      pronouns: text("pronouns", { maxlength: 40, hint: t("profile.pronouns_hint") }),
      bio: text("bio", { kind: "textarea", rows: 6, maxlength: 2000, hint: t("profile.bio_hint") }),
      interests: text("interests", {
        value: (profile.interests || []).join(", "),
        hint: t("profile.interests_hint"),
      }),
    };
    const others = profile.languages.filter((code) => !LANGUAGE_CHOICES.includes(code));
    const known = [...LANGUAGE_CHOICES, ...others];
    const languages = choiceGroup({
      id: "profile-languages",
      legend: t("field.languages"),
      hint: visibleTo(privacy, "languages"),
      choices: known.map((code) => ({ value: code, label: languageName(code) })),
      checked: profile.languages,
    });

    const form = h(
      "form",
      { class: "form card" },
      messages.el,
      Object.values(fields).map((f) => f.wrapper),
      languages.wrapper,
      h("button", { type: "submit", class: "button primary" }, t("profile.save")),
    );

    handleSubmit(form, {
      fields,
      messages,
      validate() {
        const problems = [];
        const age = fields.age.control.value.trim();
        if (age && !(/^\d+$/.test(age) && Number(age) >= 18 && Number(age) <= 120)) {
          problems.push(["age", t("profile.age_rule")]);
        }
        const tags = splitTags(fields.interests.control.value);
        if (tags.length > MAX_INTERESTS || tags.some((tag) => tag.length > MAX_TAG)) {
          const rule = t("profile.interests_rule", { max: MAX_INTERESTS, len: MAX_TAG });
          problems.push(["interests", rule]);
        }
        return problems;
      },
      async submit() {
        const value = (name) => fields[name].control.value.trim() || null;
        const age = value("age");
        const body = {
          display_name: value("display_name"),
          age: age === null ? null : Number(age),
          city: value("city"),
          pronouns: value("pronouns"),
          // The bio keeps its line breaks and inner spacing exactly as written.
          bio: fields.bio.control.value.trim() ? fields.bio.control.value : null,
          interests: splitTags(fields.interests.control.value),
          languages: languages.values(),
        };
        const saved = await api("PATCH", "/api/me/profile", body);
        updateMember("profile", saved);
        fields.interests.control.value = saved.interests.join(", ");
        messages.success(t("profile.saved"));
      },
    });

    return h(
      "section",
      { class: "page page-narrow" },
      pageHeading(t("profile.title")),
      h(
        "p",
        { class: "lead" },
        t("profile.lead"),
        " ",
        h("a", { href: "#/privacy" }, t("profile.privacy_link")),
      ),
      form,
    );
  },
};
