// Who is logged in: the member's account, profile and privacy settings from GET /api/me.

import { api, hasSession, onSessionLost } from "./api.js";

let me = null;
const listeners = new Set();

function changed() {
  for (const listener of listeners) listener(me);
}

export function currentMember() {
  return me;
}

export function onMemberChange(listener) {
  listeners.add(listener);
}

/** Ask the server who we are; without a session cookie we know already, and skip the request. */
export async function loadMember() {
  if (!hasSession()) {
    me = null;
  } else {
    try {
      me = await api("GET", "/api/me");
    } catch (error) {
      if (error.status !== 401) throw error;
      me = null;
    }
  }
  changed();
  return me;
}

/** Keep the cached copy in step after a successful PATCH (profile, privacy or account). */
export function updateMember(part, value) {
  if (!me) return;
  me = { ...me, [part]: value };
  changed();
}

/** `extra` carries a two-step login code ({totp_code}) when the account asks for one. */
export async function logIn(handle, password, extra = {}) {
  await api("POST", "/api/auth/login", { handle, password, ...extra, use_cookies: true });
  return loadMember();
}

export async function logOut() {
  try {
    await api("POST", "/api/auth/logout");
  } finally {
    me = null;
    changed();
  }
}

/** After account deletion the server has already cleared the cookies. */
export function forget() {
  me = null;
  changed();
}

onSessionLost(() => {
  if (me) forget();
});
