// The front page: what Samvær is, for guests; a calm starting point for members.

import { crisisLink, pageHeading } from "../components.js";
import { h } from "../dom.js";
import { t } from "../i18n.js";
import { currentMember } from "../session.js";

function guest() {
  return [
    pageHeading(t("home.title")),
    h("p", { class: "lead" }, t("home.lead")),
    h(
      "ul",
      { class: "promises" },
      ["home.promise_privacy", "home.promise_anonymous", "home.promise_data"].map((key) =>
        h("li", {}, t(key)),
      ),
    ),
    h(
      "p",
      { class: "actions" },
      h("a", { class: "button primary", href: "#/register" }, t("nav.register")),
      h("a", { class: "button", href: "#/login" }, t("nav.login")),
    ),
  ];
}

function member(me) {
  const name = me.profile.display_name || me.account.handle;
  const card = (href, title, text) =>
    h("li", {}, h("a", { class: "card-link", href }, h("strong", {}, title), h("span", {}, text)));
  return [
    pageHeading(t("home.hello", { name })),
    h("p", { class: "lead" }, t("home.welcome_back")),
    h(
      "ul",
      { class: "cards" },
      card("#/profile", t("nav.profile"), t("home.card_profile")),
      card("#/privacy", t("nav.privacy"), t("home.card_privacy")),
      card("#/account", t("nav.account"), t("home.card_account")),
    ),
  ];
}

export default {
  title: "home.page_title",
  render() {
    const me = currentMember();
    return h(
      "section",
      { class: "page page-home" },
      h("div", { class: "home-intro" }, me ? member(me) : guest()),
      h("aside", { class: "gentle-note" }, h("p", {}, t("home.not_emergency")), crisisLink()),
    );
  },
};
