"""Render: records in data/ → Markdown pages and Atom feeds in content/.

Only this package writes content/. Paper cards are emitted as raw HTML blocks,
escaped by Jinja: Markdown never parses text that came from arXiv or an LLM,
and MkDocs skips the per-element Markdown work that dominates build time.
"""

from generator.render.pages import render_site

__all__ = ["render_site"]
