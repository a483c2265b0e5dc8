// The language mode: 中文 / English / 双语. The head of every page (overrides/main.html)
// sets it from storage before the first paint; CSS hides the other language.

import { KEYS } from "./storage.js";

const MODES = ["zh", "en", "both"];

function currentMode() {
  const mode = document.documentElement.dataset.digestLang;
  return MODES.includes(mode) ? mode : "both";
}

export function setMode(mode) {
  if (!MODES.includes(mode)) return;
  document.documentElement.dataset.digestLang = mode;
  try {
    localStorage.setItem(KEYS.lang, mode); // a plain string: the head's script reads it
  } catch (e) { /* remembered for this page only */ }
  showMode();
}

// The menu's buttons say which mode is on.
export function showMode() {
  const mode = currentMode();
  document.querySelectorAll("button[data-digest-lang]").forEach((button) => {
    button.setAttribute("aria-pressed", String(button.dataset.digestLang === mode));
  });
}
