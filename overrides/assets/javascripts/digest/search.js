// Search over the whole archive with Pagefind, loaded on first use. One bundle per
// quarter, listed newest first in the manifest the search dialog names
// (generator/site/layout.py: each {id, label, bundle}): a query searches the newest
// quarter, and older ones one at a time on request or while they find nothing, so
// neither the download nor the work of a first query grows with the archive.

import { ROOT, el } from "./dom.js";

const UNAVAILABLE = "搜索索引不可用:运行 arxiv-digest build 生成 site/pagefind/。";
const PAGE_SIZE = 10;

// Pagefind splits Chinese into words when indexing but not in the browser, so a
// query like 越狱攻击 would look for one long word. The browser's own segmenter
// splits it into the words the index holds (越狱 攻击); other text passes as typed.
const segmenter = window.Intl && Intl.Segmenter ? new Intl.Segmenter("zh", { granularity: "word" }) : null;

function segmented(query) {
  if (!segmenter) return query;
  return query.replace(/[\u3400-\u9fff\uf900-\ufaff]+/g, (run) => {
    const words = [];
    for (const part of segmenter.segment(run)) if (part.isWordLike) words.push(part.segment);
    return " " + words.join(" ") + " ";
  }).trim();
}

// The manifest and the bundles, each fetched once.
class Bundles {
  constructor(manifest) {
    this.manifest = manifest; // absolute: bundles are relative to it
    this.periods = null; // promise of the manifest's list
    this.loaded = new Map(); // period id → promise of its Pagefind
  }

  list() {
    if (!this.periods) {
      this.periods = fetch(this.manifest).then((response) => {
        if (!response.ok) throw new Error("no search index");
        return response.json();
      });
    }
    return this.periods;
  }

  pagefind(period) {
    if (!this.loaded.has(period.id)) {
      this.loaded.set(period.id, load(new URL(period.bundle, this.manifest).href));
    }
    return this.loaded.get(period.id);
  }
}

async function load(url) {
  const pagefind = await import(url);
  await pagefind.options({ baseUrl: ROOT.pathname, excerptLength: 24 });
  pagefind.init();
  return pagefind;
}

// The search dialog (overrides/main.html) and the one search it shows. Every await
// is followed by a check that the query is still the one typed: a newer one wins.
export class Search {
  constructor(dialog) {
    this.dialog = dialog;
    // As the first page linked it: the dialog stays while instant navigation changes pages.
    this.bundles = new Bundles(new URL(dialog.dataset.manifest, location.href));
    this.input = dialog.querySelector("input");
    this.list = dialog.querySelector(".digest-search__results");
    this.more = dialog.querySelector(".digest-search__more");
    this.query = "";
    this.period = 0; // index in the manifest of the quarter searched last
    this.results = []; // that quarter's, of which `shown` are listed
    this.shown = 0;
    this.total = 0; // found in all quarters searched
  }

  static install() {
    const dialog = document.querySelector("dialog.digest-search");
    if (!dialog) return null;
    const search = new Search(dialog);
    search.input.addEventListener("input", () => search.run(search.input.value));
    search.more.addEventListener("click", () => search.onMore());
    dialog.addEventListener("click", (event) => {
      if (event.target === dialog) dialog.close(); // the backdrop
      else if (event.target.closest(".digest-result__link")) dialog.close();
    });
    return search;
  }

  get isOpen() {
    return this.dialog.open;
  }

  close() {
    this.dialog.close();
  }

  followFirst() {
    const first = this.dialog.querySelector(".digest-result__link");
    if (first) first.click();
  }

  async open() {
    if (this.dialog.open) return;
    this.dialog.showModal();
    this.input.focus();
    this.input.select();
    try { // the newest bundle, while the reader types
      const periods = await this.bundles.list();
      if (periods.length) await this.bundles.pagefind(periods[0]);
    } catch (e) {
      this.status(UNAVAILABLE);
    }
  }

  status(text) {
    this.dialog.querySelector(".digest-search__status").textContent = text;
  }

  run(query) {
    this.query = query;
    this.period = 0;
    this.total = 0;
    this.list.replaceChildren();
    this.more.hidden = true;
    if (!query.trim()) {
      this.status("");
      return;
    }
    this.guarded(() => this.searchFrom(query, 200));
  }

  onMore() {
    if (this.shown < this.results.length) {
      this.guarded(() => this.showMore());
    } else {
      this.period += 1;
      this.more.hidden = true;
      this.guarded(() => this.searchFrom(this.query, 0));
    }
  }

  async guarded(step) {
    try {
      await step();
    } catch (e) {
      this.status(UNAVAILABLE);
    }
  }

  // The quarter at `period`, then older ones while nothing is found.
  async searchFrom(query, debounce) {
    const periods = await this.bundles.list();
    for (;;) {
      const period = periods[this.period];
      if (period === undefined) return;
      const pagefind = await this.bundles.pagefind(period);
      const found = await pagefind.debouncedSearch(segmented(query), {}, debounce);
      if (!found || query !== this.query) return; // superseded
      this.results = found.results;
      this.shown = 0;
      this.total += found.results.length;
      if (this.period > 0 && found.results.length) {
        this.list.appendChild(el("li", "digest-search__period", period.label));
      }
      const older = periods.slice(this.period + 1);
      const span = period.label + (this.period ? "至今" : "");
      this.status(this.total
        ? "找到 " + this.total + " 篇(" + span + ")"
        : span + "没有找到" + (older.length ? ",正在搜索 " + older[0].label + "…" : ""));
      if (found.results.length || !older.length) break;
      this.period += 1; // nothing in this quarter: look further back
      debounce = 0;
    }
    await this.showMore();
  }

  async showMore() {
    const query = this.query;
    const page = this.results.slice(this.shown, this.shown + PAGE_SIZE);
    this.shown += page.length;
    const items = await Promise.all(page.map((result) => result.data()));
    if (query !== this.query) return;
    items.forEach((item) => this.list.appendChild(resultItem(item)));
    const periods = await this.bundles.list();
    if (query !== this.query) return;
    const next = periods[this.period + 1];
    this.more.hidden = this.shown >= this.results.length && next === undefined;
    this.more.textContent = this.shown < this.results.length ? "更多结果" : "搜索 " + (next && next.label);
  }
}

function resultItem(item) {
  const meta = item.meta || {};
  const li = el("li", "digest-result");
  const link = el("a", "digest-result__link");
  link.href = new URL(meta.link || item.url, ROOT).href;
  if (meta.title_zh) link.appendChild(el("span", "digest-result__title-zh l-zh", meta.title_zh));
  link.appendChild(el("span", "digest-result__title" + (meta.title_zh ? " l-en" : ""), meta.title));
  li.appendChild(link);
  li.appendChild(el("p", "digest-result__meta", [meta.date, meta.topic].filter(Boolean).join(" · ")));
  li.appendChild(excerpt(item.excerpt || ""));
  return li;
}

// Pagefind's excerpt is HTML with <mark>; keep the marks, turn everything else to text.
function excerpt(html) {
  const out = el("p", "digest-result__excerpt");
  const parsed = new DOMParser().parseFromString("<body>" + html, "text/html");
  parsed.body.childNodes.forEach((node) => {
    if (node.nodeName === "MARK") out.appendChild(el("mark", "", node.textContent));
    else out.appendChild(document.createTextNode(node.textContent));
  });
  return out;
}
