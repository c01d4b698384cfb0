// Translations: Danish by default, English second. Every visible string comes from /i18n/*.json.

export const LANGUAGES = ["da", "en"];
const DEFAULT = "da";
const STORAGE_KEY = "samvaer.language";

const catalogues = {};
let current = DEFAULT;
const listeners = new Set();

function stored() {
  try {
    const value = localStorage.getItem(STORAGE_KEY);
    return LANGUAGES.includes(value) ? value : null;
  } catch {
    return null; // storage can be disabled; the default language still works
  }
}

async function load(lang) {
  if (!catalogues[lang]) {
    const response = await fetch(`/i18n/${lang}.json`, { credentials: "same-origin" });
    if (!response.ok) throw new Error(`could not load /i18n/${lang}.json`);
    catalogues[lang] = await response.json();
  }
  return catalogues[lang];
}

/** Load both catalogues and pick the stored language (or Danish). */
export async function initI18n() {
  await Promise.all(LANGUAGES.map(load));
  current = stored() || DEFAULT;
  applyToDocument();
}

export function language() {
  return current;
}

/** Whether the member chose a language on this device (it then wins over the account's). */
export function hasStoredLanguage() {
  return stored() !== null;
}

export function hasKey(key) {
  return catalogues[current]?.[key] !== undefined || catalogues[DEFAULT]?.[key] !== undefined;
}

/** t("profile.saved"), t("home.hello", {name}): falls back to Danish, then to the key itself. */
export function t(key, params = {}) {
  const template = catalogues[current]?.[key] ?? catalogues[DEFAULT]?.[key];
  if (template === undefined) {
    console.warn(`missing translation: ${key}`);
    return key;
  }
  return template.replace(/\{(\w+)\}/g, (match, name) =>
    Object.hasOwn(params, name) ? String(params[name]) : match,
  );
}

/** Remember a choice for this device without switching yet (it applies on the next sync). */
export function rememberLanguage(lang) {
  if (!LANGUAGES.includes(lang)) return;
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    // Without storage the account's language is used instead.
  }
}

/** Switch language, remember it on this device and tell listeners (who re-render or save it). */
export function setLanguage(lang, { remember = true } = {}) {
  if (!LANGUAGES.includes(lang)) return;
  if (remember) rememberLanguage(lang);
  if (lang === current) return;
  current = lang;
  applyToDocument();
  for (const listener of listeners) listener(lang);
}

export function onLanguageChange(listener) {
  listeners.add(listener);
}

/** Fill static markup: data-i18n sets text, data-i18n-<attr> sets that attribute. */
export function applyTranslations(root = document) {
  for (const el of root.querySelectorAll("*")) {
    for (const attr of el.getAttributeNames()) {
      if (attr === "data-i18n") el.textContent = t(el.getAttribute(attr));
      else if (attr.startsWith("data-i18n-")) {
        el.setAttribute(attr.slice("data-i18n-".length), t(el.getAttribute(attr)));
      }
    }
  }
}

function applyToDocument() {
  document.documentElement.lang = current;
  applyTranslations(document);
}
