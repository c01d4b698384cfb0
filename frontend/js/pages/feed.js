// My feed: the newest posts from all the groups I belong to, with "load more".

import { api } from "../api.js";
import { pageHeading } from "../components.js";
import { h } from "../dom.js";
import { t } from "../i18n.js";
import { feedList } from "../posts.js";

const FEED_PAGE = 20;

export default {
  title: "feed.title",
  async render() {
    const feed = feedList({
      label: t("feed.title"),
      emptyText: [
        h("p", {}, t("feed.empty")),
        h("p", {}, h("a", { class: "button", href: "#/groups" }, t("feed.find_groups"))),
      ],
      // Every post here is from a group I am an active member of, so I may react.
      cardOptions: { showGroup: true, canReact: true },
      fetchPage: (before) =>
        api("GET", `/api/feed?limit=${FEED_PAGE}${before ? `&before=${before}` : ""}`),
    });
    await feed.loadFirst();
    return h(
      "section",
      { class: "page page-feed" },
      pageHeading(t("feed.title")),
      h("p", { class: "lead" }, t("feed.lead")),
      feed.el,
    );
  },
};
