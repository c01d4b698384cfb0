// A tiny element builder. It only ever creates text with createTextNode, so member text
// can never become markup; HTML-string properties and javascript: URLs are refused outright.

const URL_ATTRS = new Set(["href", "src", "action", "formaction", "xlink:href"]);
const FORBIDDEN = new Set(["innerHTML", "outerHTML", "insertAdjacentHTML", "srcdoc", "style"]);
const PROPS = new Set(["value", "checked", "selected", "disabled", "indeterminate"]);
const SAFE_URL = /^(?:[#/?]|https?:|mailto:|tel:|blob:)/i;

function setAttr(el, name, value) {
  if (FORBIDDEN.has(name)) throw new Error(`h(): "${name}" is not allowed`);
  if (value === null || value === undefined || value === false) return;
  if (name.startsWith("on") && typeof value === "function") {
    el.addEventListener(name.slice(2).toLowerCase(), value);
  } else if (name === "class") {
    el.className = Array.isArray(value) ? value.filter(Boolean).join(" ") : value;
  } else if (name === "dataset") {
    Object.assign(el.dataset, value);
  } else if (PROPS.has(name)) {
    el[name] = value;
  } else if (URL_ATTRS.has(name)) {
    const url = String(value).trim();
    if (!SAFE_URL.test(url)) throw new Error(`h(): unsafe URL in "${name}"`);
    el.setAttribute(name, url);
  } else {
    el.setAttribute(name, value === true ? "" : String(value));
  }
}

/** Append children: strings and numbers become text nodes; arrays flatten; null is skipped. */
export function append(el, ...children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false || child === true) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** h("p", {class: "note"}, "Hello ", h("strong", {}, name)) */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) setAttr(el, name, value);
  return append(el, ...children);
}

/** Replace all of an element's children. */
export function replace(el, ...children) {
  el.replaceChildren();
  return append(el, ...children);
}
