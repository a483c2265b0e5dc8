// 推荐 / For you on the page: the /for-you/ page ranks the newest days' papers for the
// reader, and a day's own pages (its overview, its topic pages, all its papers) mark
// its best matches 为你推荐. The ranking is rank.js's, over the days' ranking files
// (daycards.js rankFileOf, generator/rank_data.py), by her favorites and the keywords
// she keeps here (storage.js KEYS.forYou). Nothing is sent anywhere: the only
// requests are for the site's own files.

import { paperFrom } from "./card.js";
import { dayEntries, paperHref, rankFileOf } from "./daycards.js";
import { ROOT, el, twin } from "./dom.js";
import { favorites, keepRankEntries, toggle } from "./favorites.js";
import { TYPES } from "./filters.js";
import { makeIndexInSteps, makeProfile, parseKeywords, rank } from "./rank.js";
import { KEYS, read, write } from "./storage.js";

const MARKED = 10; // the day's best matches marked on its pages
const SHOWN = 30; // rows shown at first, and added by 显示更多
const PROFILE_SIZE = 100; // the newest favorites the reader is ranked by
const SPANS = [1, 3, 5]; // render/for_you.py SPANS: how many of the newest days

function settings() {
  const kept = read(KEYS.forYou, {});
  const state = kept && typeof kept === "object" ? kept : {};
  return {
    keywords: typeof state.keywords === "string" ? state.keywords : "",
    days: SPANS.includes(state.days) ? state.days : SPANS[0],
  };
}

function saveSettings(change) {
  write(KEYS.forYou, { ...settings(), ...change });
}

function hasProfile() {
  const keywords = parseKeywords(settings().keywords);
  return favorites().length > 0 || keywords.positive.length > 0 || keywords.negative.length > 0;
}

// -- ranking -------------------------------------------------------------------------

// The ranking entries of her newest favorites: each favorite's own `rank`, read once
// from its day's ranking file and kept with it; one whose day this site lacks (or
// whose file lacks it) is ranked by its titles. A file not read now is asked again.
async function starredEntries() {
  const list = favorites().slice(0, PROFILE_SIZE);
  const dates = [...new Set(list.filter((f) => f.rank === undefined && f.date).map((f) => f.date))];
  const found = {};
  for (const date of dates) {
    const entries = await dayEntries(rankFileOf(date)).catch((e) => (/HTTP 404/.test(e.message) ? {} : null));
    if (!entries) continue;
    list.filter((f) => f.date === date && f.rank === undefined).forEach((f) => {
      f.rank = found[f.id] = entries[f.id] || null;
    });
  }
  if (Object.keys(found).length) keepRankEntries(found);
  return list.map((f) => f.rank || { title: f.title, title_zh: f.title_zh });
}

const indexes = new Map(); // "date date …" → (a promise of) the index of those days, this visit

// The index of the papers of `dates` (newest first: a paper of two days is the newer
// day's); `unread`: the days whose file could not be read (then made again next time).
function indexOf(dates) {
  const key = dates.join(" ");
  if (!indexes.has(key)) {
    const made = readIndex(dates);
    indexes.set(key, made);
    made.then((index) => index.unread.length && indexes.delete(key), () => indexes.delete(key));
  }
  return indexes.get(key);
}

async function readIndex(dates) {
  const files = await Promise.all(dates.map((date) => dayEntries(rankFileOf(date)).catch(() => null)));
  const papers = {};
  files.forEach((entries, at) => {
    for (const [id, entry] of Object.entries(entries || {})) {
      if (!(id in papers)) papers[id] = { ...entry, date: dates[at] };
    }
  });
  const index = await makeIndexInSteps(papers);
  index.unread = dates.filter((_, at) => !files[at]);
  return index;
}

// Her ranking of the papers of `dates`, her favorites left out.
async function forReader(dates) {
  const starred = await starredEntries();
  const index = await indexOf(dates);
  const profile = makeProfile(index, starred, parseKeywords(settings().keywords));
  const results = rank(index, profile, new Set(favorites().map((f) => f.id)));
  return { index, results, starred: starred.length, keywords: profile.keywords };
}

// -- the marks on a day's pages ------------------------------------------------------

// The day of a day's page, from its address (YYYY/MM/DD/…), or null.
function dateOfPage() {
  const path = location.pathname.startsWith(ROOT.pathname) ? location.pathname.slice(ROOT.pathname.length) : "";
  const match = path.match(/^(\d{4})\/(\d{2})\/(\d{2})\//);
  return match ? match.slice(1).join("-") : null;
}

// What a day's page shows of papers, as [node, id, date]: a topic page's cards, the
// overview's best papers, the whole day's rows.
function markable() {
  const date = dateOfPage();
  const cards = [...document.querySelectorAll(".paper-list > :is(article.paper, .paper-brief)")].map((c) => [c, c.id, c.dataset.date]);
  const lines = [...document.querySelectorAll("ol.best-papers > li[data-id]")].map((li) => [li, li.dataset.id, li.dataset.date]);
  const rows = date ? [...document.querySelectorAll("ol.paper-rows > li")].map((li) => [li, li.querySelector("code")?.textContent, date]) : [];
  return [...cards, ...lines, ...rows];
}

export async function markForYou() {
  const items = markable();
  const dates = new Set(items.map(([, , date]) => date));
  if (dates.size !== 1 || !hasProfile()) return; // a page of one day only
  let ranking;
  try {
    ranking = await forReader([...dates]);
  } catch (e) {
    return; // no marks: the page is read as it is
  }
  const best = new Set(ranking.results.slice(0, MARKED).map((r) => r.id));
  for (const [node, id] of items) {
    if (best.has(id) && node.isConnected && !node.querySelector(".for-you-mark")) mark(node);
  }
}

function mark(node) {
  const badge = el("span", "for-you-mark");
  badge.append(...twin("为你推荐", "For you"));
  badge.title = `与你的收藏和关键词最接近的 ${MARKED} 篇之一(见「推荐」页)`;
  node.classList.add("is-for-you");
  if (node.matches("article.paper")) node.querySelector(".paper-meta__items").append(badge);
  else if (node.matches(".paper-brief")) node.querySelector(".paper-brief__meta").append(badge);
  else if (node.querySelector(":scope > a > code")) node.querySelector("code").after(" ", badge);
  else node.querySelector(":scope > a").before(badge, " ");
}

// -- the 推荐 page -------------------------------------------------------------------

export function showForYouPage() {
  const box = document.getElementById("digest-for-you");
  if (!box) return;
  if (!box.dataset.ready) install(box);
  fill(box);
}

function install(box) {
  box.dataset.ready = "true";
  const form = box.querySelector(".for-you-settings");
  const state = settings();
  form.elements.keywords.value = state.keywords;
  const days = form.elements.days;
  days.value = String(state.days);
  if (days.selectedIndex < 0) days.selectedIndex = 0;
  form.hidden = false;
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    saveSettings({ keywords: form.elements.keywords.value.trim() });
    fill(box);
  });
  days.addEventListener("change", () => { saveSettings({ days: Number(days.value) }); fill(box); });
  form.querySelector("[data-action=clear-keywords]").addEventListener("click", () => {
    form.elements.keywords.value = "";
    saveSettings({ keywords: "" });
    fill(box);
  });
  box.querySelector(".for-you-more").addEventListener("click", () => showMore(box));
}

let turn = 0; // the latest fill: an earlier one's answer is dropped

async function fill(box) {
  const mine = ++turn;
  const form = box.querySelector(".for-you-settings");
  const dates = JSON.parse(box.dataset.days || "[]").slice(0, Number(form.elements.days.value) || 1);
  const status = box.querySelector(".for-you-status");
  const empty = !hasProfile();
  box.querySelector(".for-you-empty").hidden = !empty;
  box.querySelector(".for-you-list").replaceChildren();
  box.querySelector(".for-you-more").hidden = true;
  box.results = [];
  if (empty || !dates.length) {
    status.textContent = empty ? "" : "本站还没有任何一天的论文。";
    return;
  }
  status.textContent = "正在排序…";
  let ranking = null;
  try {
    ranking = await forReader(dates);
  } catch (e) { /* said below */ }
  if (mine !== turn || !box.isConnected) return;
  if (!ranking || ranking.index.unread.length === dates.length) {
    status.textContent = "排序要用的文件未能读取,请稍后再试。";
    return;
  }
  status.textContent = describe(ranking, dates);
  box.results = ranking.results;
  showMore(box);
}

// What was ranked, by what, and what came of it, in a sentence.
function describe(ranking, dates) {
  const by = [];
  if (ranking.starred) by.push(`${ranking.starred} 篇收藏`);
  const { positive, negative } = ranking.keywords;
  if (positive.length || negative.length) by.push(`关键词 ${[...positive.map((k) => "+" + k.text), ...negative.map((k) => "−" + k.text)].join(" ")}`);
  const read = dates.filter((d) => !ranking.index.unread.includes(d));
  let text = `依据 ${by.join("和")},为 ${read.join("、")} 的 ${ranking.index.size} 篇论文排序`;
  if (ranking.results.hidden) text += `,${ranking.results.hidden} 篇含排除词,未列出`;
  if (ranking.index.unread.length) text += `(${ranking.index.unread.join("、")} 的论文未能读取)`;
  if (ranking.results.length) return text + "。";
  const nothingWanted = !ranking.starred && !positive.length;
  return text + (nothingWanted ? ":只有排除词,还没有想看的。收藏几篇论文,或写下想看的词。" : ":没有相近的论文。");
}

function showMore(box) {
  const list = box.querySelector(".for-you-list");
  const from = list.children.length;
  const kept = new Set(favorites().map((f) => f.id));
  box.results.slice(from, from + SHOWN).forEach((result) => list.append(row(result, kept.has(result.id))));
  box.querySelector(".for-you-more").hidden = list.children.length >= box.results.length;
}

function row(result, starred) {
  const { id, entry } = result;
  const li = el("li", "for-you-item");
  li.dataset.id = id;
  li.dataset.date = entry.date;
  li.forYou = result;
  const score = Math.round(100 * Math.min(1, result.score));
  const chip = el("span", "score");
  chip.title = `匹配度 ${score}/100`;
  chip.style.setProperty("--score", String(score));
  chip.append(el("b", null, String(score)));
  const star = el("button", "for-you-star", starred ? "★" : "☆");
  star.setAttribute("aria-pressed", String(starred));
  star.setAttribute("aria-label", "收藏");
  star.title = starred ? "取消收藏" : "收藏";
  li.append(chip, " ", titleLink(id, entry), star, meta(id, entry), reasons(result));
  return li;
}

// The titles as a list of papers shows them (paper_line.html): Chinese, English under it.
function titleLink(id, entry) {
  const link = el("a", "for-you-title");
  link.href = paperHref(id, entry, entry.date);
  if (entry.title_zh) {
    const zh = el("span", "l-zh", entry.title_zh);
    zh.lang = document.documentElement.lang || "zh";
    link.append(zh);
  }
  const en = el("span", entry.title_zh ? "en" : null, entry.title);
  en.lang = "en";
  link.append(en);
  return link;
}

function meta(id, entry) {
  const line = el("p", "for-you-meta", `arXiv:${id} · ${entry.date} · `);
  const type = TYPES[entry.type];
  if (type) line.append(...twin(type[0], type[1]), " · ");
  const authors = entry.authors || [];
  line.append(authors.length > 3 ? `${authors.slice(0, 3).join(", ")} … ${authors[authors.length - 1]}` : authors.join(", "));
  return line;
}

// Why it is here: the keywords it holds, the sub-topic it shares with her favorites,
// the words weighing most.
function reasons(result) {
  const topics = JSON.parse(document.getElementById("digest-for-you").dataset.topics || "{}");
  const why = [...result.keywords.map((k) => "+" + k)];
  if (result.topic) why.push(topics[result.topic] || result.topic);
  why.push(...result.words);
  const line = el("p", "for-you-why");
  line.append(...twin("相近:", "Near: "), why.join(" · "));
  return line;
}

// The star of a row: the paper kept as a card's star keeps it, its BibTeX from the
// day's citations when a topic page lists it.
export function toggleFromRow(star) {
  const { id, entry } = star.closest("li").forYou;
  const url = new URL(paperHref(id, entry, entry.date));
  const favorite = {
    id,
    title: entry.title,
    title_zh: entry.title_zh || null,
    date: entry.date,
    link: url.href.startsWith(ROOT.href) ? url.href.slice(ROOT.href.length) : url.href,
    bibtex: null,
    ris: null,
    rank: entry,
  };
  const citations = new URL("citation.json.gz", rankFileOf(entry.date)).href;
  toggle(favorite, entry.page ? async () => paperFrom((await dayEntries(citations))[id], id, entry.date, favorite.title_zh) : null);
}
