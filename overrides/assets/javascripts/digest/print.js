// Printing shows every abstract. CSS cannot open a <details>, so the closed abstracts
// are opened before printing and closed again after, leaving the page as the reader
// had it. Material does this too, but only for the <details> that were there when it
// mounted the page: not for cards a script adds later.
// The abstracts wait in the day file (abstracts.js). Ctrl+P (⌘P) loads them first
// and then prints. A print from the browser's menu cannot wait ("beforeprint" is the
// last moment before the page is laid out for paper): it gets the abstracts already
// here, starts loading the rest for the next print, and a fold still waiting prints
// that arXiv has it (print.css). Imported by main.js for these listeners.

import { fillInWhatIsHere, loadLaterAbstracts } from "./abstracts.js";

const openedForPrint = [];

function openAbstracts() {
  fillInWhatIsHere();
  loadLaterAbstracts();
  document.querySelectorAll("article.paper details.abstract:not([open])").forEach((details) => {
    details.open = true;
    openedForPrint.push(details);
  });
}

function closeThemAgain() {
  openedForPrint.splice(0).forEach((details) => {
    details.open = false;
  });
}

function onPrintKey(event) {
  const key = event.key && event.key.toLowerCase();
  if (key !== "p" || !(event.ctrlKey || event.metaKey) || event.altKey || event.shiftKey) return;
  if (!document.querySelector("article.paper details.abstract[data-later]")) return; // all here
  event.preventDefault();
  loadLaterAbstracts().then(() => window.print());
}

window.addEventListener("beforeprint", openAbstracts);
window.addEventListener("afterprint", closeThemAgain);
window.addEventListener("keydown", onPrintKey);
