// The app shell: loads translations and the session, draws the navigation, and puts pages
// into <main>, moving focus to each new page's heading and announcing it.

import { ApiError, api, onSessionLost } from "./api.js";
import { startBell } from "./bell.js";
import { banner, flash, pageHeading, takeFlash } from "./components.js";
import { h, replace } from "./dom.js";
import {
  LANGUAGES,
  applyTranslations,
  hasStoredLanguage,
  initI18n,
  language,
  onLanguageChange,
  setLanguage,
  t,
} from "./i18n.js";
import account from "./pages/account.js";
import chatConversation from "./pages/chat-conversation.js";
import chatList from "./pages/chat-list.js";
import chatNew from "./pages/chat-new.js";
import feed from "./pages/feed.js";
import group from "./pages/group.js";
import groups from "./pages/groups.js";
import help from "./pages/help.js";
import home from "./pages/home.js";
import login from "./pages/login.js";
import mod from "./pages/mod.js";
import notFound from "./pages/not-found.js";
import notifications from "./pages/notifications.js";
import post from "./pages/post.js";
import privacy from "./pages/privacy.js";
import profile from "./pages/profile.js";
import register from "./pages/register.js";
import { navigate, parseHash, route, routeFor, startRouter } from "./router.js";
import { currentMember, loadMember, logOut, onMemberChange, updateMember } from "./session.js";

// Later domains (groups, posts, chat, moderation) add their pages here.
const ROUTES = [
  { path: "/", page: home },
  { path: "/login", page: login, guestOnly: true },
  { path: "/register", page: register, guestOnly: true },
  { path: "/profile", page: profile, auth: true },
  { path: "/privacy", page: privacy, auth: true },
  { path: "/account", page: account, auth: true },
  { path: "/groups", page: groups, auth: true },
  { path: "/groups/:slug", page: group, auth: true },
  { path: "/posts/:id", page: post, auth: true },
  { path: "/feed", page: feed, auth: true },
  { path: "/notifications", page: notifications, auth: true },
  { path: "/chat", page: chatList, auth: true },
  { path: "/chat/new", page: chatNew, auth: true },
  { path: "/chat/:id", page: chatConversation, auth: true },
  { path: "/mod", page: mod, auth: true },
  { path: "/hjaelp", page: help },
];

// Navigation entries: [path, label key], shown to guests or to members.
const GUEST_NAV = [
  ["/", "nav.home"],
  ["/login", "nav.login"],
  ["/register", "nav.register"],
];
const MEMBER_NAV = [
  ["/", "nav.home"],
  ["/groups", "nav.groups"],
  ["/feed", "nav.feed"],
  ["/chat", "nav.chat"],
  ["/profile", "nav.profile"],
  ["/privacy", "nav.privacy"],
  ["/account", "nav.account"],
];

// Only for site moderators and admins; the API refuses everyone else anyway.
const MODERATOR_NAV = [["/mod", "nav.mod"]];

const main = document.getElementById("main");
const navList = document.getElementById("nav-list");
const languageSwitch = document.getElementById("language-switch");
const announcer = document.getElementById("announcer");
let renderCount = 0;

function renderNav() {
  const me = currentMember();
  const here = parseHash()?.path;
  const isModerator = ["moderator", "admin"].includes(me?.account.role);
  const entries = me ? [...MEMBER_NAV, ...(isModerator ? MODERATOR_NAV : [])] : GUEST_NAV;
  const items = entries.map(([path, key]) =>
    h(
      "li",
      {},
      h("a", { href: `#${path}`, "aria-current": path === here ? "page" : null }, t(key)),
    ),
  );
  if (me) {
    items.push(
      h(
        "li",
        {},
        h(
          "button",
          {
            type: "button",
            class: "link-button",
            onclick: async () => {
              await logOut();
              flash("account.logged_out", "/");
              navigate("/");
            },
          },
          t("nav.logout"),
        ),
      ),
    );
  }
  replace(navList, items);
  const crisis = document.getElementById("crisis-link");
  if (here === "/hjaelp") crisis.setAttribute("aria-current", "page");
  else crisis.removeAttribute("aria-current");
}

function renderLanguageSwitch() {
  replace(
    languageSwitch,
    LANGUAGES.map((lang) =>
      h(
        "button",
        {
          type: "button",
          class: "lang-button",
          lang,
          "aria-pressed": String(lang === language()),
          onclick: () => setLanguage(lang),
        },
        t(`language.${lang}`),
      ),
    ),
  );
}

/** What the member has typed on the page, by field id, so a re-render can put it back. */
function typedInput() {
  return [...main.querySelectorAll("input[id], select[id], textarea[id]")].map((el) => [
    el.id,
    el.type === "checkbox" || el.type === "radio" ? el.checked : el.value,
  ]);
}

function restoreInput(saved) {
  for (const [id, value] of saved) {
    const el = document.getElementById(id);
    if (!el) continue;
    if (el.type === "checkbox" || el.type === "radio") el.checked = value;
    else el.value = value;
  }
}

async function renderPage(page, ctx, { moveFocus, keepInput }) {
  const mine = ++renderCount;
  const saved = keepInput ? typedInput() : [];
  main.setAttribute("aria-busy", "true");
  let content;
  try {
    content = await page.render(ctx);
  } catch (error) {
    if (!(error instanceof ApiError)) console.error(error); // a bug, not a refusal: keep it loud
    const messages = banner();
    messages.error(error.detail || t("error.generic"));
    const heading = pageHeading(t("error.title"));
    content = h("section", { class: "page page-narrow" }, heading, messages.el);
  }
  if (mine !== renderCount) return; // a newer navigation won
  const notice = takeFlash(ctx.path);
  const noticeBanner = notice ? banner() : null;
  noticeBanner?.success(t(notice));
  replace(main, noticeBanner?.el, content);
  restoreInput(saved);
  main.dataset.path = ctx.path; // which page is on screen, for tests and styling hooks
  main.removeAttribute("aria-busy");
  const heading = main.querySelector("h1");
  const title = heading ? heading.textContent : t(page.title);
  document.title = `${title} · ${t("app.name")}`;
  renderNav();
  if (moveFocus && heading) {
    heading.focus();
    announcer.textContent = t("a11y.page_loaded", { title });
  }
}

/** On a fresh login: the device's choice wins and is saved; otherwise the account's applies. */
async function syncLanguage(me) {
  if (!me) return;
  if (!hasStoredLanguage()) setLanguage(me.account.language, { remember: false });
  else if (me.account.language !== language()) await saveLanguage(language());
}

async function saveLanguage(lang) {
  const me = currentMember();
  if (!me || me.account.language === lang) return;
  try {
    updateMember("account", await api("PATCH", "/api/me/account", { language: lang }));
  } catch {
    // The choice still holds on this device; the account keeps the old one until next time.
  }
}

async function start() {
  await initI18n();
  renderLanguageSwitch();
  startBell(languageSwitch.parentElement, languageSwitch);
  document.querySelector(".skip-link").addEventListener("click", (event) => {
    event.preventDefault();
    (main.querySelector("h1") || main).focus();
  });

  let wasMember = false;
  onMemberChange((me) => {
    renderNav();
    if (me && !wasMember) syncLanguage(me);
    wasMember = Boolean(me);
  });
  // Only a page that needs a login is left; on public pages the member simply becomes a guest.
  onSessionLost(() => {
    const here = parseHash()?.path || "/";
    if (!routeFor(here).auth) {
      route({ force: true, moveFocus: false });
      return;
    }
    flash("error.session_ended", "/login");
    navigate("/login", { next: here });
  });
  onLanguageChange((lang) => {
    applyTranslations(document);
    renderLanguageSwitch();
    renderNav();
    saveLanguage(lang);
    route({ force: true, moveFocus: false });
  });

  startRouter({ table: ROUTES, fallback: { page: notFound }, render: renderPage });
  try {
    await loadMember();
  } catch {
    // The server could not be reached: public pages still work; each action reports its error.
  }
  await route({ moveFocus: false });
}

start();
