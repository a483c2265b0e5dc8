// Search over the whole archive with Pagefind, loaded on first use. One bundle per
// quarter, listed newest first in the manifest the search dialog names
// (generator/site/layout.py: each {id, label, bundle}): a query searches the newest
// quarter, and older ones one at a time on request or while they find nothing, so
// neither the download nor the work of a first query grows with the archive.
// An archive split over two sites ends the newer one's manifest with an entry for the
// older site ({id, label, manifest, site, before}): when a search gets there, that
// site's manifest is read and its quarters take the entry's place, searched the same
// way from that site (which sends CORS headers, as GitHub Pages does).

import { ROOT, el } from "./dom.js";
import { queryOf } from "./query.js";

const UNAVAILABLE = "搜索索引不可用:运行 arxiv-digest build 生成 site/pagefind/。";
const PAGE_SIZE = 10;
const FIRST_CHECK = 30; // candidates checked before the first page is shown

// The search of another site (the older site of a split archive) could not be read.
class Unreachable extends Error {
  constructor(site) {
    super("无法读取旧站的搜索索引(" + site + "),请稍后再试。");
  }
}

// The manifests and the bundles, each fetched once.
class Bundles {
  constructor(manifest) {
    this.manifest = manifest; // absolute: bundles are relative to it
    this.periods = null; // promise of the list: this site's periods, then another site's entry
    this.loaded = new Map(); // bundle URL → promise of its Pagefind
    this.read = new Map(); // another site's manifest URL → promise of its periods in the list
  }

  list() {
    if (!this.periods) this.periods = readManifest(this.manifest, null);
    return this.periods;
  }

  // Another site's entry of the list, replaced there by that site's periods.
  async expand(entry) {
    const list = await this.list();
    if (!this.read.has(entry.manifest)) {
      const site = new URL(entry.site, this.manifest).href;
      const read = readManifest(new URL(entry.manifest, this.manifest), site).then((periods) => {
        const at = list.indexOf(entry);
        if (at >= 0) list.splice(at, 1, ...periods);
      }, () => {
        this.read.delete(entry.manifest); // asked again by the next search
        throw new Unreachable(site);
      });
      this.read.set(entry.manifest, read);
    }
    return this.read.get(entry.manifest);
  }

  pagefind(period) {
    if (!this.loaded.has(period.bundle)) {
      const loading = load(period.bundle, period.site);
      this.loaded.set(period.bundle, period.site ? loading.catch(() => {
        this.loaded.delete(period.bundle);
        throw new Unreachable(period.site);
      }) : loading);
    }
    return this.loaded.get(period.bundle);
  }
}

// A manifest's list, each bundle made absolute; `site`: the root of the site it is
// on, when not this one (its results link there).
async function readManifest(manifest, site) {
  const response = await fetch(manifest);
  if (!response.ok) throw new Error("no search index");
  return (await response.json()).map((entry) => entry.bundle
    ? { ...entry, bundle: new URL(entry.bundle, manifest).href, site }
    : entry);
}

async function load(url, site) {
  const pagefind = await import(url);
  // Results' own URLs under the site they are on: ours by its path, another by address.
  await pagefind.options({ baseUrl: site || ROOT.pathname, excerptLength: 24 });
  pagefind.init();
  return pagefind;
}

// One quarter's answer: Pagefind's candidates, best first, checked a batch at a time
// as they are shown; `held` are those that really hold the query.
class Answer {
  constructor(query, results, site) {
    this.query = query;
    this.results = results;
    this.site = site; // the root its results' links are under, when not this site's
    this.checked = 0;
    this.held = [];
  }

  get complete() {
    return this.checked >= this.results.length;
  }

  // Check candidates until `count` are held or none are left. The first batch is
  // larger: an exact title is looked for among it and put first (Pagefind ranks a
  // full title match high, not necessarily first).
  async fill(count) {
    while (this.held.length < count && !this.complete) {
      const first = this.checked === 0;
      const batch = this.results.slice(this.checked, this.checked + (first ? FIRST_CHECK : PAGE_SIZE));
      this.checked += batch.length;
      const items = await Promise.all(batch.map((result) => result.data()));
      if (first && this.query.lacksWordIn(items)) {
        this.checked = this.results.length; // Pagefind's fallback: no candidate holds it
        return;
      }
      const held = items.filter((item) => this.query.isHeldBy(item));
      if (first) held.sort((a, b) => this.query.isTitleOf(b) - this.query.isTitleOf(a));
      this.held.push(...held);
    }
  }
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
    this.clear = dialog.querySelector(".digest-search__clear");
    this.text = "";
    this.query = null; // what `text` asks for (query.js)
    this.period = 0; // index in the manifest of the quarter searched last
    this.answer = null; // that quarter's, of which `shown` are listed
    this.shown = 0;
    this.before = 0; // held in the quarters searched before it
  }

  static install() {
    const dialog = document.querySelector("dialog.digest-search");
    if (!dialog) return null;
    const search = new Search(dialog);
    search.input.addEventListener("input", () => search.onInput());
    search.more.addEventListener("click", () => search.onMore());
    search.clear.addEventListener("click", () => search.onClear());
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
      if (periods.length && periods[0].bundle) await this.bundles.pagefind(periods[0]);
    } catch (e) {
      this.status(UNAVAILABLE);
    }
  }

  onInput() {
    this.clear.hidden = !this.input.value;
    this.run(this.input.value);
  }

  onClear() {
    this.input.value = "";
    this.onInput();
    this.input.focus();
  }

  // The quarters that may hold what the query asks for, newest first.
  async periods() {
    return this.query.periodsIn(await this.bundles.list());
  }

  status(text) {
    this.dialog.querySelector(".digest-search__status").textContent = text;
  }

  run(text) {
    this.text = text;
    this.period = 0;
    this.before = 0;
    this.answer = null;
    this.list.replaceChildren();
    this.more.hidden = true;
    this.query = queryOf(text);
    if (!text.trim() || this.query.isEmpty) {
      this.status("");
      return;
    }
    this.guarded(() => this.searchFrom(text, this.query, 200));
  }

  onMore() {
    if (this.answer && (this.shown < this.answer.held.length || !this.answer.complete)) {
      this.guarded(() => this.showMore());
    } else {
      this.period += 1;
      this.before += this.answer ? this.answer.held.length : 0;
      this.more.hidden = true;
      this.guarded(() => this.searchFrom(this.text, this.query, 0));
    }
  }

  async guarded(step) {
    try {
      await step();
    } catch (e) {
      this.status(e instanceof Unreachable ? e.message : UNAVAILABLE);
    }
  }

  // The quarter at `period`, then older ones while nothing is found.
  async searchFrom(text, query, debounce) {
    let periods = await this.periods();
    for (;;) {
      const period = periods[this.period];
      if (period === undefined) { // an id newer than every quarter; an older site of none
        this.status("没有找到");
        this.more.hidden = true;
        return;
      }
      if (!period.bundle) { // another site's entry: its quarters, then on from here
        await this.bundles.expand(period);
        if (text !== this.text) return;
        periods = await this.periods();
        continue;
      }
      const pagefind = await this.bundles.pagefind(period);
      const results = await candidates(pagefind, query, debounce);
      if (!results || text !== this.text) return; // superseded
      const answer = new Answer(query, results, period.site);
      await answer.fill(PAGE_SIZE);
      if (text !== this.text) return;
      this.answer = answer;
      this.shown = 0;
      const older = periods.slice(this.period + 1);
      if (answer.held.length || !older.length) break;
      this.status(period.label + (this.period ? "至今" : "") + "没有找到,正在搜索 " + older[0].label + "…");
      this.period += 1; // nothing in this quarter: look further back
      debounce = 0;
    }
    if (this.period > 0 && this.answer.held.length) {
      this.list.appendChild(el("li", "digest-search__period", periods[this.period].label));
    }
    await this.showMore();
  }

  async showMore() {
    const text = this.text;
    const answer = this.answer;
    await answer.fill(this.shown + PAGE_SIZE);
    if (text !== this.text) return;
    answer.held.slice(this.shown, this.shown + PAGE_SIZE).forEach((item) => this.list.appendChild(resultItem(item, answer.site)));
    this.shown = Math.min(answer.held.length, this.shown + PAGE_SIZE);
    const periods = await this.periods();
    if (text !== this.text) return;
    this.status(this.summary(periods));
    const next = periods[this.period + 1];
    const more = this.shown < answer.held.length || !answer.complete;
    this.more.hidden = !more && next === undefined;
    this.more.textContent = more ? "更多结果" : "搜索 " + (next && next.label);
  }

  // "找到 3 篇(2026 年 4–6 月)": a count of papers checked to hold the query, "至少"
  // while candidates are left unchecked.
  summary(periods) {
    const span = periods[this.period].label + (this.period ? "至今" : "");
    const total = this.before + this.answer.held.length;
    if (!total) return span + "没有找到";
    return "找到" + (this.answer.complete ? " " : "至少 ") + total + " 篇(" + span + ")";
  }
}

// Pagefind's candidates for the query, best first: from the first of its queries that
// finds any. Null when a newer search superseded this one.
async function candidates(pagefind, query, debounce) {
  const options = query.options();
  let results = [];
  for (const text of query.candidateQueries()) {
    const found = await pagefind.debouncedSearch(text, options, debounce);
    if (!found) return null;
    results = found.results;
    if (results.length) break;
    debounce = 0;
  }
  return results;
}

function resultItem(item, site) {
  const meta = item.meta || {};
  const li = el("li", "digest-result");
  const link = el("a", "digest-result__link");
  link.href = new URL(meta.link || item.url, site || ROOT).href;
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
