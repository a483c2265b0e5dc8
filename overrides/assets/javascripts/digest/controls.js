// A card's controls, added here rather than carried by the built page: the star, the
// copy-link and BibTeX buttons, and the folds the abstracts open in (their text waits
// in the day file: abstracts.js). Without JavaScript none of them could do anything,
// and a day carries hundreds of cards: they were a quarter of its bytes (issue 18).
// paper-card.html writes the rest; a card of class has-zh-abstract gets a Chinese fold,
// and then its English one is for English and 双语 (l-en), as the Chinese title is.
// Buttons are in no form: they need no type="button".

import { el } from "./dom.js";

// Every card under `root` that has no controls yet gets them; run on every page (an
// instant navigation brings new cards) and on a card opened in place (rows.js).
export function addControls(root) {
  root.querySelectorAll("article.paper").forEach((card) => {
    if (!card.querySelector(".paper-star")) addTo(card);
  });
}

function addTo(card) {
  const header = card.querySelector(".paper-meta");
  const anchor = card.querySelector(".paper-anchor");
  if (anchor) anchor.after(copyLink());
  if (header) header.append(star());
  const links = card.querySelector(".paper-links");
  folds(card).forEach((fold) => (links ? links.before(fold) : card.append(fold)));
  if (links) links.append(" · ", labelled(el("button", "paper-bibtex"), "复制 BibTeX", "Copy BibTeX"));
}

function copyLink() {
  const button = el("button", "paper-copy-link"); // its icon is drawn by digest.css
  button.title = "复制本文链接";
  return button;
}

function star() {
  const button = el("button", "paper-star", "☆");
  button.setAttribute("aria-pressed", "false");
  button.setAttribute("aria-label", "收藏");
  return button; // its tooltip follows its state (favorites.js showStars)
}

function folds(card) {
  const chinese = card.classList.contains("has-zh-abstract");
  const english = fold("abstract-en", "en");
  labelled(english.querySelector("summary"), "英文摘要", "Abstract");
  if (!chinese) return [english];
  english.classList.add("l-en");
  const zh = fold("abstract-zh", languageOf(card));
  zh.classList.add("l-zh");
  zh.querySelector("summary").textContent = "中文摘要";
  return [zh, english];
}

// <details class="abstract …" lang data-later><summary></summary><p></p></details>
function fold(kind, lang) {
  const details = el("details", "abstract " + kind);
  details.lang = lang;
  details.setAttribute("data-later", "");
  details.append(el("summary"), el("p"));
  return details;
}

// The card's translation language: its Chinese title's, else the page's.
function languageOf(card) {
  const title = card.querySelector(".paper-title-zh");
  return (title && title.lang) || document.documentElement.lang || "zh";
}

// A label as paper-card.html's label() writes it: <i>中文</i><i lang="en">English</i>.
function labelled(node, chinese, english) {
  const en = el("i", null, english);
  en.lang = "en";
  node.append(el("i", null, chinese), en);
  return node;
}
