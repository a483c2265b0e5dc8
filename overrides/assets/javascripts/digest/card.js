// What a paper card says about its paper, read in one place: its id and date are the
// card's attributes, what BibTeX needs is the JSON in its data-paper
// (generator/card_data.py), not the card's text, which KaTeX rewrites; only the
// Chinese title a favorite shows is the card's text.

export function cardOf(node) {
  return node.closest("article.paper");
}

export function paperOf(card) {
  const data = JSON.parse(card.dataset.paper);
  const zh = card.querySelector(".paper-title-zh");
  return {
    id: card.id,
    date: card.dataset.date,
    title: data.title,
    title_zh: zh ? zh.textContent.trim() : null,
    authors: data.authors || [],
    key: data.key,
    year: data.year,
    primary_class: data.class,
    doi: data.doi,
    note: data.note,
  };
}

// The card's address: this page with the card's id as its fragment.
export function permalinkOf(card) {
  const url = new URL(location.href);
  url.search = "";
  url.hash = card.id;
  return url.href;
}
