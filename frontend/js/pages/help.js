// The crisis page: where to call right now. Reachable from every page, logged in or not.

import { pageHeading } from "../components.js";
import { CRISIS_LINES } from "../crisis.js";
import { h } from "../dom.js";
import { t } from "../i18n.js";

function line({ id, number, tel, urgent }) {
  return h(
    "li",
    { class: ["crisis-line", urgent ? "crisis-line-urgent" : ""] },
    h("h2", {}, t(`crisis.${id}.name`)),
    h("p", {}, t(`crisis.${id}.about`)),
    h(
      "a",
      { class: ["button", "call", urgent ? "" : "primary"], href: `tel:${tel}` },
      t("crisis.call"),
      " ",
      h("span", { class: "number" }, number),
    ),
  );
}

export default {
  title: "crisis.title",
  render() {
    return h(
      "section",
      { class: "page page-help" },
      pageHeading(t("crisis.title")),
      h("p", { class: "lead" }, t("crisis.lead")),
      h("ul", { class: "crisis-lines" }, CRISIS_LINES.map(line)),
      h("p", {}, t("crisis.not_alone")),
      h("p", { class: "note" }, t("crisis.not_emergency_service")),
    );
  },
};
