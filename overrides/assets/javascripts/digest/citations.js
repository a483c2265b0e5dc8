// BibTeX in arXiv's @misc style, and RIS, built from the card's facts (card.js: the
// day file's entry; the key, year and primary category come from
// generator/render/bibtex.py). Built here, the entries cost the page no bytes.

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

// RIS, for EndNote, Mendeley and the rest: a preprint is UNPB (unpublished work), with
// arXiv's DOI for it (as render/coins.py gives Zotero) and the paper's own DOI, if a
// journal has published it, in the notes. One tag a line, "TY  - " first, "ER  - " last.
export function ris(paper) {
  const tags = [
    ["TY", "UNPB"],
    ["TI", paper.title],
    ...(paper.authors || []).map((name) => ["AU", authorOfRis(name)]),
    ["PY", paper.year],
    ["DO", "10.48550/arXiv." + paper.id],
    ["UR", "https://arxiv.org/abs/" + paper.id],
    ["AN", "arXiv:" + paper.id],
    ["DB", "arXiv"],
    ["KW", paper.primary_class],
    ["N1", paper.doi ? "DOI: " + paper.doi : null],
    ["N1", paper.note],
    ["ER", ""],
  ];
  return tags.filter(([tag, value]) => tag === "ER" || value)
    .map(([tag, value]) => (tag + "  - " + oneLine(String(value))).trimEnd()).join("\r\n") + "\r\n";
}

// "Ada B. Lovelace" → "Lovelace, Ada B.": RIS names are "Last, First"; a name of one
// word (a collaboration) stays as it is.
function authorOfRis(name) {
  const words = oneLine(name).split(" ");
  return words.length < 2 ? words.join(" ") : words.pop() + ", " + words.join(" ");
}

function oneLine(text) {
  return text.split(/\s+/).filter(Boolean).join(" ");
}
