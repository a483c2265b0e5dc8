// Keyboard: Material's own search keys (/ s f) and the common Ctrl+K open the search;
// in it, Escape closes and Enter follows the first result. On a page of cards, j and k
// move to the next and the previous card, focusing it so Tab goes on inside it.

function isTyping(target) {
  return target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
}

function isPlain(event) {
  return !event.ctrlKey && !event.metaKey && !event.altKey;
}

function isShortcut(event) {
  return (isPlain(event) && ["/", "s", "f"].includes(event.key)) ||
    ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "k");
}

// The cards a reader can see (a filter or the language may hide some), in page order.
function shownCards() {
  return [...document.querySelectorAll("article.paper")].filter((card) => card.offsetParent);
}

// The card j (step 1) or k (step -1) goes to: the one after or before the focused
// card; with none focused, the first below the header or the last above it.
function targetCard(cards, step) {
  const focused = cards.findIndex((card) => card.contains(document.activeElement));
  if (focused >= 0) return cards[Math.min(cards.length - 1, Math.max(0, focused + step))];
  const header = document.querySelector(".md-header");
  const line = header ? header.getBoundingClientRect().bottom : 0;
  const below = cards.findIndex((card) => card.getBoundingClientRect().top > line);
  if (step > 0) return cards[below < 0 ? cards.length - 1 : below];
  return cards[below < 0 ? cards.length - 1 : Math.max(0, below - 1)];
}

function moveCard(step) {
  const cards = shownCards();
  if (!cards.length) return false;
  const card = targetCard(cards, step);
  if (!card.hasAttribute("tabindex")) card.setAttribute("tabindex", "-1");
  card.focus({ preventScroll: true });
  card.scrollIntoView({ block: "start" }); // the card's scroll-margin-top clears the header
  return true;
}

export function installKeys(search) {
  window.addEventListener("keydown", (event) => { // captured: before Material's own
    if (isShortcut(event) && !isTyping(event.target) && !search.isOpen) {
      event.preventDefault();
      event.stopPropagation(); // Material's own search shortcut would open nothing
      search.open();
    } else if (event.key === "Escape" && search.isOpen) {
      // Chromium's first Escape in a filled search box only clears it: close at once.
      event.preventDefault();
      event.stopPropagation();
      search.close();
    } else if (event.key === "Enter" && search.isOpen &&
               event.target.classList.contains("digest-search__input")) {
      event.preventDefault();
      search.followFirst();
    } else if ((event.key === "j" || event.key === "k") && isPlain(event) &&
               !isTyping(event.target) && !search.isOpen) {
      if (moveCard(event.key === "j" ? 1 : -1)) event.preventDefault();
    }
  }, true);
}
