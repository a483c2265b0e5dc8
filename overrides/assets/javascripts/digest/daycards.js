// The day file: what a day's cards leave off the page, each listed paper once
// (generator/card_data.py day_entry: both abstracts, the title and every author, the
// citation key, year and class, DOI and journal ref), in a folder a card's list names
// in data-cards, a gzipped file for each part of card_data.DAY_PARTS: "abstract_zh",
// "abstract" and "citation", each JSON by field and then by id ({"abstract": {id: text}}).
// GitHub Pages serves them as they are (application/gzip, no Content-Encoding), so the
// browser decodes them here; a host that does send Content-Encoding has the browser
// decode them first, and the bytes are JSON already. Each is fetched once a visit, for
// every card of the day.

import { ROOT, fetchOnce } from "./dom.js";

const GZIP = [0x1f, 0x8b]; // the first two bytes of every gzip stream
const decoded = new Map(); // url → {id: entry}, once here: read at once (print.js)

// The address of the day file's `part` for a card, or null when its page has none.
export function dayFileOf(card, part) {
  const list = card.closest("[data-cards]");
  if (!list) return null;
  return new URL(part + ".json.gz", new URL(list.dataset.cards, location.href)).href;
}

// The ranking file of `date` (generator/rank_data.py: every paper of the day, for 推荐),
// or null on a page that names none. The pages that rank name where the files are
// (data-rank-files: urls.cards_pattern, from the site's root, its date left as %Y/%m/%d).
export function rankFileOf(date) {
  const named = document.querySelector("[data-rank-files]");
  if (!named) return null;
  const [year, month, day] = date.split("-");
  const path = named.dataset.rankFiles.replace("%Y", year).replace("%m", month).replace("%d", day);
  return new URL(path, ROOT).href;
}

// A ranking file entry's address: its card on the topic page that lists it, else arXiv.
export function paperHref(id, entry, date) {
  return entry.page ? new URL(entry.page + "#" + id, rankFileOf(date)).href : "https://arxiv.org/abs/" + id;
}

// {id: entry} of the part at `url`; a failure is asked again at the next call.
export function dayEntries(url) {
  if (!url) return Promise.reject(new Error("this page names no such file"));
  return fetchOnce(url, async (response) => {
    const fields = JSON.parse(await textOf(new Uint8Array(await response.arrayBuffer())));
    const entries = byId(fields);
    decoded.set(url, entries);
    return entries;
  });
}

// The card's entry in `part`; rejected when that file cannot be read or lacks the paper.
export async function entryOf(card, part) {
  const url = dayFileOf(card, part);
  if (!url) throw new Error("no day file for " + card.id);
  const entry = (await dayEntries(url))[card.id];
  if (!entry) throw new Error(card.id + " is not in " + url);
  return entry;
}

// The entries of `url` if they are here already, else null: for work that cannot wait.
export function entriesHere(url) {
  return decoded.get(url) || null;
}

// {field: {id: value}} as {id: {field: value}}, as card_data.read_day_files reads it.
function byId(fields) {
  const entries = {};
  for (const [name, values] of Object.entries(fields)) {
    for (const [id, value] of Object.entries(values)) {
      (entries[id] = entries[id] || {})[name] = value;
    }
  }
  return entries;
}

async function textOf(bytes) {
  if (bytes[0] !== GZIP[0] || bytes[1] !== GZIP[1]) return new TextDecoder().decode(bytes);
  if (typeof DecompressionStream === "undefined") throw new Error("this browser cannot read gzip");
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Response(stream).text();
}
