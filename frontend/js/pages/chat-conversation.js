// One conversation: its history (older pages on request), live messages, my messages on their
// way (pending, failed with a retry that cannot duplicate), typing and read state, the request
// answer while it is open, and crisis support when my own words signal risk.

import { ApiError, api } from "../api.js";
import {
  MAX_BODY,
  bodyCounter,
  connectionNote,
  markRead,
  messageTime,
  onChatChange,
  outboxFor,
  retry,
  sendMessage,
  sendTyping,
  setSupport,
  supportFor,
  timeElement,
} from "../chat.js";
import { banner, field, flash, pageHeading } from "../components.js";
import { append, h, replace } from "../dom.js";
import { t } from "../i18n.js";
import { reportPanel } from "../report.js";
import { navigate, route } from "../router.js";
import { currentMember } from "../session.js";
import { supportPanel } from "../support.js";
import { onFrame } from "../ws.js";
import { requestCard, requestReport } from "./chat-list.js";

const PAGE = 50;
const CATCH_UP_PAGE = 100;
// A typing notice comes at most every 2 s while someone types; silence this long means stopped.
const TYPING_SHOWN_MS = 6_000;
const NEAR_BOTTOM_PX = 80;

export default {
  title: "chat.conversation_title",
  async render({ params }) {
    const id = Number(params.id);
    if (!Number.isSafeInteger(id) || id < 1) {
      throw new ApiError(404, "conversation_not_found", t("chat.not_found"));
    }
    const me = currentMember().account.handle;
    const [conv, first] = await Promise.all([
      api("GET", `/api/conversations/${id}`),
      api("GET", `/api/conversations/${id}/messages?limit=${PAGE}`),
    ]);
    const peer = conv.peer_handle;
    const state = {
      conv,
      messages: new Map(), // seq -> message, one contiguous run [lo, hi]
      lo: null,
      hi: null,
      hasMore: first.has_more,
      typingTimer: null,
    };
    const messages = banner();
    // Listeners belong to the page: they end once it has left the screen.
    const page = h("section", { class: "page page-chat page-conversation" });
    const heading = pageHeading(t("chat.conversation_with", { handle: `@${peer}` }));

    // The message log

    const list = h("ol", { class: "messages" });
    const olderSlot = h("div", { class: "older" });
    const log = h(
      "div",
      {
        class: "chat-log",
        role: "log",
        tabindex: "0",
        "aria-label": t("chat.log_label", { handle: `@${peer}` }),
      },
      olderSlot,
      list,
    );
    const typing = h("p", { class: "typing", "aria-live": "polite" });
    const supportSlot = h("div", { class: "support-slot", "aria-live": "polite" });
    const reportSlot = h("div", { class: "report-slot" });
    let composerControl = null;

    const store = (message) => {
      state.messages.set(message.seq, message);
      state.lo = state.lo === null ? message.seq : Math.min(state.lo, message.seq);
      state.hi = state.hi === null ? message.seq : Math.max(state.hi, message.seq);
    };
    for (const message of first.messages) store(message);

    const messageItem = (message, read) => {
      const mine = message.sender === me;
      return h(
        "li",
        {
          class: ["message", mine ? "message-mine" : "message-theirs"],
          dataset: { seq: message.seq },
        },
        h(
          "p",
          { class: "message-meta" },
          h("span", { class: "message-sender" }, mine ? t("chat.you") : `@${message.sender}`),
          " · ",
          timeElement(message.created_at),
          mine
            ? null
            : h(
                "button",
                {
                  type: "button",
                  class: "message-report",
                  "aria-label": t("report.message_label", {
                    handle: `@${message.sender}`,
                    time: messageTime(message.created_at),
                  }),
                  dataset: { focusKey: `report-${message.id}` },
                  onclick: () => openReport(message),
                },
                t("report.action"),
              ),
        ),
        h("p", { class: "message-body" }, message.body),
        read ? h("p", { class: "message-state" }, t("chat.read")) : null,
      );
    };

    const outboxItem = (item) =>
      h(
        "li",
        {
          class: ["message", "message-mine", `message-${item.state}`],
          dataset: { clientId: item.clientId },
        },
        h("p", { class: "message-meta" }, h("span", { class: "message-sender" }, t("chat.you"))),
        h("p", { class: "message-body" }, item.body),
        item.state === "pending"
          ? h("p", { class: "message-state" }, t("chat.sending"))
          : h(
              "div",
              { class: "message-state message-failed-note" },
              h("p", {}, h("strong", {}, t("chat.not_sent")), " ", item.error || ""),
              h(
                "button",
                {
                  type: "button",
                  class: "button",
                  dataset: { focusKey: `retry-${item.clientId}` },
                  onclick: () => retry(item.clientId),
                },
                t("chat.retry"),
              ),
            ),
      );

    const olderButton = h(
      "button",
      { type: "button", class: "button", dataset: { focusKey: "older" }, onclick: () => older() },
      t("chat.older"),
    );

    const drawLog = ({ toBottom = false } = {}) => {
      const active = document.activeElement;
      const focusKey = log.contains(active) ? active.dataset?.focusKey : null;
      const nearBottom = log.scrollHeight - log.scrollTop - log.clientHeight < NEAR_BOTTOM_PX;
      const confirmed = [...state.messages.values()].sort((a, b) => a.seq - b.seq);
      // "Read" goes under my newest message the other member has read, when both allow it.
      const readUpTo = state.conv.peer_read_seq;
      const lastRead =
        readUpTo == null
          ? null
          : confirmed.filter((m) => m.sender === me && m.seq <= readUpTo).at(-1)?.seq;
      replace(
        list,
        confirmed.map((m) => messageItem(m, m.seq === lastRead)),
        outboxFor(id).map(outboxItem),
      );
      replace(olderSlot, state.hasMore ? olderButton : null);
      if (focusKey) {
        const again = log.querySelector(`[data-focus-key="${CSS.escape(focusKey)}"]`);
        (again || composerControl || log).focus();
      }
      if (toBottom || nearBottom) log.scrollTop = log.scrollHeight;
    };

    async function older() {
      if (olderButton.getAttribute("aria-disabled") === "true") return;
      olderButton.setAttribute("aria-disabled", "true");
      messages.clear();
      try {
        const page = await api(
          "GET",
          `/api/conversations/${id}/messages?before=${state.lo}&limit=${PAGE}`,
        );
        const fromBottom = log.scrollHeight - log.scrollTop;
        for (const message of page.messages) store(message);
        state.hasMore = page.has_more;
        drawLog();
        // Keep the messages the member was reading where they were.
        log.scrollTop = log.scrollHeight - fromBottom;
        if (!state.hasMore) log.focus();
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        messages.error(error.detail);
      } finally {
        olderButton.removeAttribute("aria-disabled");
      }
    }

    // Catching up over HTTP when live delivery skipped ahead (a long absence, a truncated resume).
    let catching = null;
    let catchAgain = false;
    function catchUp() {
      if (catching) {
        catchAgain = true;
        return;
      }
      catching = (async () => {
        do {
          catchAgain = false;
          let more = true;
          while (more && page.isConnected) {
            const after = state.hi ?? 0;
            const page = await api(
              "GET",
              `/api/conversations/${id}/messages?after=${after}&limit=${CATCH_UP_PAGE}`,
            );
            for (const message of page.messages) store(message);
            more = page.has_more && page.messages.length > 0;
          }
        } while (catchAgain && page.isConnected);
        drawLog();
        readIfSeen();
      })()
        .catch(() => {
          // The next reconnect or message tries again.
        })
        .finally(() => {
          catching = null;
        });
    }

    function receive(message) {
      if (message.conversation_id !== id || state.messages.has(message.seq)) return;
      // Older than what is shown: "show older messages" fetches it in its place.
      if (state.lo !== null && message.seq < state.lo) return;
      if (state.hi !== null && message.seq > state.hi + 1) {
        catchUp();
        return;
      }
      store(message);
      if (message.sender !== me) stopTyping();
      drawLog({ toBottom: message.sender === me });
      readIfSeen();
    }

    // Read state: mine moves when the page is on screen; theirs shows when both allow it.

    function readIfSeen() {
      if (!page.isConnected || document.visibilityState !== "visible") return;
      if (state.conv.status !== "accepted" || state.hi === null) return;
      if (state.hi <= state.conv.read_seq) return;
      const newest = state.messages.get(state.hi);
      state.conv.read_seq = state.hi;
      markRead(id, newest.id);
    }

    const onVisible = () => {
      if (!page.isConnected) {
        document.removeEventListener("visibilitychange", onVisible);
        return;
      }
      readIfSeen();
    };
    document.addEventListener("visibilitychange", onVisible);

    // Typing

    function stopTyping() {
      clearTimeout(state.typingTimer);
      replace(typing);
    }

    function showTyping() {
      clearTimeout(state.typingTimer);
      if (!typing.textContent) replace(typing, t("chat.typing", { handle: `@${peer}` }));
      state.typingTimer = setTimeout(stopTyping, TYPING_SHOWN_MS);
    }

    // Reporting a message I received: the form opens under the log, one at a time.

    function openReport(message) {
      const back = () =>
        (
          log.querySelector(`[data-focus-key="report-${message.id}"]`) ||
          composerControl ||
          heading
        ).focus();
      replace(
        reportSlot,
        reportPanel({
          id: "chat-report",
          targetType: "message",
          targetId: message.id,
          title: t("report.message_title", { handle: `@${message.sender}` }),
          quote: message.body,
          onDone: (sent) => {
            replace(reportSlot);
            if (sent) messages.success(t("report.sent"));
            back();
          },
        }),
      );
      reportSlot.querySelector("h2").focus();
    }

    // Support for me, when my own message signals risk

    const drawSupport = () => {
      const info = supportFor(id);
      replace(
        supportSlot,
        info
          ? supportPanel(info, {
              id: "chat-support",
              onClose: () => {
                setSupport(id, null);
                (composerControl || heading).focus();
              },
            })
          : null,
      );
    };

    // Live events

    onFrame("message", (frame) => receive(frame.message), page);
    onFrame("ack", (frame) => receive(frame.message), page);
    onFrame(
      "typing",
      (frame) => {
        if (frame.conversation_id === id && frame.handle === peer) showTyping();
      },
      page,
    );
    onFrame(
      "read",
      (frame) => {
        if (frame.conversation_id !== id) return;
        if (frame.handle === peer) {
          state.conv.peer_read_seq = Math.max(state.conv.peer_read_seq ?? 0, frame.seq);
          drawLog();
        } else if (frame.handle === me) {
          state.conv.read_seq = Math.max(state.conv.read_seq, frame.seq);
        }
      },
      page,
    );
    onFrame(
      "conversation",
      (frame) => {
        if (frame.conversation_id !== id) return;
        if (frame.event === "declined") {
          flash("chat.declined_short", "/chat");
          navigate("/chat");
        } else {
          // Accepted (here or in another tab): draw the page again with the composer.
          route({ force: true, moveFocus: false });
        }
      },
      page,
    );
    onFrame("resumed", () => catchUp(), page);
    onChatChange((conversationId) => {
      if (conversationId !== id) return;
      drawLog();
      drawSupport();
    }, page);

    // What the page shows depends on where the conversation stands.

    let status = null;
    let composer = null;
    if (conv.status === "pending" && conv.incoming) {
      status = requestCard(conv, {
        messages,
        expanded: false,
        onAnswered: (what) => {
          if (what === "accepted") {
            route({ force: true, moveFocus: true });
            return;
          }
          const key = what === "blocked" ? "chat.declined_blocked_short" : "chat.declined_short";
          flash(key, "/chat");
          navigate("/chat");
        },
        onReport: () =>
          requestReport(conv, {
            messages,
            slot: reportSlot,
            returnFocus: () =>
              (page.querySelector(`[data-focus-key="report-request-${id}"]`) || heading).focus(),
          }),
      });
    } else if (conv.status === "pending") {
      status = h("p", { class: "note chat-note" }, t("chat.waiting_note", { handle: `@${peer}` }));
    } else if (conv.status === "not_accepted") {
      status = h("p", { class: "note chat-note" }, t("chat.not_accepted_note"));
    } else {
      composer = composerForm();
    }

    function composerForm() {
      const counterId = "chat-body-counter";
      const body = field({
        id: "chat-body",
        label: t("chat.body_label"),
        kind: "textarea",
        rows: 3,
        hint: t("chat.body_hint"),
        describedBy: [counterId],
        autocomplete: "off",
      });
      composerControl = body.control;
      const counter = bodyCounter(body.control, counterId);
      const form = h(
        "form",
        { class: "composer" },
        body.wrapper,
        counter.el,
        h("button", { type: "submit", class: "button primary" }, t("chat.send")),
      );
      form.setAttribute("novalidate", "");
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        body.clearError();
        const text = body.control.value;
        if (!text.trim()) {
          body.setError(t("chat.body_empty"));
          body.control.focus();
          return;
        }
        if (counter.over()) {
          body.setError(t("chat.body_too_long", { max: MAX_BODY }));
          body.control.focus();
          return;
        }
        sendMessage(id, text);
        body.control.value = "";
        counter.update();
        drawLog({ toBottom: true });
        body.control.focus();
      });
      body.control.addEventListener("keydown", (event) => {
        // Enter sends; Shift+Enter makes a new line (and IME composition is left alone).
        if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
          event.preventDefault();
          form.requestSubmit();
        }
      });
      body.control.addEventListener("input", () => {
        if (body.control.value.trim()) sendTyping(id);
      });
      return form;
    }

    const showLog = !(conv.status === "pending" && conv.incoming);
    drawLog();
    drawSupport();
    // Drawn before it is on screen; once it is, start at the newest message and mark it read.
    requestAnimationFrame(() => {
      log.scrollTop = log.scrollHeight;
      readIfSeen();
    });

    return append(
      page,
      h("p", { class: "back-link" }, h("a", { href: "#/chat" }, t("chat.back"))),
      heading,
      conv.peer_online ? h("p", { class: "hint peer-online" }, t("chat.peer_online")) : null,
      connectionNote(),
      messages.el,
      status,
      showLog ? log : null,
      showLog ? typing : null,
      reportSlot,
      supportSlot,
      composer,
    );
  },
};
