// What the reader's browser keeps. Private mode or a full quota must never break
// reading: a value that cannot be read is the fallback, one that cannot be written
// lasts for this visit.

export const KEYS = {
  lang: "digest.lang",
  favorites: "digest.favorites",
  seen: "digest.seen",
  filters: "digest.filters", // the last filters set on a list of papers (filters.js)
  forYou: "digest.foryou", // 推荐: the reader's keywords and how many days (foryou.js)
};

export function read(key, fallback) {
  try {
    const raw = localStorage.getItem(key);
    return raw === null ? fallback : JSON.parse(raw);
  } catch (e) {
    return fallback;
  }
}

export function write(key, value) {
  try {
    localStorage.setItem(key, JSON.stringify(value));
  } catch (e) { /* the page still works for this visit */ }
}
