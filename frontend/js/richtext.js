// Member text on screen: always text nodes, line breaks kept by CSS (white-space: pre-wrap),
// and only http(s) addresses turned into links. A link is made with createElement and gets the
// address the URL parser produced, so javascript:, data: and anything else stay plain text.

import { t } from "./i18n.js";

// Candidates only: each one is still parsed, and its protocol checked, before it becomes a link.
const CANDIDATE = /\bhttps?:\/\/[^\s<>"'`]+/gi;
const TRAILING = /[.,;:!?'"»)\]}]$/;
const LINK_REL = "noopener noreferrer nofollow ugc";

function count(text, char) {
  return text.split(char).length - 1;
}

/** Punctuation that ends a sentence is not part of the address; a balanced ")" is. */
function trimTrailing(candidate) {
  let url = candidate;
  while (TRAILING.test(url)) {
    if (url.endsWith(")") && count(url, "(") >= count(url, ")")) break;
    url = url.slice(0, -1);
  }
  return url;
}

function safeLink(candidate) {
  let url;
  try {
    url = new URL(candidate);
  } catch {
    return null;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return null;
  const a = document.createElement("a");
  a.href = url.href;
  a.rel = LINK_REL;
  a.target = "_blank";
  a.className = "ugc-link";
  a.append(document.createTextNode(candidate));
  const note = document.createElement("span");
  note.className = "visually-hidden";
  note.append(document.createTextNode(` ${t("text.new_tab")}`));
  a.append(note);
  return a;
}

/** The text as nodes: text nodes, with safe links for the http(s) addresses in it. */
export function textNodes(text) {
  const nodes = [];
  let from = 0;
  for (const match of String(text).matchAll(CANDIDATE)) {
    const candidate = trimTrailing(match[0]);
    const link = safeLink(candidate);
    if (!link) continue;
    if (match.index > from) nodes.push(document.createTextNode(text.slice(from, match.index)));
    nodes.push(link);
    from = match.index + candidate.length;
  }
  if (from < text.length) nodes.push(document.createTextNode(text.slice(from)));
  return nodes;
}

/** A block of member text (a post, a comment, a group's rules). */
export function richText(text, { tag = "div", className = "", id } = {}) {
  const el = document.createElement(tag);
  el.className = ["rich-text", className].filter(Boolean).join(" ");
  if (id) el.id = id;
  el.append(...textNodes(text));
  return el;
}
