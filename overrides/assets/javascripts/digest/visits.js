// "New since your last visit": items dated after the newest day this reader had seen.

import { KEYS, read, write } from "./storage.js";

// The newest day seen before this visit: fixed for the whole visit (sessionStorage),
// so marks do not vanish when coming back to a page.
function seenBefore() {
  try {
    let baseline = sessionStorage.getItem(KEYS.seen);
    if (baseline === null) {
      baseline = read(KEYS.seen, "");
      sessionStorage.setItem(KEYS.seen, baseline);
    }
    return baseline;
  } catch (e) {
    return "";
  }
}

export function markNew() {
  const baseline = seenBefore();
  let newest = read(KEYS.seen, "");
  document.querySelectorAll(".md-content [data-date]").forEach((item) => {
    const date = item.dataset.date;
    item.classList.toggle("is-new", baseline !== "" && date > baseline);
    if (date > newest) newest = date;
  });
  write(KEYS.seen, newest);
}
