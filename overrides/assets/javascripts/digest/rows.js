// Rows that open in place: the whole day's rows, and the briefs of a topic page (a
// paper whose card is on another topic's page of the day: paper-brief.html). A row
// whose link leads to a paper's card on a topic page opens that card under it, taken
// from the topic page (fetched once, kept for the visit: a page does not carry cards
// nobody may open); a row of a paper no topic lists is a plain link to arXiv. Without
// JavaScript every row is a link to where the card or the paper is.
//
// An older month's whole-day page comes with its lists empty (render/days.py
// full_pages): `fillRows` makes their rows from the day's ranking file, in the
// markup templates/whole_day.md writes for the newest months.

import { addControls } from "./controls.js";
import { dayEntries, paperHref, rankFileOf } from "./daycards.js";
import { el, fetchOnce } from "./dom.js";
import { showStars } from "./favorites.js";
import { wholeCard } from "./wholecards.js";

// The rows of a page that names a day to make them of (data-rows-of), made once;
// a promise of when they are there, or null on any other page.
export function fillRows() {
  const summary = document.querySelector("[data-rows-of]");
  if (!summary) return null;
  if (!summary.dataset.rowsMade) summary.dataset.rowsMade = "true";
  else return Promise.resolve();
  const date = summary.dataset.rowsOf;
  const names = JSON.parse(summary.dataset.topicNames);
  return dayEntries(rankFileOf(date)).then(
    (entries) => {
      for (const list of document.querySelectorAll("ol.paper-rows[data-announce]")) {
        const kind = list.dataset.announce;
        const ids = Object.keys(entries).filter((id) => entries[id].type === kind).sort();
        list.replaceChildren(...ids.map((id) => rowOf(id, entries[id], date, names)));
      }
    },
    () => {
      delete summary.dataset.rowsMade; // asked again at the next visit of the page
      summary.append(el("p", "rows-failed", "论文列表未能加载,请稍后刷新本页。"));
    },
  );
}

// <li><a href><code>id</code> <small>cats</small> <span class="t">topic <b>score</b></span>
// <b>Chinese title</b> <i lang="en">title</i></a></li>, as whole_day.md writes a row.
function rowOf(id, entry, date, names) {
  const link = el("a");
  link.href = paperHref(id, entry, date);
  link.append(el("code", null, id), " ", el("small", null, (entry.cats || []).join(" ")));
  if (entry.best) {
    const topic = el("span", "t", (names[entry.best[0]] || entry.best[0]) + " ");
    topic.append(el("b", null, String(entry.best[1])));
    link.append(" ", topic);
  }
  if (entry.title_zh) link.append(" ", el("b", null, entry.title_zh));
  const title = el("i", null, entry.title || "");
  title.lang = "en";
  link.append(" ", title);
  const row = el("li");
  row.append(link);
  return row;
}

// A topic page's document, fetched once; a failure is asked again at the next opening.
function topicPage(url) {
  return fetchOnce(url, async (response) => new DOMParser().parseFromString(await response.text(), "text/html"));
}

// The card a row's link leads to on this site, or null (arXiv).
function cardAddress(link) {
  const url = new URL(link.href, location.href);
  return url.origin === location.origin && url.hash ? url : null;
}

const OPENERS = ":scope > li > a, :scope > .paper-brief > .paper-title > a";
const ROW = "li, .paper-brief"; // what a link opens its card in, at its end

export function installRows(list) {
  list.querySelectorAll(OPENERS).forEach((link) => {
    if (cardAddress(link)) link.setAttribute("aria-expanded", "false");
  });
  list.addEventListener("click", onRowClick);
}

function onRowClick(event) {
  const link = event.target.closest("a[aria-expanded]");
  if (!link || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
  event.preventDefault();
  event.stopPropagation(); // Material's instant navigation would follow the link
  const open = link.getAttribute("aria-expanded") === "true";
  link.setAttribute("aria-expanded", String(!open));
  const box = link.closest(ROW).querySelector(":scope > .row-card");
  if (box) box.hidden = open;
  else if (!open) fillRow(link);
}

async function fillRow(link) {
  const box = el("div", "row-card", "正在加载卡片…");
  link.closest(ROW).append(box);
  const address = cardAddress(link);
  const pageUrl = address.href.split("#")[0];
  let card = null;
  let cards = null; // the day file its abstracts and BibTeX wait in
  try {
    card = (await topicPage(pageUrl)).getElementById(decodeURIComponent(address.hash.slice(1)));
    const list = card && card.closest("[data-cards]");
    if (list) cards = new URL(list.getAttribute("data-cards"), pageUrl).href;
    // An older day's page shows its brief; the whole card is in the day file.
    if (card && card.matches(".paper-light")) card = cards && (await wholeCard(card, cards));
  } catch (e) { /* said below */ }
  if (!card) {
    box.replaceChildren("卡片未能加载,", linkTo(address.href, "在专题页阅读"));
    return;
  }
  if (cards) box.dataset.cards = cards;
  const shown = document.importNode(card, true);
  // Its permalink and other in-page links lead to the topic page, where it stays.
  shown.querySelectorAll("a[href^='#']").forEach((a) => { a.href = pageUrl + a.getAttribute("href"); });
  box.replaceChildren(shown);
  addControls(box);
  showStars();
}

function linkTo(href, text) {
  const a = el("a", null, text);
  a.href = href;
  return a;
}
