// Keyboard: Material's own search keys (/ s f) and the common Ctrl+K open the search;
// in it, Escape closes and Enter follows the first result.

function isTyping(target) {
  return target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
}

function isShortcut(event) {
  const plain = !event.ctrlKey && !event.metaKey && !event.altKey;
  return (plain && ["/", "s", "f"].includes(event.key)) ||
    ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "k");
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
    }
  }, true);
}
