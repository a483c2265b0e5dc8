// What a paper card says about its paper, read in one place: its id and date are the
// card's attributes; what BibTeX needs is the card's entry in the day file's
// "citation" part (daycards.js, generator/card_data.py), not the card's text, which
// KaTeX rewrites and which joins authors with the commas some names hold; only the
// Chinese title a favorite shows is the card's text.

import { entryOf } from "./daycards.js";

export function cardOf(node) {
  return node.closest("article.paper");
}

// The paper's facts; rejected when its day file cannot be read.
export async function paperOf(card) {
  return paperFrom(await entryOf(card, "citation"), card.id, card.dataset.date, chineseTitleOf(card));
}

// The facts of paper `id` from its entry in a day file's "citation" part.
export function paperFrom(entry, id, date, titleZh) {
  return {
    id,
    date,
    title: entry.title,
    title_zh: titleZh,
    authors: entry.authors || [],
    key: entry.key,
    year: entry.year,
    primary_class: entry.class,
    doi: entry.doi,
    note: entry.note,
  };
}

export function chineseTitleOf(card) {
  const zh = card.querySelector(".paper-title-zh");
  return zh ? zh.textContent.trim() : null;
}

// The card's address: this page with the card's id as its fragment.
export function permalinkOf(card) {
  const url = new URL(location.href);
  url.search = "";
  url.hash = card.id;
  return url.href;
}
