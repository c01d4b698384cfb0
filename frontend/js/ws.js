// The live socket: one per tab while a member is logged in, authenticated by the session
// cookie. It reconnects with backoff and jitter, resumes from the last message it holds in each
// conversation, pings every 25 s, and hands every frame to whoever listens for its type.

import { ApiError, api } from "./api.js";
import { currentMember, onMemberChange } from "./session.js";

const HEARTBEAT_MS = 25_000;
const BACKOFF_FIRST_MS = 1_000;
const BACKOFF_MAX_MS = 30_000;
// Too many open tabs: waiting longer gives the member time to close some.
const TOO_MANY_WAIT_MS = 30_000;
const CURSORS_KEY = "samvaer.chat.cursors";
// The server accepts at most this many conversations in one resume.
const MAX_RESUME = 1000;

// Close codes the server uses (see its protocol description).
const CLOSE_RESYNC = 4000;
const CLOSE_AUTH = 4401;
const CLOSE_IDLE = 4408;
const CLOSE_TOO_MANY = 4429;

let socket = null;
let wanted = false;
let status = "offline"; // offline | connecting | online
let reason = null; // why we are offline: null | "network" | "too_many"
let attempt = 0;
let retryTimer = null;
let heartbeatTimer = null;
let pingSentAt = 0;
let lastHeardAt = 0;
let owner = null; // the handle the cursors belong to

const cursors = new Map(); // conversation id -> last seq this tab holds

// A page that was never put on screen (a newer navigation won) gets this long to appear.
const UNSEEN_GRACE_MS = 10_000;

/**
 * Listeners that may belong to an element: such a listener ends once its element has left the
 * page (re-rendered, or navigated away), so pages need no teardown of their own.
 */
export function listenerSet() {
  const entries = new Set();
  const alive = (entry) => {
    if (!entry.owner) return true;
    if (entry.owner.isConnected) {
      entry.seen = true;
      return true;
    }
    if (entry.seen || Date.now() - entry.born > UNSEEN_GRACE_MS) {
      entries.delete(entry);
      return false;
    }
    return true;
  };
  return {
    add(fn, owner = null) {
      const entry = { fn, owner, born: Date.now(), seen: false };
      entries.add(entry);
      return () => entries.delete(entry);
    },
    call(...args) {
      for (const entry of [...entries]) {
        if (!alive(entry)) continue;
        try {
          entry.fn(...args);
        } catch (error) {
          console.error(error); // one broken listener must not stop the others
        }
      }
    },
  };
}

const frameListeners = new Map(); // frame type ("*" for all) -> listenerSet
const statusListeners = listenerSet();

// Cursors

function loadCursors(handle) {
  cursors.clear();
  owner = handle;
  try {
    const saved = JSON.parse(sessionStorage.getItem(CURSORS_KEY) || "null");
    if (saved?.handle !== handle) return;
    for (const [id, seq] of Object.entries(saved.cursors)) {
      if (Number.isInteger(seq) && seq >= 0) cursors.set(Number(id), seq);
    }
  } catch {
    // Storage may be off or hold something unreadable: start from the read marks instead.
  }
}

function saveCursors() {
  try {
    sessionStorage.setItem(
      CURSORS_KEY,
      JSON.stringify({ handle: owner, cursors: Object.fromEntries(cursors) }),
    );
  } catch {
    // Without storage the cursors live in memory only; a reload replays from the read marks.
  }
}

function forgetCursors() {
  cursors.clear();
  owner = null;
  try {
    sessionStorage.removeItem(CURSORS_KEY);
  } catch {
    // Nothing stored.
  }
}

function advance(message) {
  const id = message?.conversation_id;
  if (!Number.isInteger(id) || !Number.isInteger(message.seq)) return;
  if (message.seq > (cursors.get(id) || 0)) {
    cursors.set(id, message.seq);
    saveCursors();
  }
}

function resumeFrame() {
  // Newer conversations have higher ids; if ever more than the server takes, keep those.
  const ids = [...cursors.keys()].sort((a, b) => b - a).slice(0, MAX_RESUME);
  return { type: "resume", after: Object.fromEntries(ids.map((id) => [id, cursors.get(id)])) };
}

// Listeners

/** Call `fn(frame)` for frames of `type` ("*" for all), while `owner` (if given) is shown. */
export function onFrame(type, fn, owner = null) {
  if (!frameListeners.has(type)) frameListeners.set(type, listenerSet());
  return frameListeners.get(type).add(fn, owner);
}

/** Call `fn(status, reason)` now and on every change of the connection status. */
export function onStatus(fn, owner = null) {
  fn(status, reason);
  return statusListeners.add(fn, owner);
}

function dispatch(frame) {
  frameListeners.get(frame.type)?.call(frame);
  frameListeners.get("*")?.call(frame);
}

function setStatus(next, why = null) {
  if (next === status && why === reason) return;
  status = next;
  reason = why;
  statusListeners.call(status, reason);
}

// Sending

/** Send a frame if the socket is open and caught up; false when it could not be sent now. */
export function sendFrame(frame) {
  if (!socket || socket.readyState !== WebSocket.OPEN || status !== "online") return false;
  try {
    socket.send(JSON.stringify(frame));
    return true;
  } catch {
    return false;
  }
}

// The connection

function socketUrl() {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}/ws`;
}

function connect() {
  clearTimeout(retryTimer);
  retryTimer = null;
  if (!wanted || socket) return;
  setStatus("connecting");
  let ws;
  try {
    ws = new WebSocket(socketUrl());
  } catch {
    scheduleRetry();
    return;
  }
  socket = ws;
  ws.addEventListener("open", () => {
    if (socket !== ws) return;
    lastHeardAt = Date.now();
    pingSentAt = 0;
    // First frame, every time: what we hold, so the server sends exactly what is missing.
    ws.send(JSON.stringify(resumeFrame()));
    startHeartbeat();
  });
  ws.addEventListener("message", (event) => {
    if (socket !== ws) return;
    lastHeardAt = Date.now();
    let frame;
    try {
      frame = JSON.parse(event.data);
    } catch {
      return;
    }
    if (frame && typeof frame.type === "string") received(frame);
  });
  ws.addEventListener("close", (event) => {
    if (socket !== ws) return;
    socket = null;
    stopHeartbeat();
    closed(event.code);
  });
}

function received(frame) {
  if (frame.type === "message" || frame.type === "ack") advance(frame.message);
  if (frame.type === "resumed") {
    attempt = 0;
    setStatus("online");
  }
  if (frame.type !== "pong") dispatch(frame);
}

function closed(code) {
  if (!wanted) {
    setStatus("offline");
    return;
  }
  if (code === CLOSE_AUTH) {
    setStatus("connecting");
    retryTimer = setTimeout(checkSession, jittered(BACKOFF_FIRST_MS));
  } else if (code === CLOSE_TOO_MANY) {
    setStatus("offline", "too_many");
    retryTimer = setTimeout(connect, jittered(TOO_MANY_WAIT_MS));
  } else if (code === CLOSE_RESYNC || code === CLOSE_IDLE) {
    // The server asks us to come back and catch up; no reason to wait long.
    setStatus("connecting");
    retryTimer = setTimeout(connect, jittered(BACKOFF_FIRST_MS / 4));
  } else {
    scheduleRetry();
  }
}

/** 4401: the access cookie may just have expired. One request renews it, or ends the session. */
async function checkSession() {
  retryTimer = null;
  if (!wanted || !currentMember()) return;
  try {
    await api("GET", "/api/me");
  } catch (error) {
    // A 401 means the session is over: the app's session-lost handler takes the member to login.
    if (error instanceof ApiError && error.status === 401) return;
    scheduleRetry();
    return;
  }
  if (attempt > 0) scheduleRetry();
  else {
    attempt += 1;
    connect();
  }
}

function jittered(ms) {
  return ms / 2 + Math.random() * (ms / 2);
}

function scheduleRetry() {
  if (!wanted || retryTimer) return;
  const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** attempt);
  attempt += 1;
  setStatus("offline", "network");
  retryTimer = setTimeout(connect, jittered(delay));
}

/** Give up on the current socket at once (it may be half-open) and try again later. */
function drop() {
  const ws = socket;
  socket = null;
  stopHeartbeat();
  if (ws) {
    try {
      ws.close(1000);
    } catch {
      // Already closing.
    }
  }
}

function startHeartbeat() {
  stopHeartbeat();
  heartbeatTimer = setInterval(() => {
    // Nothing at all since the last ping: the connection is gone even if nobody said so.
    // Checking against the ping (not the clock) keeps background-tab timer throttling harmless.
    if (pingSentAt && lastHeardAt < pingSentAt) {
      drop();
      scheduleRetry();
      return;
    }
    pingSentAt = Date.now();
    if (socket?.readyState === WebSocket.OPEN) socket.send('{"type":"ping"}');
  }, HEARTBEAT_MS);
}

function stopHeartbeat() {
  clearInterval(heartbeatTimer);
  heartbeatTimer = null;
}

function start(handle) {
  if (wanted && owner === handle) return;
  if (wanted) stop(); // another member in this tab: nothing of the last one carries over
  loadCursors(handle);
  wanted = true;
  attempt = 0;
  connect();
}

function stop() {
  wanted = false;
  clearTimeout(retryTimer);
  retryTimer = null;
  drop();
  forgetCursors();
  setStatus("offline");
}

onMemberChange((me) => {
  if (me) start(me.account.handle);
  else stop();
});

window.addEventListener("offline", () => {
  if (!wanted) return;
  drop();
  clearTimeout(retryTimer);
  retryTimer = null;
  scheduleRetry();
});

window.addEventListener("online", () => {
  if (!wanted) return;
  attempt = 0;
  if (!socket) connect();
});
