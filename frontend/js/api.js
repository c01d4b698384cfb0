// The one way the frontend talks to /api: JSON, same-origin cookies, the CSRF header on
// writes, one silent token refresh on a 401, and the server's translated message on errors.

import { language, t } from "./i18n.js";

const CSRF_COOKIE = "samvaer_csrf";
const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);
// These answer 401 for reasons a refresh cannot fix (wrong password, no session).
const NO_REFRESH = [
  "/api/auth/login",
  "/api/auth/register",
  "/api/auth/refresh",
  "/api/auth/logout",
];

export class ApiError extends Error {
  constructor(status, code, detail, errors = []) {
    super(detail);
    this.status = status;
    this.code = code;
    this.detail = detail;
    this.errors = errors; // validation errors: [{loc: ["body", "age"], type, msg}]
  }

  /** Field names the server rejected, from a 422's error list. */
  get fields() {
    return this.errors.map((e) => e.loc?.[1]).filter((name) => typeof name === "string");
  }
}

function cookie(name) {
  for (const part of document.cookie.split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return decodeURIComponent(rest.join("="));
  }
  return "";
}

/** The CSRF cookie lives as long as the session's refresh token, so it says "maybe logged in". */
export function hasSession() {
  return cookie(CSRF_COOKIE) !== "";
}

const sessionLostListeners = new Set();
export function onSessionLost(listener) {
  sessionLostListeners.add(listener);
}

async function send(method, path, body) {
  const headers = { Accept: "application/json", "Accept-Language": language() };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (UNSAFE.has(method)) {
    const token = cookie(CSRF_COOKIE);
    if (token) headers["X-CSRF-Token"] = token;
  }
  return fetch(path, {
    method,
    headers,
    credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

// Refresh tokens rotate and a reused one ends the session, so concurrent 401s share one refresh.
let refreshing = null;
function refreshOnce() {
  if (!refreshing) {
    refreshing = send("POST", "/api/auth/refresh")
      .then((r) => r.ok)
      .catch(() => false)
      .finally(() => {
        refreshing = null;
      });
  }
  return refreshing;
}

async function errorFrom(response) {
  let data = null;
  try {
    data = await response.json();
  } catch {
    // Not JSON (a proxy error page, say): fall back to our own words.
  }
  const code = data?.code || "http_error";
  const detail = typeof data?.detail === "string" ? data.detail : t("error.generic");
  const errors = Array.isArray(data?.errors) ? data.errors : [];
  return new ApiError(response.status, code, detail, errors);
}

/** api("PATCH", "/api/me/profile", {city: "Odense"}) → parsed JSON, or null for 204. */
export async function api(method, path, body) {
  let response;
  try {
    response = await send(method, path, body);
    if (response.status === 401 && !NO_REFRESH.includes(path)) {
      if (hasSession() && (await refreshOnce())) {
        response = await send(method, path, body);
      }
      if (response.status === 401) {
        for (const listener of sessionLostListeners) listener();
      }
    }
  } catch {
    throw new ApiError(0, "network", t("error.network"));
  }
  if (!response.ok) throw await errorFrom(response);
  if (response.status === 204) return null;
  return response.json();
}
