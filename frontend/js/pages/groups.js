// The group directory: every subgroup, filtered by category and found by words, with where I
// stand in each. Results change in place, so focus stays in the search form.

import { ApiError, api } from "../api.js";
import { banner, field, pageHeading } from "../components.js";
import { h, replace } from "../dom.js";
import { t } from "../i18n.js";
import { groupHref, localText } from "../posts.js";
import { richText } from "../richtext.js";

const PAGE_SIZE = 50;

function memberCount(n) {
  return n === 1 ? t("groups.members_one") : t("groups.members_many", { count: n });
}

/** The category, unless the group is simply named after it (as the first group of each is). */
export function categoryLine(group, tag = "p") {
  const category = localText(group.category);
  return category === localText(group) ? null : h(tag, { class: "group-category" }, category);
}

/** Small labels: how to join, and whether I am in already. */
export function groupBadges(group) {
  const badges = [];
  if (group.kind === "request") badges.push(h("li", {}, t("groups.kind_request")));
  if (group.membership?.status === "active") {
    badges.push(h("li", { class: "badge-mine" }, t("groups.you_are_member")));
  } else if (group.membership?.status === "pending") {
    badges.push(h("li", { class: "badge-pending" }, t("groups.you_requested")));
  }
  return badges.length ? h("ul", { class: "tags group-badges" }, badges) : null;
}

function groupCard(group) {
  const titleId = `group-${group.slug}-title`;
  return h(
    "li",
    {},
    h(
      "article",
      { class: "group-card", "aria-labelledby": titleId },
      h("h2", { id: titleId }, h("a", { href: groupHref(group.slug) }, localText(group))),
      categoryLine(group),
      richText(localText(group, "description"), { tag: "p", className: "group-description" }),
      h(
        "div",
        { class: "group-facts" },
        h("span", { class: "member-count" }, memberCount(group.member_count)),
        groupBadges(group),
      ),
    ),
  );
}

function query(params) {
  const search = new URLSearchParams({ limit: String(PAGE_SIZE) });
  for (const [key, value] of Object.entries(params)) if (value) search.set(key, value);
  return `/api/groups?${search}`;
}

export default {
  title: "groups.title",
  async render({ query: initial }) {
    const categories = await api("GET", "/api/categories");
    const known = new Set(categories.map((c) => c.slug));
    const startCategory = known.has(initial.get("category")) ? initial.get("category") : "";
    const startWords = (initial.get("q") || "").slice(0, 100);

    const messages = banner();
    const category = field({
      id: "groups-category",
      label: t("groups.category_label"),
      kind: "select",
      value: startCategory,
      options: [
        { value: "", label: t("groups.all_categories") },
        ...categories.map((c) => ({ value: c.slug, label: localText(c) })),
      ],
    });
    const words = field({
      id: "groups-search",
      label: t("groups.search_label"),
      type: "search",
      maxlength: 100,
      value: startWords,
      autocomplete: "off",
      enterkeyhint: "search",
    });
    const status = h("p", { class: "results-status", role: "status" });
    const list = h("ul", { class: "group-list" });
    const more = h(
      "button",
      { type: "button", class: "button load-more", hidden: true },
      t("groups.load_more"),
    );
    let current = {};
    let cursor = null;

    const show = (page, append) => {
      const cards = page.items.map(groupCard);
      if (append) list.append(...cards);
      else replace(list, cards);
      cursor = page.next_cursor;
      more.hidden = !cursor;
      const shown = list.childElementCount;
      const filtered = Boolean(current.category || current.q);
      replace(
        status,
        shown === 0
          ? t(filtered ? "groups.none_found" : "groups.none")
          : t(shown === 1 ? "groups.shown_one" : "groups.shown_many", { count: shown }),
      );
      return cards;
    };

    const load = async (params) => {
      current = params;
      return show(await api("GET", query(params)), false);
    };

    const form = h(
      "form",
      { class: "group-search card", role: "search", "aria-label": t("groups.search_title") },
      h("div", { class: "search-fields" }, category.wrapper, words.wrapper),
      h("button", { type: "submit", class: "button primary" }, t("groups.search_button")),
    );
    form.setAttribute("novalidate", "");
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (form.getAttribute("aria-busy") === "true") return;
      messages.clear();
      form.setAttribute("aria-busy", "true");
      try {
        await load({ category: category.control.value, q: words.control.value.trim() });
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        messages.error(error.detail);
      } finally {
        form.removeAttribute("aria-busy");
      }
    });
    more.addEventListener("click", async () => {
      if (more.getAttribute("aria-disabled") === "true") return;
      messages.clear();
      more.setAttribute("aria-disabled", "true");
      try {
        const cards = show(await api("GET", query({ ...current, before: cursor })), true);
        cards[0]?.querySelector("h2 a").focus();
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        messages.error(error.detail);
      } finally {
        more.removeAttribute("aria-disabled");
      }
    });

    await load({ category: startCategory, q: startWords });
    return h(
      "section",
      { class: "page page-groups" },
      pageHeading(t("groups.title")),
      h("p", { class: "lead" }, t("groups.lead")),
      form,
      messages.el,
      status,
      list,
      more,
    );
  },
};
