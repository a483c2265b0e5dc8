// Small helpers for the page. Everything shown from a paper goes through textContent:
// it came from arXiv.

// The site's root: Material's instant navigation keeps it in __md_scope.
export const ROOT = siteRoot();

function siteRoot() {
  if (window.__md_scope) return new URL(".", window.__md_scope);
  const config = JSON.parse(document.getElementById("__config").textContent);
  return new URL(config.base.replace(/\/?$/, "/"), location.href);
}

export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = text;
  return node;
}

// `text`, or a promise of it (a BibTeX entry whose day file is on its way), to the
// clipboard. A promise goes to the clipboard at once as a ClipboardItem that waits for
// it: Safari refuses a write that comes after an await, once the click is over.
export function copy(text) {
  if (navigator.clipboard && window.isSecureContext) {
    if (typeof text !== "string" && window.ClipboardItem && navigator.clipboard.write) {
      const blob = Promise.resolve(text).then((t) => new Blob([t], { type: "text/plain" }));
      return navigator.clipboard.write([new ClipboardItem({ "text/plain": blob })]);
    }
    return Promise.resolve(text).then((t) => navigator.clipboard.writeText(t));
  }
  return Promise.resolve(text).then(copyBySelection);
}

function copyBySelection(text) {
  const area = el("textarea");
  area.value = text;
  document.body.appendChild(area);
  area.select();
  const ok = document.execCommand("copy");
  area.remove();
  if (!ok) throw new Error("copy refused");
}

// A button's label replaced for a moment ("已复制").
export function flash(button, text) {
  const before = button.dataset.label || button.textContent;
  button.dataset.label = before;
  button.textContent = text;
  setTimeout(() => { button.textContent = before; }, 1500);
}

// A label in the reader's language, as the card's label() macro writes it: Chinese in
// 中文 and 双语, English in English mode (digest.css hides the other).
export function twin(chinese, english) {
  const en = el("span", "l-en-only", english);
  en.lang = "en";
  return [el("span", "l-zh", chinese), en];
}

// A URL's body, fetched once a visit and read by `read` (the response's json or text);
// a failed fetch is forgotten, so the next asking tries again.
const fetched = new Map(); // url → promise of what `read` made of it

export function fetchOnce(url, read) {
  if (!fetched.has(url)) {
    const body = fetch(url).then((response) => {
      if (!response.ok) throw new Error("HTTP " + response.status);
      return read(response);
    });
    body.catch(() => fetched.delete(url));
    fetched.set(url, body);
  }
  return fetched.get(url);
}
