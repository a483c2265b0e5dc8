// What a search query asks for, and whether a result really has it. Pagefind answers
// loosely: a word it does not hold falls back to the longest word it holds that the
// query word starts with ("Dobriban" finds "Do", "xyzzyq" finds "x"), and an arXiv id
// is split into pieces ("2606.99998" finds every 2606.* paper). So the dialog asks
// Pagefind for candidates and keeps only those that hold every word of the query.

// An arXiv id as readers paste it: new style 2606.19348 or old style hep-th/9901001 or
// math.GT/0309136 (generator/ids.py has the full grammar), maybe with a version and
// an "arXiv:" prefix. Group 1 is the id as records store it, up to letter case.
const ARXIV_ID = /^(?:arxiv:\s*)?([0-9]{4}\.[0-9]{4,5}|[a-z]+(?:-[a-z]+)*(?:\.[a-z]{2})?\/[0-9]{7})(?:v[1-9][0-9]{0,3})?$/i;

const HAN_RUNS = /[\u3400-\u9fff\uf900-\ufaff]+/g;

// Pagefind splits Chinese into words when indexing but not in the browser, so a
// query like 越狱攻击 would look for one long word. The browser's own segmenter
// splits it into words (越狱 攻击); other text passes as typed.
const segmenter = window.Intl && Intl.Segmenter ? new Intl.Segmenter("zh", { granularity: "word" }) : null;

function hanWords(run) {
  if (!segmenter) return [run];
  const words = [];
  for (const part of segmenter.segment(run)) if (part.isWordLike) words.push(part.segment);
  return words;
}

// Lower case, accents and full-width forms folded: "Schütze" is found as "schutze",
// "：" as ":", as Pagefind folds them.
function fold(text) {
  return String(text || "").normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase();
}

// Letters and digits only: what "the same title" compares.
function titleKey(text) {
  return fold(text).replace(/[^\p{L}\p{N}]/gu, "");
}

// The arXiv id a query names ("hep-th/9901001", "2604.23130"), or null.
function arxivIdOf(query) {
  const match = ARXIV_ID.exec(query.trim());
  if (!match) return null;
  const id = match[1];
  const slash = id.indexOf("/");
  if (slash < 0) return id; // new style: digits only
  // Old style: the archive in lower case, its subject class in upper (math.GT).
  const [archive, subject] = id.slice(0, slash).split(".");
  return archive.toLowerCase() + (subject ? "." + subject.toUpperCase() : "") + id.slice(slash);
}

// What the dialog's text asks for: one paper by its id, or words.
export function queryOf(text) {
  const id = arxivIdOf(text);
  return id ? new IdQuery(id) : new WordQuery(text);
}

// A paper named by its arXiv id: the search documents carry the id as a Pagefind
// filter (generator/render/search.py), which matches the whole value or nothing.
class IdQuery {
  constructor(id) {
    this.id = id;
  }

  get isEmpty() {
    return false;
  }

  candidateQueries() {
    return [null]; // no words: every document the filter lets through
  }

  options() {
    return { filters: { id: this.id } };
  }

  // A paper is listed from the month its id names on: quarters that ended before
  // it cannot hold it, and "2606.99998" need not open the whole archive; nor an older
  // site whose days end before that month (its entry's `before`, "2026-01-01").
  periodsIn(periods) {
    const month = /^([0-9]{2})([0-9]{2})\./.exec(this.id);
    if (!month) return periods; // old style: older than any digest
    const since = (2000 + Number(month[1])) * 12 + Number(month[2]);
    return periods.filter((period) => {
      const before = /^([0-9]{4})-([0-9]{2})-01$/.exec(period.before || "");
      if (before) return since < Number(before[1]) * 12 + Number(before[2]);
      const quarter = /^([0-9]{4})-q([1-4])$/.exec(period.id);
      return !quarter || Number(quarter[1]) * 12 + Number(quarter[2]) * 3 >= since;
    });
  }

  isHeldBy() {
    return true;
  }

  isTitleOf() {
    return false;
  }

  lacksWordIn() {
    return false;
  }
}

// A word query: the words a result must hold, and the queries that ask Pagefind for
// candidates, strictest first (see candidateQueries).
class WordQuery {
  constructor(text) {
    this.text = text;
    this.latin = []; // whole words: each must begin a word of the result
    this.han = []; // each Chinese run's words: each must appear in the result
    const rest = text.replace(HAN_RUNS, (run) => {
      this.han.push(hanWords(run));
      return " ";
    });
    for (const word of rest.split(/\s+/)) {
      const bare = fold(word).replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, "");
      if (bare) this.latin.push(bare);
    }
    this.title = titleKey(text);
  }

  get isEmpty() {
    return !this.latin.length && !this.han.length;
  }

  options() {
    return {};
  }

  periodsIn(periods) {
    return periods;
  }

  // Pagefind ANDs its words and matches each as the start of a word it indexed. When
  // the browser cuts Chinese finer than the index did (在/线 where the index holds
  // 在线), the words after the cut match nothing and a pasted Chinese title finds no
  // paper. So: every word; then without one-character Chinese words; then only the
  // first word of each Chinese run. Each result is checked against every word anyway.
  candidateQueries() {
    const latin = this.latin.join(" ");
    const every = this.han.map((words) => words.join(" "));
    const longer = this.han.map((words) => words.filter((word) => word.length > 1).join(" "));
    const first = this.han.map((words) => words[0] || "");
    const queries = [every, longer, first].map((han) => [latin].concat(han).join(" ").replace(/\s+/g, " ").trim());
    return queries.filter((query, i) => query && queries.indexOf(query) === i);
  }

  // Whether a result (Pagefind's data()) holds every word of the query.
  isHeldBy(item) {
    const text = searchable(item);
    return this.latin.every((word) => holdsWord(text, word)) &&
      this.han.every((words) => words.every((word) => text.includes(fold(word))));
  }

  // Whether the query is the result's English or Chinese title (case, spaces and
  // punctuation aside).
  isTitleOf(item) {
    const meta = item.meta || {};
    return this.title !== "" && (titleKey(meta.title) === this.title || titleKey(meta.title_zh) === this.title);
  }

  // Whether some Latin word of the query is in none of these items. Pagefind either
  // found a word starting with it, and then every result holds one, or fell back to a
  // shorter word, and then none does: a few results tell which.
  lacksWordIn(items) {
    const texts = items.map(searchable);
    return this.latin.some((word) => !texts.some((text) => holdsWord(text, word)));
  }
}

// What a result is checked against: its titles and the text Pagefind indexed.
function searchable(item) {
  const meta = item.meta || {};
  return fold([meta.title, meta.title_zh, item.content].join(" \n "));
}

// A word of the query begins a word of the text, as Pagefind matches it, in one of a
// few English forms Pagefind's stemmer would also accept (jailbreaking → jailbreak).
// A Chinese character before it is a boundary: "基于Token的" holds "token".
function holdsWord(text, word) {
  return wordForms(word).some((form) => new RegExp(
    "(?<!(?![\\u3400-\\u9fff\\uf900-\\ufaff])[\\p{L}\\p{N}])" + escapeRegExp(form), "u"
  ).test(text));
}

function wordForms(word) {
  const forms = [word];
  const ies = /^(.{3,})ies$/.exec(word);
  if (ies) forms.push(ies[1] + "y");
  const suffix = /^(.{3,}?)(?:ing|ed|es|s)$/.exec(word);
  if (suffix) forms.push(suffix[1]);
  return forms;
}

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
