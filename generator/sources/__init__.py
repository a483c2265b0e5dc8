"""Sources: what arXiv announced, as typed records.

- `rss`: the day's announcement feed (one combined request for all categories)
- `api`: the export API, to complete records and to backfill past days
- `authors`: `dc:creator` strings into names (TeX accents decoded) and affiliations
- `schedule`: which submissions an announcement day carries
- `http`: the retrying GET both use
"""
