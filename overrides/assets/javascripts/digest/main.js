// The reader's side of the digest, loaded as ES modules (overrides/main.html), one
// per concern. Material's instant navigation swaps the page content without
// reloading: page-level work runs on every document$ emission, clicks are delegated.

import { onAbstractOpened } from "./abstracts.js";
import { bibtexOf } from "./citations.js";
import { cardOf, permalinkOf } from "./card.js";
import { addControls } from "./controls.js";
import { copy, flash } from "./dom.js";
import { onFavoritesAction, showFavoritesPage, showStars, toggleFavorite } from "./favorites.js";
import { installKeys } from "./keys.js";
import { enhanceLists } from "./filters.js";
import { markForYou, showForYouPage, toggleFromRow } from "./foryou.js";
import { fillRows } from "./rows.js";
import { fillCards } from "./wholecards.js";
import { setMode, showMode } from "./language.js";
import { Search } from "./search.js";
import { markNew } from "./visits.js";
import "./print.js"; // abstracts open on paper

// The language menu and the search button, moved into Material's header.
function installHeaderTools() {
  const template = document.getElementById("digest-header-tools");
  const header = document.querySelector(".md-header__inner");
  if (!template || !header || header.querySelector(".digest-lang")) return;
  const before = header.querySelector("[data-md-component=palette]") ||
    header.querySelector(".md-header__source");
  header.insertBefore(template.content.cloneNode(true), before);
  showMode();
}

function onClick(event, search) {
  const target = event.target.closest("button");
  if (!target) return;
  if (target.matches("[data-digest-lang]")) {
    setMode(target.dataset.digestLang);
    target.blur();
  } else if (target.matches(".digest-search-open")) {
    if (search) search.open();
  } else if (target.matches(".paper-star")) {
    toggleFavorite(target);
  } else if (target.matches(".for-you-star")) {
    toggleFromRow(target);
  } else if (target.matches(".paper-copy-link")) {
    copy(permalinkOf(cardOf(target))).then(
      () => flash(target, "已复制"),
      () => flash(target, "复制失败"),
    );
  } else if (target.matches(".more-authors__less")) {
    target.closest("details").open = false;
  } else if (target.matches(".paper-bibtex")) {
    copy(bibtexOf(cardOf(target))).then(
      () => flash(target, "已复制"),
      () => flash(target, "复制失败"),
    );
  } else if (target.closest("#digest-favorites") && target.dataset.action) {
    onFavoritesAction(target);
  }
}

function onPage() {
  addControls(document);
  showStars();
  showFavoritesPage();
  markNew();
  showForYouPage();
  // An older day's rows and cards, made here first (rows.js, wholecards.js).
  const made = [fillRows(), fillCards()].filter(Boolean);
  if (made.length) Promise.all(made).then(() => onRows(true));
  else onRows(false);
}

// What reads a page's rows and cards: their controls once they are made, the filters
// and the 为你推荐 marks.
function onRows(made) {
  if (made) {
    addControls(document);
    showStars();
  }
  enhanceLists();
  markForYou();
}

const search = Search.install();
document.addEventListener("click", (event) => onClick(event, search));
document.addEventListener("toggle", onAbstractOpened, true); // toggle does not bubble
installHeaderTools();
if (search) installKeys(search);
if (typeof document$ !== "undefined") document$.subscribe(onPage);
else onPage();
