// Chat state the chat pages share: messages on their way (pending or failed) whose retries
// reuse their client_id so they can never arrive twice, typing and read notices, crisis
// support for the writer, and small building blocks (connection status, times, counter).

import { ApiError, api } from "./api.js";
import { h, replace } from "./dom.js";
import { language, t } from "./i18n.js";
import { onMemberChange } from "./session.js";
import { listenerSet, onFrame, onStatus, sendFrame } from "./ws.js";

export const MAX_BODY = 4000;
// No ack by then: show the message as not sent; a retry cannot duplicate it.
const ACK_TIMEOUT_MS = 20_000;
const TYPING_EVERY_MS = 2_000;
const OUTBOX_KEY = "samvaer.chat.outbox";

const outbox = new Map(); // client_id -> {clientId, conversationId, body, state, error, inFlight}
const support = new Map(); // conversation id -> the crisis support object from the server
const changes = listenerSet(); // fn(conversationId)
const typingSentAt = new Map();
const readSent = new Map();
let outboxOwner = null;

/** A client_id: random, printable, and made without needing a secure context. */
export function newClientId() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Characters as the server counts them (code points, so an emoji is one). */
function charCount(text) {
  return [...text].length;
}

// The outbox

function persist() {
  try {
    const items = [...outbox.values()].map(({ clientId, conversationId, body, inFlight }) => ({
      clientId,
      conversationId,
      body,
      inFlight,
    }));
    if (items.length) {
      sessionStorage.setItem(OUTBOX_KEY, JSON.stringify({ handle: outboxOwner, items }));
    } else {
      sessionStorage.removeItem(OUTBOX_KEY);
    }
  } catch {
    // Without storage unsent messages live in memory only.
  }
}

/** After a reload, what was not confirmed comes back as not sent, never silently lost. */
function restore(handle) {
  outboxOwner = handle;
  outbox.clear();
  try {
    const saved = JSON.parse(sessionStorage.getItem(OUTBOX_KEY) || "null");
    if (saved?.handle !== handle) return;
    for (const item of saved.items) {
      outbox.set(item.clientId, {
        ...item,
        state: "failed",
        error: t("chat.not_sent_reload"),
      });
    }
  } catch {
    // Unreadable storage: nothing to bring back.
  }
}

function forget() {
  for (const item of outbox.values()) clearTimeout(item.timer);
  outbox.clear();
  support.clear();
  typingSentAt.clear();
  readSent.clear();
  outboxOwner = null;
  try {
    sessionStorage.removeItem(OUTBOX_KEY);
  } catch {
    // Nothing stored.
  }
}

function changed(conversationId) {
  changes.call(conversationId);
}

/** Call `fn(conversationId)` when that conversation's outbox or support changes. */
export function onChatChange(fn, owner) {
  return changes.add(fn, owner);
}

/** Unconfirmed messages of a conversation, oldest first. */
export function outboxFor(conversationId) {
  return [...outbox.values()].filter((item) => item.conversationId === conversationId);
}

/** Write a message: it shows at once as pending, then as sent or as failed with a retry. */
export function sendMessage(conversationId, body) {
  const item = {
    clientId: newClientId(),
    conversationId,
    body,
    state: "pending",
    error: null,
    inFlight: false,
    timer: null,
  };
  outbox.set(item.clientId, item);
  persist();
  deliver(item);
  return item;
}

/** Send a failed message again under its first client_id: the server stores it at most once. */
export function retry(clientId) {
  const item = outbox.get(clientId);
  if (item && item.state === "failed") deliver(item);
}

function deliver(item) {
  clearTimeout(item.timer);
  item.state = "pending";
  item.error = null;
  const frame = {
    type: "send",
    conversation_id: item.conversationId,
    client_id: item.clientId,
    body: item.body,
  };
  if (sendFrame(frame)) {
    item.inFlight = true;
    item.timer = setTimeout(() => fail(item, t("chat.not_sent_no_answer")), ACK_TIMEOUT_MS);
    persist();
    changed(item.conversationId);
    return;
  }
  changed(item.conversationId);
  // No live socket: the same write over HTTP, with the same client_id.
  api("POST", `/api/conversations/${item.conversationId}/messages`, {
    client_id: item.clientId,
    body: item.body,
  })
    .then((sent) => delivered(item.clientId, sent.message, sent.support))
    .catch((error) => {
      if (!(error instanceof ApiError)) throw error;
      fail(item, error.detail);
    });
}

function fail(item, error) {
  if (outbox.get(item.clientId) !== item) return; // confirmed meanwhile
  clearTimeout(item.timer);
  item.state = "failed";
  item.error = error;
  persist();
  changed(item.conversationId);
}

function delivered(clientId, message, supportInfo) {
  const item = outbox.get(clientId);
  if (item) {
    clearTimeout(item.timer);
    outbox.delete(clientId);
    persist();
  }
  if (supportInfo) support.set(message.conversation_id, supportInfo);
  if (item || supportInfo) changed(message.conversation_id);
}

onFrame("ack", (frame) => delivered(frame.client_id, frame.message, frame.support));

onFrame("error", (frame) => {
  const item = frame.client_id ? outbox.get(frame.client_id) : null;
  if (item) fail(item, frame.detail);
});

onStatus((status) => {
  for (const item of outbox.values()) {
    if (status === "online" && item.inFlight && item.state === "failed") {
      // It may have been stored before the connection broke; sending it again settles that.
      deliver(item);
    } else if (status !== "online" && item.inFlight && item.state === "pending") {
      fail(item, t("chat.not_sent_connection"));
    }
  }
});

onMemberChange((me) => {
  if (!me) forget();
  else if (outboxOwner !== me.account.handle) restore(me.account.handle);
});

// Support for the writer

export function supportFor(conversationId) {
  return support.get(conversationId) || null;
}

export function setSupport(conversationId, supportInfo) {
  if (supportInfo) support.set(conversationId, supportInfo);
  else support.delete(conversationId);
  changed(conversationId);
}

// Typing and reading

/** Tell the other member we are typing; at most once every 2 seconds. */
export function sendTyping(conversationId) {
  const now = Date.now();
  if (now - (typingSentAt.get(conversationId) || 0) < TYPING_EVERY_MS) return;
  if (sendFrame({ type: "typing", conversation_id: conversationId })) {
    typingSentAt.set(conversationId, now);
  }
}

/** Move the read mark to a message (once per message), live if possible, else over HTTP. */
export function markRead(conversationId, messageId) {
  if (readSent.get(conversationId) === messageId) return;
  readSent.set(conversationId, messageId);
  const frame = { type: "read", conversation_id: conversationId, message_id: messageId };
  if (sendFrame(frame)) return;
  api("POST", `/api/conversations/${conversationId}/read`, { message_id: messageId }).catch(
    () => {
      // Not marked this time; the next visit marks it.
      readSent.delete(conversationId);
    },
  );
}

// Building blocks for the pages

/** "Connected" / "Trying to reconnect": announced politely when it changes. */
export function connectionNote() {
  const el = h("p", { class: "connection", role: "status" });
  onStatus((status, reason) => {
    const key =
      status === "online"
        ? "chat.status_online"
        : status === "connecting"
          ? "chat.status_connecting"
          : reason === "too_many"
            ? "chat.status_too_many"
            : "chat.status_offline";
    el.className = `connection connection-${status}`;
    el.dataset.status = status;
    replace(el, t(key));
  }, el);
  return el;
}

function locale() {
  return language() === "en" ? "en-GB" : "da-DK";
}

/** A message's time: the clock today, the date and clock before. */
export function messageTime(iso) {
  const at = new Date(iso);
  const clock = at.toLocaleTimeString(locale(), { hour: "2-digit", minute: "2-digit" });
  if (at.toDateString() === new Date().toDateString()) return clock;
  return `${at.toLocaleDateString(locale(), { day: "numeric", month: "short" })} ${clock}`;
}

export function timeElement(iso) {
  return h("time", { datetime: iso }, messageTime(iso));
}

/**
 * The characters-left counter under a message field. The field is never cut short (a paste
 * is kept whole); over the limit the counter says so and `over()` is true.
 */
export function bodyCounter(control, id) {
  const el = h("p", { class: "hint counter", id });
  const update = () => {
    const count = charCount(control.value);
    el.classList.toggle("counter-over", count > MAX_BODY);
    replace(
      el,
      count > MAX_BODY
        ? t("chat.counter_over", { count, max: MAX_BODY })
        : t("chat.counter", { count, max: MAX_BODY }),
    );
  };
  control.addEventListener("input", update);
  update();
  return { el, update, over: () => charCount(control.value) > MAX_BODY };
}
