// Any hash that is not a page.

import { pageHeading } from "../components.js";
import { h } from "../dom.js";
import { t } from "../i18n.js";

export default {
  title: "notfound.title",
  render() {
    return h(
      "section",
      { class: "page page-narrow" },
      pageHeading(t("notfound.title")),
      h("p", {}, t("notfound.text")),
      h("p", {}, h("a", { class: "button", href: "#/" }, t("notfound.home"))),
    );
  },
};
