// Favorites: starred papers kept in the browser, listed on the favorites page, their
// BibTeX copied or downloaded at once, or their RIS downloaded; 推荐 ranks the days'
// papers by them (foryou.js).

import { cardOf, chineseTitleOf, paperOf } from "./card.js";
import { bibtex, ris } from "./citations.js";
import { entriesHere, rankFileOf } from "./daycards.js";
import { ROOT, copy, el, flash } from "./dom.js";
import { KEYS, read, write } from "./storage.js";

export function favorites() {
  const list = read(KEYS.favorites, []);
  return Array.isArray(list) ? list.filter((f) => f && typeof f.id === "string") : [];
}

// What a favorite keeps: enough to list and cite it without its page, and to rank by
// it. Kept at once with the card's own text; its title as arXiv gave it, its BibTeX
// and its RIS follow from the day file (a favorite starred offline keeps no BibTeX,
// and a RIS entry of what it has: see allRis), and `rank`, its entry in its day's
// ranking file, from there when that is here already, else when 推荐 first needs it
// (foryou.js).
function favoriteOf(card) {
  const title = card.querySelector(".paper-title-en");
  const ranked = entriesHere(rankFileOf(card.dataset.date));
  return {
    id: card.id,
    title: title ? title.textContent.trim() : card.id,
    title_zh: chineseTitleOf(card),
    date: card.dataset.date,
    link: linkOf(card),
    bibtex: null,
    ris: null,
    rank: ranked ? ranked[card.id] : undefined,
  };
}

// The favorite `id` completed from `paper()`, a promise of its facts (card.js).
async function complete(id, paper) {
  let facts;
  try {
    facts = await paper();
  } catch (e) {
    return; // kept as it is
  }
  const list = favorites();
  const kept = list.find((f) => f.id === id);
  if (!kept) return; // no longer a favorite
  Object.assign(kept, { title: facts.title, bibtex: bibtex(facts), ris: ris(facts) });
  write(KEYS.favorites, list);
  showFavoritesPage(); // instant navigation may have got there while the entry came
}

// Ranking entries ({id: entry}) kept with the favorites they are of.
export function keepRankEntries(entries) {
  const list = favorites();
  list.forEach((f) => { if (f.id in entries) f.rank = entries[f.id]; });
  write(KEYS.favorites, list);
}

// The card's permalink from the site's root: its topic page's, also for a card opened
// in place on the whole-day page (rows.js points its permalink there).
function linkOf(card) {
  const anchor = card.querySelector(".paper-anchor");
  const url = new URL(anchor ? anchor.href : "#" + card.id, location.href);
  const page = url.pathname.startsWith(ROOT.pathname)
    ? url.pathname.slice(ROOT.pathname.length) : url.pathname;
  return page + "#" + card.id;
}

export function toggleFavorite(star) {
  const card = cardOf(star);
  toggle(favoriteOf(card), () => paperOf(card));
}

// Star or unstar `favorite` (as favoriteOf makes one): a paper shown without its card
// (a row of 推荐). `paper`: a promise of its facts for its BibTeX, or null.
export function toggle(favorite, paper) {
  const list = favorites();
  const at = list.findIndex((f) => f.id === favorite.id);
  if (at >= 0) list.splice(at, 1);
  else list.unshift(favorite);
  write(KEYS.favorites, list);
  showStars();
  if (at < 0 && paper) complete(favorite.id, paper);
}

// Every star of the page says whether its paper is kept: a card's, and a 推荐 row's
// (the row's data-id).
export function showStars() {
  const ids = new Set(favorites().map((f) => f.id));
  document.querySelectorAll("article.paper .paper-star, [data-id] > .for-you-star").forEach((star) => {
    const id = star.closest("article.paper")?.id || star.parentElement.dataset.id;
    const on = ids.has(id);
    star.setAttribute("aria-pressed", String(on));
    star.textContent = on ? "★" : "☆";
    star.title = on ? "取消收藏" : "收藏";
  });
}

function allBibtex() {
  return favorites().map((f) => f.bibtex).filter(Boolean).join("\n\n") + "\n";
}

// A favorite kept before RIS existed, or starred offline, has its id, title and date.
function allRis() {
  return favorites().map((f) => f.ris || ris({ id: f.id, title: f.title, year: (f.date || "").slice(0, 4) }))
    .join("\r\n");
}

function download(name, text, type) {
  const link = el("a");
  link.href = URL.createObjectURL(new Blob([text], { type }));
  link.download = name;
  document.body.appendChild(link);
  link.click();
  link.remove();
}

export function showFavoritesPage() {
  const box = document.getElementById("digest-favorites");
  if (!box) return;
  const list = favorites();
  const ol = box.querySelector(".favorites-list");
  ol.replaceChildren();
  box.querySelector(".favorites-actions").hidden = list.length === 0;
  list.forEach((f) => ol.appendChild(favoriteItem(f)));
}

function favoriteItem(f) {
  const li = el("li", "favorite");
  li.dataset.id = f.id;
  const link = el("a", "favorite__link");
  link.href = new URL(f.link, ROOT).href;
  if (f.title_zh) link.appendChild(el("span", "l-zh favorite__title-zh", f.title_zh));
  link.appendChild(el("span", "favorite__title" + (f.title_zh ? " en" : ""), f.title)); // as paper_line.html
  li.appendChild(link);
  li.appendChild(el("span", "favorite__meta", "arXiv:" + f.id + " · " + (f.date || "")));
  const remove = el("button", "favorite__remove", "移除");
  remove.type = "button";
  remove.dataset.action = "remove";
  li.appendChild(remove);
  return li;
}

export function onFavoritesAction(button) {
  const action = button.dataset.action;
  if (action === "copy-bibtex") {
    copy(allBibtex()).then(() => flash(button, "已复制"));
  } else if (action === "download-bibtex") {
    download("favorites.bib", allBibtex(), "application/x-bibtex");
  } else if (action === "download-ris") {
    download("favorites.ris", allRis(), "application/x-research-info-systems");
  } else if (action === "clear") {
    if (confirm("清空全部收藏?")) write(KEYS.favorites, []);
  } else if (action === "remove") {
    const id = button.closest("li").dataset.id;
    write(KEYS.favorites, favorites().filter((f) => f.id !== id));
  }
  showFavoritesPage();
}
