"""Site: content/ → site/. Split by what it makes:

    build.py    the MkDocs build (and `site_url` from mkdocs.yml)
    bundles.py  the Pagefind search bundles, a period at a time, cached
    layout.py   the search layout: document paths, periods, the browser's manifest
    process.py  what a failed subprocess reports

The cards plugin (mkdocs_cards.py) and the preview server (preview.py) sit beside it.
"""

from generator.site.build import build_site, site_url
from generator.site.bundles import SearchIndex
from generator.site.layout import quarter

__all__ = ["SearchIndex", "build_site", "quarter", "site_url"]
