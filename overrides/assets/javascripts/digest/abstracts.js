// English abstracts, loaded when first opened. A topic page leaves the English
// abstract of every translated paper to the abstracts.json its paper lists name
// (render/days.py): the first one opened loads them all, so later ones open at once
// and in-page find sees them. math.js renders their math on the "digest:abstract" event.
// Their URLs become links as the built page's do (links.js).

import { fetchOnce } from "./dom.js";
import { linkedText } from "./links.js";

const labels = new WeakMap(); // link to arXiv → its own label, while it says something else

// {id: English abstract}, fetched once; a failure is asked again at the next opening.
function englishAbstracts(url) {
  return fetchOnce(url, (response) => response.json());
}

// On "toggle" (captured: it does not bubble) of any <details>.
export async function onAbstractOpened(event) {
  const details = event.target;
  if (!details.open || !details.matches || !details.matches("details.abstract[data-later]")) return;
  const list = details.closest("[data-abstracts]");
  if (!list) return;
  const url = new URL(list.dataset.abstracts, location.href).href;
  const link = details.querySelector("p a"); // to arXiv, until the text is here
  if (link && !labels.has(link)) labels.set(link, [...link.childNodes]); // kept for a retry
  if (link) link.textContent = say("正在加载英文摘要…", "Loading the abstract…");
  let texts;
  try {
    texts = await englishAbstracts(url);
  } catch (e) {
    if (link) link.textContent = say("英文摘要未能加载,在 arXiv 阅读", "Could not load the abstract: read it on arXiv");
    return;
  }
  fillIn(texts);
  if (link && details.hasAttribute("data-later")) link.replaceChildren(...labels.get(link)); // not in it
}

// A passing message in the reader's language mode (language.js).
function say(chinese, english) {
  return document.documentElement.dataset.digestLang === "en" ? english : chinese;
}

function fillIn(texts) {
  document.querySelectorAll("[data-abstracts] details.abstract[data-later]").forEach((later) => {
    const card = later.closest("article.paper");
    const text = card && texts[card.id];
    if (typeof text !== "string") return;
    later.querySelector("p").replaceChildren(linkedText(text));
    later.removeAttribute("data-later");
    if (later.open) later.dispatchEvent(new Event("digest:abstract", { bubbles: true }));
  });
}

// Every English abstract of the page still waiting, loaded now: print.js asks before
// printing, when the abstracts it opens are closed again before "toggle" would load them.
export function loadLaterAbstracts() {
  document.querySelectorAll("[data-abstracts]").forEach((list) => {
    if (!list.querySelector("details.abstract[data-later]")) return;
    const url = new URL(list.dataset.abstracts, location.href).href;
    englishAbstracts(url).then(fillIn, () => {}); // not loaded: the print shows the arXiv link
  });
}
