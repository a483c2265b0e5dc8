"""Kept only so that render/search.py's `from generator.render.pages import Selections`
still works: that module has another owner. Import from render/selections.py instead;
delete this file once search.py does."""

from generator.render.selections import Selections

__all__ = ["Selections"]
