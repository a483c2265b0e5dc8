// Links in arXiv's text, in the browser: the same rules as generator/render/links.py
// (its docstring says why each one), for the English abstracts abstracts.js loads
// after the page was built. Change the two together: tests/test_links.py compares
// them. The text is a stranger's, so it only ever becomes text nodes and <a> elements
// whose href is an http(s) URL; it is never parsed as HTML.

export const REL = "nofollow noopener";

const URL_PATTERN = new RegExp(
  "(?:(?<![A-Za-z0-9])[Hh][Tt][Tt][Pp][Ss]?://|(?<![A-Za-z0-9@./:_-])[Ww][Ww][Ww]\\.)" +
    "[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+" +
    "(?::[0-9]{1,5})?" +
    "(?:[/?#][!#$%&'()*+,\\-./0-9:;=?@A-Z\\[\\]_a-z~]*)?",
  "g",
);
const TRAILING = ".,;:!?'*";
const BRACKETS = { ")": "(", "]": "[" };

function count(text, character) {
  return text.split(character).length - 1;
}

function trimmed(url) {
  while (url) {
    const last = url[url.length - 1];
    if (TRAILING.includes(last)) url = url.slice(0, -1);
    else if (last in BRACKETS && count(url, last) > count(url, BRACKETS[last])) url = url.slice(0, -1);
    else break;
  }
  return url;
}

// URL_PATTERN has checked the scheme or "www.": no parsing here, nor in links.py, so
// the two cannot disagree on what a URL parser accepts.
function hrefOf(url) {
  return url.slice(0, 4).toLowerCase() === "http" ? url : "https://" + url;
}

// `text` as a fragment of text nodes and links, to put where the text would go.
export function linkedText(text) {
  const fragment = document.createDocumentFragment();
  let done = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    const url = trimmed(match[0]);
    fragment.append(document.createTextNode(text.slice(done, match.index)));
    const link = document.createElement("a");
    link.setAttribute("href", hrefOf(url));
    link.setAttribute("rel", REL);
    link.textContent = url;
    fragment.append(link);
    done = match.index + url.length;
  }
  fragment.append(document.createTextNode(text.slice(done)));
  return fragment;
}
