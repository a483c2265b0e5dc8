"""arxiv-digest: a daily arXiv digest published as a static MkDocs site.

The package is split by stage, in the order a day flows through it:
sources (fetch + parse arXiv) → topics (keyword triage) → store (data/) →
render (content/) → site (MkDocs build). `pipeline` strings them together and
`cli` is a thin adapter over `pipeline`.
"""

__version__ = "0.1.0"
