// BibTeX in arXiv's @misc style, built from the card's facts (card.js: the day file's
// entry; the key, year and primary category come from generator/render/bibtex.py).
// Built here, the entry costs the page no bytes.

import { paperOf } from "./card.js";

const BRACE_NAMES = { "{": "\\textbraceleft{}", "}": "\\textbraceright{}" };

// A promise of the card's entry: its day file may still have to be fetched.
export async function bibtexOf(card) {
  return bibtex(await paperOf(card));
}

export function bibtex(paper) {
  const fields = [
    ["title", paper.title],
    ["author", paper.authors.map((name) => (/\band\b/i.test(name) ? "{" + name + "}" : name)) // "and" would split it
      .join(" and ")],
    ["year", paper.year],
    ["eprint", paper.id], // a citation names the paper; arXiv serves its latest version
    ["archivePrefix", "arXiv"],
    ["primaryClass", paper.primary_class],
    ["url", "https://arxiv.org/abs/" + paper.id],
    ["doi", paper.doi],
    ["note", paper.note],
  ];
  const body = fields.filter(([, value]) => value).map(([name, value]) => "  " + name + " = {" + bibValue(String(value)) + "}");
  return "@misc{" + paper.key + ",\n" + body.join(",\n") + "\n}";
}

// A value BibTeX and LaTeX both accept: braces balanced, & % # escaped.
function bibValue(text) {
  text = text.split(/\s+/).filter(Boolean).join(" ");
  if (!balanced(text)) { // BibTeX counts every brace, escaped or not
    text = text.replace(/\\?([{}])/g, (_, brace) => BRACE_NAMES[brace]);
  }
  return text.replace(/(\\?)([&%#])/g, (all, slash, char) => (slash ? all : "\\" + char));
}

function balanced(text) {
  let depth = 0;
  for (let i = 0; i < text.length && depth >= 0; i++) {
    if (text[i] === "{") depth++;
    else if (text[i] === "}") depth--;
  }
  return depth === 0;
}
