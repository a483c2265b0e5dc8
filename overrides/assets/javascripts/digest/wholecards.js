// An older day's cards (render/days.py full_pages): its topic pages show each paper as
// a brief of class paper-light (the titles, authors, score, summary and links: what a
// reader without JavaScript reads), and the whole card, as paper-card.html renders it
// for the newest days' pages, waits in the day file's "card" part (card_data.py). Here
// each light brief gives way to its card before anything reads the page's cards, and
// a card opened in place from such a page (rows.js) is taken from there too.

import { dayEntries, dayFileOf } from "./daycards.js";
import { el } from "./dom.js";

const LIGHT = ".paper-list > article.paper-light";

// The page's light briefs replaced by their cards, once; a promise of when they are,
// or null on a page that has none. A day file that cannot be read leaves the briefs,
// and says so.
export function fillCards() {
  const briefs = [...document.querySelectorAll(LIGHT)];
  if (!briefs.length) return null;
  return dayEntries(dayFileOf(briefs[0], "card")).then(
    (entries) => {
      for (const brief of briefs) {
        const card = cardOf(brief, entries);
        if (card) brief.replaceWith(card);
      }
      keepTarget();
    },
    () => {
      if (document.querySelector(".cards-failed")) return;
      const notice = el("p", "cards-failed", "论文卡片的详情未能加载,以下为简要信息;请稍后刷新本页。");
      briefs[0].closest(".paper-list").before(notice);
    },
  );
}

// The whole card of a light brief (of the current page or a fetched one) from the day
// file whose folder is `cardsUrl`, or null.
export async function wholeCard(brief, cardsUrl) {
  return cardOf(brief, await dayEntries(new URL("card.json.gz", cardsUrl).href));
}

// The brief's card from the day file's entries, its slots filled from the brief: the
// file leaves out what the brief shows as it is (paper-card.html), its heading and
// its summary's text.
function cardOf(brief, entries) {
  const html = entries[brief.id] && entries[brief.id].card;
  if (!html) return null;
  const template = document.createElement("template");
  template.innerHTML = html; // the site's own card, every value escaped when it was built
  const card = template.content.firstElementChild;
  if (!card || card.id !== brief.id || !card.matches("article.paper")) return null;
  const title = card.querySelector("[data-slot=title]");
  if (title) title.replaceWith(brief.querySelector(".paper-title").cloneNode(true));
  const summary = card.querySelector("[data-slot=tldr]");
  if (summary) summary.replaceWith(...[...brief.querySelector(".paper-tldr").childNodes].map((n) => n.cloneNode(true)));
  return card;
}

// A link to a card (a search result's) was followed to its brief: the card that took
// its place is taller, so it is scrolled to again.
function keepTarget() {
  const id = decodeURIComponent(location.hash.slice(1));
  const target = id && document.getElementById(id);
  if (target && target.matches("article.paper")) target.scrollIntoView();
}
