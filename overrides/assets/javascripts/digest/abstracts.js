// Abstracts, loaded when first opened. A card's abstracts, Chinese and English, wait
// in the day file (daycards.js; render/days.py): the first one opened fills in every
// card of the page from it, so later ones open at once and in-page find sees them.
// Until then a fold is data-later with an empty <p> (digest.css says, without
// JavaScript, that arXiv has the abstract). math.js renders their math on the
// "digest:abstract" event. Their URLs become links as the built page's do (links.js).

import { dayEntries, dayFileOf, entriesHere } from "./daycards.js";
import { el } from "./dom.js";
import { linkedText } from "./links.js";

// A fold's class → the day file's field it shows.
const FIELDS = { "abstract-zh": "abstract_zh", "abstract-en": "abstract" };

// On "toggle" (captured: it does not bubble) of any <details>.
export async function onAbstractOpened(event) {
  const details = event.target;
  if (!details.open || !details.matches || !details.matches("details.abstract[data-later]")) return;
  const card = details.closest("article.paper");
  const url = card && dayFileOf(card);
  if (!url) return;
  const text = details.querySelector("p");
  text.replaceChildren(say("正在加载摘要…", "Loading the abstract…"));
  try {
    fillIn(url, await dayEntries(url));
  } catch (e) { /* said below */ }
  if (details.hasAttribute("data-later")) { // not loaded, or not in it: asked again when opened
    text.replaceChildren(say("摘要未能加载,", "Could not load the abstract: "), arxivLink(card));
  }
}

// A passing message in the reader's language mode (language.js).
function say(chinese, english) {
  return document.documentElement.dataset.digestLang === "en" ? english : chinese;
}

function arxivLink(card) {
  const link = el("a", null, say("在 arXiv 阅读", "read it on arXiv"));
  link.href = "https://arxiv.org/abs/" + card.id;
  return link;
}

// Every waiting fold of the cards whose day file is `url`, from its entries.
function fillIn(url, entries) {
  waitingFolds().forEach((later) => {
    const card = later.closest("article.paper");
    const entry = entries[card.id];
    const kind = Object.keys(FIELDS).find((name) => later.classList.contains(name));
    const text = entry && kind && entry[FIELDS[kind]];
    if (typeof text !== "string" || dayFileOf(card) !== url) return;
    later.querySelector("p").replaceChildren(linkedText(text));
    later.removeAttribute("data-later");
    if (later.open) later.dispatchEvent(new Event("digest:abstract", { bubbles: true }));
  });
}

function waitingFolds() {
  return document.querySelectorAll("article.paper details.abstract[data-later]");
}

// The day files of the folds still waiting, each once.
function waitingFiles() {
  const cards = [...waitingFolds()].map((later) => later.closest("article.paper"));
  return [...new Set(cards.map(dayFileOf).filter(Boolean))];
}

// Every abstract of the page still waiting, loaded now; resolved when all that could
// be are in (print.js waits for it before printing, filters.js before matching text).
export function loadLaterAbstracts() {
  return Promise.all(waitingFiles().map((url) => dayEntries(url).then(
    (entries) => fillIn(url, entries),
    () => {}, // not loaded: the fold says so when opened, the print that arXiv has it
  )));
}

// The abstracts whose day file is here already, filled in at once: a print the reader
// started from the browser's menu cannot wait for the network.
export function fillInWhatIsHere() {
  waitingFiles().forEach((url) => {
    const entries = entriesHere(url);
    if (entries) fillIn(url, entries);
  });
}
