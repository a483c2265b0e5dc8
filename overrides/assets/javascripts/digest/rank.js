// 推荐 / For you: a day's papers ranked by how near they are to what the reader starred
// and to the keywords she wrote. Pure functions, no page and no network: foryou.js
// gives them the days' ranking files (generator/rank_data.py) and her favorites;
// tests/test_for_you.py runs them in Chromium and under Node.
//
// A paper is a bag of terms: English words lower-cased and lightly stemmed, Chinese
// cut into words by the browser (Intl.Segmenter; pairs of characters without it), and
// its authors, each name one term. A term weighs (1 + log tf) × idf over the papers
// ranked, a title's twice. A paper's score is
//   the cosine of its terms with the profile's (the mean of her favorites' and her
//   positive keywords' vectors)
//   + TOPIC_SHARE × how much of her favorites is in its best sub-topic × its score
//     there (the digest's own sorting: its LLM, or the keywords of digest.yml)
//   + KEYWORD_BONUS for each positive keyword it holds;
// a paper holding a negative keyword is left out.

const TITLE_WEIGHT = 2; // a title says more of a paper than its summary
const TOPIC_SHARE = 0.3; // a favorite sub-topic at score 100: as near as a close text
const KEYWORD_BONUS = 0.5; // a paper holding a keyword comes before any that holds none
const AUTHOR = "@"; // an author's term: "@ada lovelace", apart from the words

const STOP = new Set((
  "a an and are as at be been being but by can could do does for from has have how in into is it its " +
  "of on or our over such than that the their them these they this those to up was we were what " +
  "when where which while who will with within without you your not no more most less also both each " +
  "other only new using use used based toward towards paper propose proposed approach method methods " +
  "show shows shown result results study studies work via across between among through however"
).split(" "));
// Words most Chinese summaries have, which say nothing of what a paper is about.
const STOP_ZH = new Set((
  "提出 本文 我们 通过 方法 一种 一个 进行 实现 基于 研究 问题 结果 表明 显示 发现 使用 利用 以及 " +
  "能够 可以 有效 显著 提升 提高 实验 验证 新的 具有 其中 不同 多个 这些 这种 之间 同时 从而 并且"
).split(" "));
const HAN = /\p{Script=Han}/u;
const RUNS = /\p{Script=Han}+|[\p{L}\p{N}]+(?:['’-][\p{L}\p{N}]+)*/gu;

// -- terms ---------------------------------------------------------------------------

// Plural, -ing, -ed and -ly off, and a final e: "models", "modeling" and "modeled"
// meet in "model", "scale" and "scaling" in "scal". Light on purpose: a row shows the
// words as the paper wrote them, never the stems.
export function stem(word) {
  if (word.length <= 3 || /\d/.test(word)) return word;
  let w = word;
  if (/(ies|ied)$/.test(w) && w.length > 4) w = w.slice(0, -3) + "y";
  else if (w.endsWith("sses")) w = w.slice(0, -2);
  else if (w.endsWith("s") && !/(ss|us|is)$/.test(w)) w = w.slice(0, -1);
  if (w.endsWith("ing") && w.length > 5) w = single(w.slice(0, -3));
  else if (w.endsWith("ed") && w.length > 4) w = single(w.slice(0, -2));
  else if (w.endsWith("ly") && w.length > 5) w = w.slice(0, -2);
  return w.length > 4 && w.endsWith("e") ? w.slice(0, -1) : w;
}

function single(w) { // "planning" → "plann" → "plan"
  return /([^aeious])\1$/.test(w) ? w.slice(0, -1) : w;
}

let segmenter; // made on first use; null where the browser has none
function chineseWords(run) {
  if (segmenter === undefined) {
    segmenter = typeof Intl !== "undefined" && Intl.Segmenter
      ? new Intl.Segmenter("zh", { granularity: "word" }) : null;
  }
  const words = [];
  if (!segmenter) {
    for (let i = 0; i + 1 < run.length; i++) {
      if (HAN.test(run[i]) && HAN.test(run[i + 1])) words.push(run.slice(i, i + 2));
    }
    return words;
  }
  for (const part of segmenter.segment(run)) {
    if (part.isWordLike !== false && part.segment.length > 1) words.push(part.segment);
  }
  return words;
}

// The terms of `text`, in order, each with the word it came from: [[term, word], …].
// "pre-training" gives "pre", "train" and "pretrain", so it meets "pretraining".
export function terms(text) {
  const found = [];
  const han = [];
  for (const [run] of normal(text).matchAll(RUNS)) {
    if (HAN.test(run)) {
      han.push(run);
      continue;
    }
    const lower = run.toLowerCase();
    const parts = lower.split(/['’-]/).filter(Boolean).map((part) => [part, part]);
    if (parts.length > 1) parts.push([parts.map(([part]) => part).join(""), lower]);
    for (const [part, word] of parts) {
      if (part.length > 1 && !STOP.has(part) && !/^\d+$/.test(part)) found.push([stem(part), word]);
    }
  }
  // The Chinese runs cut at once: one call of the segmenter a text, not one a run.
  for (const word of chineseWords(han.join("\n"))) if (!STOP_ZH.has(word)) found.push([word, word]);
  return found;
}

function normal(text) {
  return String(text || "").normalize("NFKC");
}

// -- keywords ------------------------------------------------------------------------

// `+RLHF −medical "reward model"`: words or quoted phrases; a word alone or after +
// to look for, after - or − (or their full-width forms) to leave out. A paper holds a
// keyword when it holds each of its words, in its titles, summary or authors: an
// English word as a term ("pre-training" as "pretrain", so "pretraining" holds it),
// Chinese as it is written (the segmenter cuts "预训练" differently alone and in a
// sentence).
export function parseKeywords(text) {
  const keywords = { positive: [], negative: [] };
  const pattern = /([+＋\-−－]?)(?:"([^"]*)"|“([^”]*)”|([^\s"“”+＋\-−－][^\s"“”]*))/gu;
  for (const match of String(text || "").matchAll(pattern)) {
    const shown = (match[2] ?? match[3] ?? match[4]).trim();
    const words = [];
    for (const [run] of normal(shown).matchAll(RUNS)) {
      if (HAN.test(run)) words.push({ han: run });
      else terms(run.replace(/['’-]/g, "")).forEach(([term]) => words.push({ term }));
    }
    if (!words.length) continue;
    const leaveOut = match[1] !== "" && match[1] !== "+" && match[1] !== "＋";
    keywords[leaveOut ? "negative" : "positive"].push({ text: shown, words, terms: terms(shown).map(([t]) => t) });
  }
  return keywords;
}

// -- papers --------------------------------------------------------------------------

function authorTerm(name) {
  return AUTHOR + String(name).normalize("NFKC").toLowerCase().replace(/\s+/g, " ").trim();
}

// What ranking reads of an entry of a ranking file: its term counts, the word each
// term was first met as, its authors' name words and its Chinese text (where keywords
// look too) and its sub-topics' scores.
function paperTerms(entry) {
  const counts = new Map();
  const shown = new Map();
  const add = (term, weight, word) => {
    counts.set(term, (counts.get(term) || 0) + weight);
    if (!shown.has(term)) shown.set(term, word);
  };
  for (const [term, word] of terms(entry.title)) add(term, TITLE_WEIGHT, word);
  for (const [term, word] of terms(entry.title_zh)) add(term, TITLE_WEIGHT, word);
  for (const [term, word] of terms(entry.tldr)) add(term, 1, word);
  const names = new Set();
  for (const name of entry.authors || []) {
    add(authorTerm(name), 1, name);
    for (const [term] of terms(name)) names.add(term);
  }
  const han = normal([entry.title_zh, entry.tldr].join(" "));
  return { counts, shown, names, han, topics: entry.topics || {} };
}

// The papers to rank, {id: entry}: each with its terms and its vector, and each
// term's document frequency among them.
export function makeIndex(entries) {
  const index = { papers: [], df: new Map(), size: 0 };
  addPapers(index, Object.entries(entries));
  return finished(index);
}

// The same, a slice of papers at a time with the page's other work let in between:
// a phone takes a second or two over a day of 900 (bench/for_you.py).
export async function makeIndexInSteps(entries, size = 150) {
  const index = { papers: [], df: new Map(), size: 0 };
  const all = Object.entries(entries);
  for (let at = 0; at < all.length; at += size) {
    addPapers(index, all.slice(at, at + size));
    await new Promise((resolve) => setTimeout(resolve));
  }
  return finished(index);
}

function addPapers(index, entries) {
  for (const [id, entry] of entries) {
    const paper = { id, entry, ...paperTerms(entry) };
    index.papers.push(paper);
    for (const term of paper.counts.keys()) index.df.set(term, (index.df.get(term) || 0) + 1);
  }
}

function finished(index) {
  index.size = index.papers.length;
  for (const paper of index.papers) paper.vector = vectorOf(index, paper.counts);
  return index;
}

// (1 + log tf) × idf, of unit length.
function vectorOf(index, counts) {
  const v = new Map();
  for (const [term, tf] of counts) {
    const idf = Math.log(1 + index.size / (1 + (index.df.get(term) || 0)));
    v.set(term, (1 + Math.log(tf)) * idf);
  }
  return unit(v);
}

function unit(v) { // in place
  let norm = 0;
  for (const w of v.values()) norm += w * w;
  norm = Math.sqrt(norm) || 1;
  for (const [term, w] of v) v.set(term, w / norm);
  return v;
}

// -- the reader ----------------------------------------------------------------------

// The reader over `index`: her favorites (entries of ranking files, from any day) and
// her keywords (parseKeywords). Its sub-topics: each one's share of her favorites, a
// favorite counting 1 in its best sub-topic, the most shared one 1.
export function makeProfile(index, favorites, keywords) {
  const sum = new Map();
  const add = (v) => { for (const [term, w] of v) sum.set(term, (sum.get(term) || 0) + w); };
  const topics = new Map();
  for (const entry of favorites) {
    const paper = paperTerms(entry);
    add(vectorOf(index, paper.counts));
    const best = Math.max(0, ...Object.values(paper.topics));
    for (const [topic, score] of Object.entries(paper.topics)) {
      if (best > 0) topics.set(topic, (topics.get(topic) || 0) + score / best);
    }
  }
  for (const keyword of keywords.positive) add(vectorOf(index, new Map(keyword.terms.map((t) => [t, 1]))));
  const most = Math.max(0, ...topics.values());
  for (const [topic, share] of topics) topics.set(topic, share / most);
  const empty = !favorites.length && !keywords.positive.length && !keywords.negative.length;
  return { vector: unit(sum), topics, keywords, empty };
}

function holds(paper, keyword) {
  return keyword.words.every(({ han, term }) => (han ? paper.han.includes(han) : paper.counts.has(term) || paper.names.has(term)));
}

// The papers of `index` for the reader, best first, each as {id, entry, score, topic,
// keywords, words}: `topic` the sub-topic that brought it near, `keywords` the
// positive ones it holds, `words` the three words weighing most in the rest of the
// match. Left out: papers holding a negative keyword (counted in `.hidden`), those
// in `exclude` (a Set of ids: her favorites) and those sharing nothing with her.
export function rank(index, profile, exclude = new Set()) {
  const ranked = [];
  ranked.hidden = 0;
  if (profile.empty) return ranked;
  for (const paper of index.papers) {
    if (exclude.has(paper.id)) continue;
    if (profile.keywords.negative.some((k) => holds(paper, k))) {
      ranked.hidden++;
      continue;
    }
    const found = profile.keywords.positive.filter((k) => holds(paper, k));
    const [topic, near] = nearestTopic(paper, profile);
    const [text, words] = textMatch(paper, profile, found);
    const score = text + TOPIC_SHARE * near + KEYWORD_BONUS * found.length;
    if (score > 0) {
      ranked.push({ id: paper.id, entry: paper.entry, score, topic, keywords: found.map((k) => k.text), words });
    }
  }
  return ranked.sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1));
}

// The paper's sub-topic nearest the reader's, or null, and how near.
function nearestTopic(paper, profile) {
  let best = [null, 0];
  for (const [topic, score] of Object.entries(paper.topics)) {
    const near = (profile.topics.get(topic) || 0) * score / 100;
    if (near > best[1]) best = [topic, near];
  }
  return best;
}

// The cosine of the paper's vector with the profile's, and the words weighing most
// in it that no keyword found already names.
function textMatch(paper, profile, found) {
  const named = new Set(found.flatMap((k) => k.terms));
  const shared = [];
  let cosine = 0;
  for (const [term, w] of paper.vector) {
    const p = profile.vector.get(term);
    if (!p) continue;
    cosine += w * p;
    if (!named.has(term)) shared.push([paper.shown.get(term), w * p]);
  }
  shared.sort((a, b) => b[1] - a[1]);
  const words = [];
  for (const [word] of shared) { // "mixture-of-experts" says "experts" already
    if (words.length < 3 && !words.some((w) => w.includes(word) || word.includes(w))) words.push(word);
  }
  return [cosine, words];
}
