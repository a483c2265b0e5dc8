// Filters on the lists of papers: a topic's page of the day (its cards) and the
// whole-day page (its rows). Category, announce type, minimum score and text; the
// state is in the URL's query (a filtered view can be shared) and remembered in
// storage; a URL's state wins over the remembered one. Without JavaScript nothing is
// hidden. The form is made here, so a page without scripts has no dead controls.

import { loadLaterAbstracts } from "./abstracts.js";
import { dayEntries, dayFileOf } from "./daycards.js";
import { el, twin } from "./dom.js";
import { installRows } from "./rows.js";
import { KEYS, read, write } from "./storage.js";

// generator/render/cards.py ANNOUNCE_LABELS, in its order (foryou.js names them too).
export const TYPES = {
  new: ["新提交", "New"],
  cross: ["交叉列表", "Cross-list"],
  replace: ["版本更新", "Replaced"],
  "replace-cross": ["替换交叉", "Replaced cross-list"],
};
const PARAMS = ["cat", "hide", "min", "q"];

// Each kind of list: its items, where an item says its categories and score, and the
// block the form goes after. An item's announce type is the data-announce of it or of
// its list. Cards' text includes their abstracts, loaded from the day file for it.
const KINDS = [
  { lists: ".paper-rows", items: ":scope > li", cats: "small", score: ".t b", after: ".whole-day-summary" },
  // On a topic page the form is folded until used: a phone reader comes for the cards.
  { lists: ".paper-list", items: ":scope > :is(article.paper, .paper-brief)", cats: ".paper-cats", score: ".score", after: ".topic-summary", folded: true, abstracts: true },
];

export function enhanceLists() {
  document.querySelectorAll(".paper-rows, .paper-list").forEach(installRows);
  for (const kind of KINDS) {
    const lists = [...document.querySelectorAll(kind.lists)];
    const items = lists.flatMap((list) => [...list.querySelectorAll(kind.items)].map((n) => describe(n, kind)));
    const anchor = document.querySelector(kind.after);
    if (items.length && anchor && !document.querySelector(".digest-filters")) {
      install(anchor, lists, items, kind);
      return;
    }
  }
}

function describe(node, kind) {
  const cats = node.querySelector(kind.cats);
  const score = node.querySelector(kind.score);
  const numbers = score ? score.textContent.match(/\d+/g) : null;
  return {
    node,
    type: node.closest("[data-announce]")?.dataset.announce || "",
    cats: cats ? cats.textContent.trim().split(/[\s,]+/) : [],
    score: numbers ? Number(numbers[numbers.length - 1]) : null, // "专题 95" reads 95
    text: null, // lower-cased, read on the first text filter
  };
}

function normal(raw) {
  const state = raw && typeof raw === "object" ? raw : {};
  const min = Math.round(Number(state.min));
  return {
    cat: typeof state.cat === "string" ? state.cat.trim() : "",
    hide: Array.isArray(state.hide) ? state.hide.filter((t) => t in TYPES) : [],
    min: min > 0 ? Math.min(min, 100) : 0,
    q: typeof state.q === "string" ? state.q : "",
  };
}

function fromUrl() {
  const params = new URLSearchParams(location.search);
  if (!PARAMS.some((name) => params.has(name))) return null;
  return normal({
    cat: params.get("cat") || "",
    hide: (params.get("hide") || "").split(","),
    min: params.get("min"),
    q: params.get("q") || "",
  });
}

// The state in the address bar, the rest of the query and the fragment kept.
function showInUrl(state) {
  const params = new URLSearchParams(location.search);
  PARAMS.forEach((name) => params.delete(name));
  if (state.cat) params.set("cat", state.cat);
  if (state.hide.length) params.set("hide", state.hide.join(","));
  if (state.min) params.set("min", String(state.min));
  if (state.q) params.set("q", state.q);
  const query = params.toString();
  const url = location.pathname + (query ? "?" + query : "") + location.hash;
  // history.state is Material's (the scroll position): kept.
  if (url !== location.pathname + location.search + location.hash) history.replaceState(history.state, "", url);
}

function install(anchor, lists, items, kind) {
  const state = fromUrl() || normal(read(KEYS.filters, null));
  const form = buildForm(items, state);
  anchor.after(kind.folded ? fold(form, state) : form);
  let abstracts = !kind.abstracts; // loaded (or none to load)
  const apply = () => {
    if (state.q && !abstracts) { // the first text to match: with the abstracts, once here
      abstracts = true;
      Promise.all([loadLaterAbstracts(), briefAbstracts(items)]).then(() => {
        items.forEach((item) => { item.text = null; });
        apply();
      });
    }
    const shown = filter(lists, items, state);
    const filtered = shown < items.length;
    const count = form.parentElement.querySelector(".digest-filters__fold-count");
    if (count) count.textContent = filtered ? ` ${shown} / ${items.length}` : "";
    form.querySelector(".digest-filters__count").replaceChildren(...twin(
      `显示 ${shown} / ${items.length} 篇` + (filtered ? "(已筛选)" : ""),
      `${shown} of ${items.length} shown` + (filtered ? " (filtered)" : ""),
    ));
  };
  const changed = () => {
    Object.assign(state, readForm(form));
    write(KEYS.filters, state);
    showInUrl(state);
    apply();
  };
  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  form.addEventListener("submit", (event) => event.preventDefault());
  form.querySelector(".digest-filters__reset").addEventListener("click", () => {
    setForm(form, normal(null));
    changed();
  });
  showInUrl(state);
  apply();
}

function filter(lists, items, state) {
  const terms = state.q.toLowerCase().split(/\s+/).filter(Boolean);
  let shown = 0;
  for (const item of items) {
    const ok = matches(item, state, terms);
    item.node.hidden = !ok;
    shown += ok;
  }
  // A section with nothing left shown is hidden with its heading.
  for (const list of lists) {
    const empty = ![...list.children].some((child) => !child.hidden && child.matches("li, article"));
    list.hidden = empty;
    const heading = list.previousElementSibling;
    if (heading && heading.tagName === "H2") heading.hidden = empty;
  }
  return shown;
}

function matches(item, state, terms) {
  if (state.hide.includes(item.type)) return false;
  if (state.cat && !item.cats.includes(state.cat)) return false;
  if (state.min && (item.score === null || item.score < state.min)) return false;
  if (!terms.length) return true;
  if (item.text === null) item.text = (item.node.textContent + (item.abstracts || "")).toLowerCase();
  return terms.every((term) => item.text.includes(term));
}

// A brief's abstracts, which its page does not show (its card is on another topic's
// page), from the day file beside the page, as a card's are: the text filter finds it
// by them as it finds the card.
function briefAbstracts(items) {
  const briefs = items.filter((item) => item.node.matches(".paper-brief"));
  return Promise.all(["abstract", "abstract_zh"].flatMap((part) => briefs.map(async (item) => {
    const url = dayFileOf(item.node, part);
    const entry = url ? (await dayEntries(url).catch(() => ({})))[item.node.id] : null;
    if (entry && entry[part]) item.abstracts = (item.abstracts || "") + " " + entry[part];
  })));
}

// The form inside a <details>, open when a filter is on (from the link or remembered).
function fold(form, state) {
  const box = el("details", "digest-filters__fold");
  const summary = el("summary");
  summary.append(...twin("筛选", "Filter"), el("span", "digest-filters__fold-count"));
  box.append(summary, form);
  box.open = Boolean(state.cat || state.hide.length || state.min || state.q);
  return box;
}

function buildForm(items, state) {
  const form = el("form", "digest-filters");
  form.setAttribute("aria-label", "筛选论文");
  form.append(
    field(twin("分类", "Category"), categorySelect(items, state.cat)),
    typeBoxes(items),
    field(twin("最低分", "Min score"), input("number", "min", { min: 0, max: 100, step: 5, inputMode: "numeric" })),
    field(twin("文字", "Text"), input("search", "q", { placeholder: "标题、作者、编号…" })),
  );
  const reset = el("button", "digest-filters__reset");
  reset.append(...twin("清除筛选", "Clear filters"));
  reset.type = "button";
  form.append(reset, el("p", "digest-filters__count"));
  form.lastChild.setAttribute("aria-live", "polite");
  setForm(form, state);
  return form;
}

function field(label, control) {
  const wrap = el("label", "digest-filters__field");
  const name = el("span");
  name.append(...label);
  wrap.append(name, control);
  return wrap;
}

function input(type, name, props) {
  const node = el("input");
  Object.assign(node, { type, name, autocomplete: "off" }, props);
  return node;
}

function categorySelect(items, chosen) {
  const counts = new Map();
  items.forEach((item) => item.cats.forEach((c) => counts.set(c, (counts.get(c) || 0) + 1)));
  if (chosen && !counts.has(chosen)) counts.set(chosen, 0); // from a link: still shown
  const select = el("select");
  select.name = "cat";
  select.append(new Option("全部", ""));
  [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).forEach(([cat, n]) => {
    select.append(new Option(`${cat} (${n})`, cat));
  });
  return select;
}

function typeBoxes(items) {
  const box = el("fieldset", "digest-filters__types");
  const legend = el("legend");
  legend.append(...twin("类型", "Type"));
  box.append(legend);
  for (const [type, [chinese, english]] of Object.entries(TYPES)) {
    const count = items.filter((item) => item.type === type).length;
    const wrap = el("label");
    const check = input("checkbox", "type", { value: type });
    const name = el("span");
    name.append(...twin(`${chinese} ${count}`, `${english} ${count}`));
    wrap.append(check, name);
    box.append(wrap);
  }
  return box;
}

function readForm(form) {
  const hide = [...form.querySelectorAll("input[name=type]")].filter((c) => !c.checked).map((c) => c.value);
  return normal({ cat: form.elements.cat.value, hide, min: form.elements.min.value, q: form.elements.q.value });
}

function setForm(form, state) {
  form.elements.cat.value = state.cat;
  form.querySelectorAll("input[name=type]").forEach((c) => { c.checked = !state.hide.includes(c.value); });
  form.elements.min.value = state.min ? String(state.min) : "";
  form.elements.q.value = state.q;
}
