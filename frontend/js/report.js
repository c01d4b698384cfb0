// Reporting something to the moderators (POST /api/reports): what is reported, why, and
// optional details. The reported member is never told who reported.

import { api } from "./api.js";
import { banner, choiceGroup, field, handleSubmit } from "./components.js";
import { h, replace } from "./dom.js";
import { t } from "./i18n.js";

const REPORT_REASONS = [
  "harassment",
  "hate",
  "self_harm_risk",
  "spam",
  "sexual_content",
  "private_info",
  "other",
];
const MAX_DETAILS = 1000;

/**
 * A report form for one item. `quote` shows what is reported; `onDone(sent)` hears true after
 * a report was sent and false when the member changed their mind.
 */
export function reportPanel({ id, targetType, targetId, title, quote, onDone }) {
  const messages = banner();
  const reasons = choiceGroup({
    id: `${id}-reason`,
    legend: t("report.reason_legend"),
    type: "radio",
    choices: REPORT_REASONS.map((value) => ({ value, label: t(`report.reason_${value}`) })),
  });
  // The reasons are one choice under a legend; an error is shown inside that group.
  const reasonError = h("p", { class: "field-error", id: `${id}-reason-error`, hidden: true });
  reasons.wrapper.append(reasonError);
  const reason = {
    control: reasons.controls[0],
    setError(message) {
      replace(reasonError, message);
      reasonError.hidden = false;
      reasons.wrapper.setAttribute("aria-describedby", reasonError.id);
    },
    clearError() {
      replace(reasonError);
      reasonError.hidden = true;
      reasons.wrapper.removeAttribute("aria-describedby");
    },
  };
  const details = field({
    id: `${id}-details`,
    label: t("report.details_label"),
    kind: "textarea",
    rows: 3,
    optional: true,
    hint: t("report.details_hint", { max: MAX_DETAILS }),
  });
  const form = h(
    "form",
    { class: "form" },
    messages.el,
    reasons.wrapper,
    details.wrapper,
    h(
      "div",
      { class: "actions" },
      h("button", { type: "submit", class: "button primary" }, t("report.send")),
      h(
        "button",
        { type: "button", class: "button", onclick: () => onDone(false) },
        t("report.cancel"),
      ),
    ),
  );
  handleSubmit(form, {
    fields: { reason, details },
    messages,
    validate() {
      const problems = [];
      if (!reasons.values().length) problems.push(["reason", t("report.reason_required")]);
      if ([...details.control.value].length > MAX_DETAILS) {
        problems.push(["details", t("report.details_too_long", { max: MAX_DETAILS })]);
      }
      return problems;
    },
    async submit() {
      const text = details.control.value.trim();
      await api("POST", "/api/reports", {
        target_type: targetType,
        target_id: targetId,
        reason: reasons.values()[0],
        ...(text ? { text } : {}),
      });
      onDone(true);
    },
  });
  const headingId = `${id}-title`;
  return h(
    "section",
    { class: "card report-panel", id, "aria-labelledby": headingId },
    h("h2", { id: headingId, tabindex: "-1" }, title),
    quote ? h("blockquote", { class: "report-quote" }, quote) : null,
    h("p", { class: "hint" }, t("report.anonymous")),
    form,
  );
}
