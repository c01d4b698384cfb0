// My conversations: requests I received (their text folded until I choose to read it), then
// conversations with unread counts and the last message; kept up to date by the live socket.

import { ApiError, api } from "../api.js";
import { connectionNote, timeElement } from "../chat.js";
import { banner, pageHeading } from "../components.js";
import { h, replace } from "../dom.js";
import { t } from "../i18n.js";
import { reportPanel } from "../report.js";
import { navigate } from "../router.js";
import { currentMember } from "../session.js";
import { onFrame } from "../ws.js";

const PAGE = 20;
const MAX_PAGE = 100;
const PREVIEW_CHARS = 100;
const REFRESH_DELAY_MS = 250;
const LIVE_TYPES = ["message", "conversation", "read", "resumed"];

function preview(text) {
  const chars = [...text.replace(/\s+/g, " ").trim()];
  if (chars.length <= PREVIEW_CHARS) return chars.join("");
  return `${chars.slice(0, PREVIEW_CHARS).join("")}…`;
}

function unreadBadge(count) {
  if (!count) return null;
  const key = count === 1 ? "chat.unread_one" : "chat.unread_many";
  return h("span", { class: "badge badge-unread" }, t(key, { count }));
}

/**
 * A request someone sent me: who, the folded first message, and my answers. `onAnswered`
 * hears "accepted", "declined" or "blocked"; `onReport` opens a report; errors go to `messages`.
 */
export function requestCard(conv, { messages, expanded, onToggle, onAnswered, onReport }) {
  const handle = conv.peer_handle;
  const bodyId = `request-${conv.id}-text`;
  const headingId = `request-${conv.id}-title`;
  const text = h(
    "div",
    { class: "request-text", id: bodyId, hidden: !expanded },
    h("p", { class: "message-body" }, conv.last_message?.body || ""),
  );
  const toggle = h(
    "button",
    {
      type: "button",
      class: "button",
      "aria-expanded": String(expanded),
      "aria-controls": bodyId,
      dataset: { focusKey: `toggle-${conv.id}` },
      onclick: () => {
        const open = toggle.getAttribute("aria-expanded") !== "true";
        toggle.setAttribute("aria-expanded", String(open));
        replace(toggle, t(open ? "chat.request_hide" : "chat.request_show"));
        text.hidden = !open;
        onToggle?.(open);
      },
    },
    t(expanded ? "chat.request_hide" : "chat.request_show"),
  );
  const busy = new Set();
  const answer = (what, body) => async (event) => {
    const clicked = event.currentTarget;
    if (busy.size) return;
    busy.add(what);
    clicked.setAttribute("aria-disabled", "true");
    messages.clear();
    try {
      const action = what === "accepted" ? "accept" : "decline";
      await api("POST", `/api/conversations/${conv.id}/${action}`, body);
      onAnswered(what);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      messages.error(error.detail);
    } finally {
      busy.clear();
      clicked.removeAttribute("aria-disabled");
    }
  };
  return h(
    "article",
    { class: "request-card", "aria-labelledby": headingId },
    h("h3", { id: headingId }, t("chat.request_from", { handle: `@${handle}` })),
    conv.last_message_at ? h("p", { class: "hint" }, timeElement(conv.last_message_at)) : null,
    h("p", { class: "hint" }, t("chat.request_folded_hint", { handle: `@${handle}` })),
    h("p", {}, toggle),
    text,
    h(
      "div",
      { class: "actions" },
      h(
        "button",
        { type: "button", class: "button primary", onclick: answer("accepted") },
        t("chat.accept"),
      ),
      h(
        "button",
        { type: "button", class: "button", onclick: answer("declined") },
        t("chat.decline"),
      ),
      h(
        "button",
        { type: "button", class: "button danger", onclick: answer("blocked", { block: true }) },
        t("chat.decline_block"),
      ),
      conv.last_message
        ? h(
            "button",
            {
              type: "button",
              class: "button",
              dataset: { focusKey: `report-request-${conv.id}` },
              onclick: onReport,
            },
            t("report.action"),
          )
        : null,
    ),
    h("p", { class: "hint" }, t("chat.decline_hint", { handle: `@${handle}` })),
  );
}

/** The report form for a request's first message, opened under the requests. */
export function requestReport(conv, { messages, slot, returnFocus }) {
  const done = (sent) => {
    replace(slot);
    if (sent) messages.success(t("report.sent"));
    returnFocus();
  };
  replace(
    slot,
    reportPanel({
      id: `report-request-${conv.id}-form`,
      targetType: "message",
      targetId: conv.last_message.id,
      title: t("report.request_title", { handle: `@${conv.peer_handle}` }),
      quote: conv.last_message.body,
      onDone: done,
    }),
  );
  slot.querySelector("h2")?.focus();
}

function conversationLine(conv, me) {
  const last = conv.last_message;
  let summary;
  if (conv.status === "pending") {
    summary = h("span", { class: "status-note" }, t("chat.status_waiting"));
  } else if (conv.status === "not_accepted") {
    summary = h("span", { class: "status-note" }, t("chat.status_not_accepted"));
  } else if (last) {
    const body = preview(last.body);
    summary = last.sender === me ? t("chat.preview_mine", { body }) : body;
  } else {
    summary = "";
  }
  return h(
    "li",
    { class: ["conversation-item", conv.unread ? "has-unread" : ""] },
    h(
      "a",
      {
        class: "conversation-link",
        href: `#/chat/${conv.id}`,
        dataset: { focusKey: `conversation-${conv.id}` },
      },
      h(
        "span",
        { class: "conversation-top" },
        h("strong", { class: "conversation-peer" }, `@${conv.peer_handle}`),
        unreadBadge(conv.unread),
        h("span", { class: "conversation-time" }, timeElement(conv.last_message_at)),
      ),
      h("span", { class: "conversation-preview" }, summary),
    ),
  );
}

export default {
  title: "chat.list_title",
  async render() {
    const me = currentMember().account.handle;
    const messages = banner();
    const state = { conversations: [], requests: [], nextBefore: null, expanded: new Set() };
    const requestsSlot = h("div", { class: "requests-slot" });
    const reportSlot = h("div", { class: "report-slot" });
    const listSlot = h("div", { class: "conversations-slot" });
    const heading = pageHeading(t("chat.list_title"));

    const focusKeyOr = (key, fallback) =>
      (document.querySelector(`[data-focus-key="${key}"]`) || fallback).focus();

    const draw = () => {
      // Keep keyboard focus on the same control when the lists are drawn again.
      const focusKey = document.activeElement?.dataset?.focusKey;
      const requests = state.requests.filter((c) => c.incoming);
      replace(
        requestsSlot,
        requests.length
          ? h(
              "section",
              { class: "requests", "aria-labelledby": "requests-title" },
              h("h2", { id: "requests-title", tabindex: "-1" }, t("chat.requests_title")),
              h(
                "ul",
                { class: "request-list" },
                requests.map((conv) =>
                  h(
                    "li",
                    {},
                    requestCard(conv, {
                      messages,
                      expanded: state.expanded.has(conv.id),
                      onToggle: (open) =>
                        open ? state.expanded.add(conv.id) : state.expanded.delete(conv.id),
                      onAnswered: (what) => answered(conv, what),
                      onReport: () =>
                        requestReport(conv, {
                          messages,
                          slot: reportSlot,
                          returnFocus: () => focusKeyOr(`report-request-${conv.id}`, heading),
                        }),
                    }),
                  ),
                ),
              ),
            )
          : null,
      );
      replace(
        listSlot,
        h(
          "section",
          { class: "conversations", "aria-labelledby": "conversations-title" },
          h("h2", { id: "conversations-title" }, t("chat.conversations_title")),
          state.conversations.length
            ? h(
                "ul",
                { class: "conversation-list" },
                state.conversations.map((conv) => conversationLine(conv, me)),
              )
            : h("p", { class: "empty" }, t("chat.no_conversations")),
          state.nextBefore
            ? h(
                "p",
                {},
                h(
                  "button",
                  { type: "button", class: "button", dataset: { focusKey: "more" }, onclick: more },
                  t("chat.more_conversations"),
                ),
              )
            : null,
        ),
      );
      if (focusKey) document.querySelector(`[data-focus-key="${CSS.escape(focusKey)}"]`)?.focus();
    };

    const load = async () => {
      const limit = Math.min(MAX_PAGE, Math.max(PAGE, state.conversations.length));
      const data = await api("GET", `/api/conversations?limit=${limit}`);
      state.conversations = data.conversations;
      state.requests = data.requests;
      state.nextBefore = data.next_before;
    };

    async function more() {
      try {
        const query = new URLSearchParams({ limit: PAGE, before: state.nextBefore });
        const data = await api("GET", `/api/conversations?${query}`);
        const known = new Set(state.conversations.map((c) => c.id));
        state.conversations.push(...data.conversations.filter((c) => !known.has(c.id)));
        state.nextBefore = data.next_before;
        draw();
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        messages.error(error.detail);
      }
    }

    async function answered(conv, what) {
      if (what === "accepted") {
        navigate(`/chat/${conv.id}`);
        return;
      }
      state.requests = state.requests.filter((c) => c.id !== conv.id);
      state.expanded.delete(conv.id);
      draw();
      messages.success(
        t(what === "blocked" ? "chat.declined_blocked" : "chat.declined", {
          handle: `@${conv.peer_handle}`,
        }),
      );
      (document.getElementById("requests-title") || heading).focus();
    }

    let timer = null;
    const refresh = () => {
      clearTimeout(timer);
      timer = setTimeout(async () => {
        if (!listSlot.isConnected) return;
        try {
          await load();
          draw();
        } catch {
          // The list stays as it was; the next event or a reload brings it up to date.
        }
      }, REFRESH_DELAY_MS);
    };

    await load();
    draw();
    for (const type of LIVE_TYPES) onFrame(type, refresh, listSlot);

    return h(
      "section",
      { class: "page page-chat" },
      heading,
      h("p", { class: "lead" }, t("chat.list_lead")),
      connectionNote(),
      h(
        "p",
        { class: "actions" },
        h("a", { class: "button primary", href: "#/chat/new" }, t("chat.new_message")),
      ),
      messages.el,
      requestsSlot,
      reportSlot,
      listSlot,
    );
  },
};
