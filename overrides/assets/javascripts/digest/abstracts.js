// Abstracts, loaded when first opened. A card's abstracts, Chinese and English, wait
// in the day file (daycards.js; render/days.py), a part for each language: the first
// one opened fills in that language's abstract of every card of the page, so later
// ones open at once and in-page find sees them. Until then a fold is data-later with
// an empty <p>. The folds themselves are added by controls.js: without JavaScript a
// card has none, and its Abs link leads to the abstract on arXiv.
// math.js renders their math on the "digest:abstract" event. Their URLs become links
// as the built page's do (links.js).

import { dayEntries, dayFileOf, entriesHere } from "./daycards.js";
import { el } from "./dom.js";
import { linkedText } from "./links.js";

// A fold's class → the day file's part, and the field of it, that it shows.
const PARTS = { "abstract-zh": "abstract_zh", "abstract-en": "abstract" };

// On "toggle" (captured: it does not bubble) of any <details>.
export async function onAbstractOpened(event) {
  const fold = event.target;
  if (!fold.open || !fold.matches || !fold.matches("details.abstract[data-later]")) return;
  const url = fileOf(fold);
  if (!url) return;
  const text = fold.querySelector("p");
  text.replaceChildren(say("正在加载摘要…", "Loading the abstract…"));
  try {
    fillIn(url, await dayEntries(url));
  } catch (e) { /* said below */ }
  if (fold.hasAttribute("data-later")) { // not loaded, or not in it: asked again when opened
    text.replaceChildren(say("摘要未能加载,", "Could not load the abstract: "), arxivLink(fold));
  }
}

// A passing message in the reader's language mode (language.js).
function say(chinese, english) {
  return document.documentElement.dataset.digestLang === "en" ? english : chinese;
}

function arxivLink(fold) {
  const link = el("a", null, say("在 arXiv 阅读", "read it on arXiv"));
  link.href = "https://arxiv.org/abs/" + fold.closest("article.paper").id;
  return link;
}

function partOf(fold) {
  const kind = Object.keys(PARTS).find((name) => fold.classList.contains(name));
  return kind ? PARTS[kind] : null;
}

// The address of the part a fold's text waits in, or null.
function fileOf(fold) {
  const part = partOf(fold);
  return part && dayFileOf(fold.closest("article.paper"), part);
}

// Every waiting fold whose text waits in `url`, from its entries.
function fillIn(url, entries) {
  waitingFolds().forEach((fold) => {
    if (fileOf(fold) !== url) return;
    const entry = entries[fold.closest("article.paper").id];
    const text = entry && entry[partOf(fold)];
    if (typeof text !== "string") return;
    fold.querySelector("p").replaceChildren(linkedText(text));
    fold.removeAttribute("data-later");
    if (fold.open) fold.dispatchEvent(new Event("digest:abstract", { bubbles: true }));
  });
}

function waitingFolds() {
  return document.querySelectorAll("article.paper details.abstract[data-later]");
}

// The parts the waiting folds need, each once.
function waitingFiles() {
  return [...new Set([...waitingFolds()].map(fileOf).filter(Boolean))];
}

// Every abstract of the page still waiting, loaded now; resolved when all that could
// be are in (print.js waits for it before printing, filters.js before matching text).
export function loadLaterAbstracts() {
  return Promise.all(waitingFiles().map((url) => dayEntries(url).then(
    (entries) => fillIn(url, entries),
    () => {}, // not loaded: the fold says so when opened, the print that arXiv has it
  )));
}

// The abstracts whose part is here already, filled in at once: a print the reader
// started from the browser's menu cannot wait for the network.
export function fillInWhatIsHere() {
  waitingFiles().forEach((url) => {
    const entries = entriesHere(url);
    if (entries) fillIn(url, entries);
  });
}
