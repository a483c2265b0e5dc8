// The day file: what a day's cards leave off the page, each listed paper once
// (generator/card_data.py day_entry: both abstracts, the title and every author, the
// citation key, year and class, DOI and journal ref), gzipped JSON by field and then by
// id ({"abstract": {id: text}, …}, card_data.day_file), which a card's list names in
// data-cards. GitHub Pages serves it as it is (application/gzip, no
// Content-Encoding), so the browser decodes it here; a host that does send it with
// Content-Encoding has the browser decode it first, and the bytes are JSON already.
// Fetched once a visit for every card of the day.

import { fetchOnce } from "./dom.js";

const GZIP = [0x1f, 0x8b]; // the first two bytes of every gzip stream
const decoded = new Map(); // url → {id: entry}, once here: read at once (print.js)

// The day file's address for a card, or null when its page has none.
export function dayFileOf(card) {
  const list = card.closest("[data-cards]");
  return list ? new URL(list.dataset.cards, location.href).href : null;
}

// {id: entry} of the day file at `url`; a failure is asked again at the next call.
export function dayEntries(url) {
  return fetchOnce(url, async (response) => {
    const fields = JSON.parse(await textOf(new Uint8Array(await response.arrayBuffer())));
    const entries = byId(fields);
    decoded.set(url, entries);
    return entries;
  });
}

// {field: {id: value}} as {id: {field: value}}, as read_day_file reads it.
function byId(fields) {
  const entries = {};
  for (const [name, values] of Object.entries(fields)) {
    for (const [id, value] of Object.entries(values)) {
      (entries[id] = entries[id] || {})[name] = value;
    }
  }
  return entries;
}

// The card's entry; rejected when the day file cannot be read or lacks the paper.
export async function entryOf(card) {
  const url = dayFileOf(card);
  if (!url) throw new Error("no day file for " + card.id);
  const entry = (await dayEntries(url))[card.id];
  if (!entry) throw new Error(card.id + " is not in " + url);
  return entry;
}

// The entries of `url` if they are here already, else null: for work that cannot wait.
export function entriesHere(url) {
  return decoded.get(url) || null;
}

async function textOf(bytes) {
  if (bytes[0] !== GZIP[0] || bytes[1] !== GZIP[1]) return new TextDecoder().decode(bytes);
  if (typeof DecompressionStream === "undefined") throw new Error("this browser cannot read gzip");
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Response(stream).text();
}
