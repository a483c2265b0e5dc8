"""A card's citation for reference managers: a COinS span (an OpenURL ContextObject in
the title of `<span class="Z3988">`), which Zotero Connector reads on a page of many
papers and offers each of them to save.

Zotero's COinS translator (zotero/translators, COinS.js) finds every
`span.Z3988[title]` on the page and, with more than one, lets the reader pick; the
title is parsed by Zotero's OpenURL code (zotero/utilities, openurl.js,
parseContextObject). The format Zotero reads for anything that is not a journal
article or a book is Dublin Core (`rft_val_fmt=info:ofi/fmt:kev:mtx:dc`), where
`rft.type` may name a Zotero item type: "preprint". `rft_id` is an `info:doi/` URI:
arXiv registers the DataCite DOI 10.48550/arXiv.<id> for every paper.

The span names no authors, on purpose. COinS.js saves a span with a title and authors
as it is, but looks one with a title and no authors up by its identifiers first
(completeItems: Zotero's DOI translator, which reads DataCite's record of the paper:
every author, the abstract, the dates), and saves what the span says only if that
fails. So the reader gets the whole record, and a day's pages stay light: with every
author, ctx_ver and the abs URL the spans were 520 bytes a card, 154 KiB of a realistic
day (issue 18's budget); as they are, about 240 bytes. The title and year are there
for Zotero offline and for its list to pick from.

Every value is form-encoded (spaces as "+", which Zotero reads as spaces; ":" and "/"
as they are), so the ContextObject holds only [A-Za-z0-9%._~=&+:/-] and needs no HTML
escaping beyond its ampersands, which HTML leaves alone when no character reference
name follows them ("&rft" names none). A "+" of a title is "%2B", which Zotero also
reads as a space (its own exports too).
"""

from __future__ import annotations

from urllib.parse import quote_plus

from markupsafe import Markup

from generator.models import Paper


def arxiv_doi(arxiv_id: str) -> str:
    """The DOI arXiv registers for every paper, old-style ids too."""
    return f"10.48550/arXiv.{arxiv_id}"


def context_object(paper: Paper, year: int) -> Markup:
    """The paper's OpenURL ContextObject (KEV), ready for a title attribute."""
    fields = [
        ("rft_val_fmt", "info:ofi/fmt:kev:mtx:dc"),
        ("rft.type", "preprint"),
        ("rft.title", paper.title),
        ("rft.date", str(year)),
        ("rft_id", f"info:doi/{arxiv_doi(paper.id)}"),
    ]
    encoded = "&".join(f"{key}={quote_plus(value, safe=':/')}" for key, value in fields)
    return Markup(encoded)  # percent-encoded: no quote, < or > remains to escape
