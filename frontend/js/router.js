// A hash router (#/path?query), so the server never needs a fallback route.
// Routes: {path, page, auth?, guestOnly?}; a page is {title, render(ctx) → Node | Promise<Node>}.

import { currentMember } from "./session.js";

let routes = [];
let notFound = null;
let renderPage = null;
let currentKey = null;

/** The location as {path, query}; hashes that are not routes (a skip link's #main) give null. */
export function parseHash(hash = location.hash) {
  if (hash === "" || hash === "#") return { path: "/", query: new URLSearchParams() };
  if (!hash.startsWith("#/")) return null;
  const [path, search = ""] = hash.slice(1).split("?");
  return { path: path.replace(/\/+$/, "") || "/", query: new URLSearchParams(search) };
}

export function href(path, query = {}) {
  const search = new URLSearchParams(query).toString();
  return `#${path}${search ? `?${search}` : ""}`;
}

/** Go to a page; if the hash already says so (a redirect got there first), just make sure. */
export function navigate(path, query = {}) {
  const target = href(path, query);
  if (location.hash === target) route();
  else location.hash = target;
}

function match(path) {
  for (const r of routes) {
    const names = [];
    const pattern = new RegExp(
      `^${r.path.replace(/:(\w+)/g, (_, name) => {
        names.push(name);
        return "([^/]+)";
      })}$`,
    );
    const found = pattern.exec(path);
    if (found) {
      try {
        const params = Object.fromEntries(
          names.map((n, i) => [n, decodeURIComponent(found[i + 1])]),
        );
        return { route: r, params };
      } catch {
        break; // a malformed %-escape is no page of ours
      }
    }
  }
  return { route: notFound, params: {} };
}

/** The route entry a path leads to (the fallback when none matches). */
export function routeFor(path) {
  return match(path).route;
}

/** Render the route for the current hash; `force` re-renders the same page (language change). */
export async function route({ force = false, moveFocus = true } = {}) {
  const location_ = parseHash();
  if (location_ === null) return; // an in-page anchor, not a page
  const { path, query } = location_;
  const { route: r, params } = match(path);
  if (r.auth && !currentMember()) {
    navigate("/login", { next: path });
    return;
  }
  // A forced re-render (new language) leaves a login form in place; its own submit moves on.
  if (r.guestOnly && currentMember() && !force) {
    navigate("/profile");
    return;
  }
  const key = `${path}?${query}`;
  if (key === currentKey && !force) return;
  currentKey = key;
  await renderPage(r.page, { path, params, query }, { moveFocus, keepInput: force });
}

/** Wire the table and the function that puts a page on screen (the app shell owns that). */
export function startRouter({ table, fallback, render }) {
  routes = table;
  notFound = fallback;
  renderPage = render;
  window.addEventListener("hashchange", () => route());
}
