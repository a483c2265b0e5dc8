// Printing shows every abstract. CSS cannot open a <details>, so the closed abstracts
// are opened before printing and closed again after, leaving the page as the reader
// had it. Material does this too, but only for the <details> that were there when it
// mounted the page: not for cards a script adds later. The English abstracts not
// loaded yet start loading (abstracts.js): the abstracts opened for printing close
// again before "toggle" would load them. A print that comes before they are here
// shows their arXiv address (print.css). Imported by main.js for these listeners.

import { loadLaterAbstracts } from "./abstracts.js";

const openedForPrint = [];

function openAbstracts() {
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

window.addEventListener("beforeprint", openAbstracts);
window.addEventListener("afterprint", closeThemAgain);
