// What a paper card says about its paper, read in one place: the title, authors and
// citation facts BibTeX and favorites need.

export function cardOf(node) {
  return node.closest("article.paper");
}

export function paperOf(card) {
  const button = card.querySelector(".paper-bibtex");
  const zh = card.querySelector(".paper-title-zh");
  return {
    id: card.id,
    date: card.dataset.date,
    title: titleOf(card),
    title_zh: zh ? zh.textContent.trim() : null,
    authors: authorsOf(card),
    key: button.dataset.key,
    year: button.dataset.year,
    primary_class: button.dataset.class,
    doi: button.dataset.doi,
    note: button.dataset.note,
  };
}

// The title as arXiv gave it: math.js keeps the TeX source before KaTeX replaces it.
function titleOf(card) {
  const title = card.querySelector(".paper-title");
  return (title.dataset.source || title.textContent).trim();
}

// The card lists the first authors as text, the rest as text inside <details>.
function authorsOf(card) {
  const box = card.querySelector(".paper-authors");
  const more = box && box.querySelector(".more-authors");
  const text = [box, more].filter(Boolean).map(ownText).filter(Boolean).join(", ");
  return text ? text.split(", ") : [];
}

function ownText(node) {
  return Array.from(node.childNodes)
    .filter((child) => child.nodeType === Node.TEXT_NODE)
    .map((child) => child.textContent)
    .join("")
    .trim();
}
