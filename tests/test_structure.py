"""The shape of the package: no import circle in generator/, no function in it over
40 lines without a comment above it saying why (STYLE.md), and the selection rule
written once."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from conftest import REPO

PACKAGE = REPO / "generator"
LONGEST = 40  # lines, from `def` to its last line


def module_names(package: Path) -> dict[str, Path]:
    """Dotted module name → file, for every module below `package`."""
    names = {}
    for path in package.rglob("*.py"):
        parts = list(path.relative_to(package.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        names[".".join(parts)] = path
    return names


def imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The modules of `modules` that `name` imports (under TYPE_CHECKING too: a circle
    the type checker needs is still a circle). `from package import module` names the
    module; the parent packages Python initialises on the way are not counted."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name in modules}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            for alias in node.names:
                if f"{base}.{alias.name}" in modules:
                    found.add(f"{base}.{alias.name}")
                elif base in modules:
                    found.add(base)
    return found


def import_circles(package: Path) -> list[list[str]]:
    """Each circle found, as the modules along it, the first one again at the end."""
    modules = module_names(package)
    graph = {name: sorted(imports(name, path, modules)) for name, path in modules.items()}
    circles: list[list[str]] = []
    state: dict[str, str] = {}  # "open" while on the path, then "done"
    path: list[str] = []

    def visit(name: str) -> None:
        state[name] = "open"
        path.append(name)
        for target in graph[name]:
            if state.get(target) == "open":
                circles.append([*path[path.index(target) :], target])
            elif target not in state:
                visit(target)
        path.pop()
        state[name] = "done"

    for name in sorted(graph):
        if name not in state:
            visit(name)
    return circles


def long_functions(path: Path) -> list[str]:
    """`file:line name (N lines)` of each function over LONGEST lines whose `def` (or
    first decorator) has no comment on the line above it."""
    lines = path.read_text(encoding="utf-8").splitlines()
    found = []
    for node in ast.walk(ast.parse("\n".join(lines))):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            length = (node.end_lineno or node.lineno) - node.lineno + 1
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            explained = first >= 2 and lines[first - 2].strip().startswith("#")
            if length > LONGEST and not explained:
                found.append(f"{path}:{node.lineno} {node.name} ({length} lines)")
    return found


def test_no_module_of_generator_imports_itself_through_others() -> None:
    assert import_circles(PACKAGE) == []


def test_no_function_is_over_40_lines_without_saying_why() -> None:
    too_long = [f for path in sorted(PACKAGE.rglob("*.py")) for f in long_functions(path)]
    assert too_long == []


# A score compared with a threshold, or a threshold with anything: the selection rule.
_RULE = re.compile(r"\bscore\s*(>=|<=|<|>)|(>=|<=|<|>)\s*[\w.]*threshold\b")


def test_the_selection_rule_is_written_once_and_asked_everywhere() -> None:
    from generator.models import TopicHit
    from generator.selection import listed_under

    assert listed_under(TopicHit("llm", "agents", 60, ""), 60)
    assert not listed_under(TopicHit("llm", "agents", 59, ""), 60)
    elsewhere = [
        f"{path.relative_to(REPO)}:{number}: {line.strip()}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if path.name != "selection.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if _RULE.search(line)
    ]
    assert elsewhere == []
    asking = {
        path.relative_to(PACKAGE).as_posix()
        for path in PACKAGE.rglob("*.py")
        if "from generator.selection import" in path.read_text(encoding="utf-8")
    }
    # The store (what pages read), the LLM step (who gets details), pages, the commands.
    assert {"store.py", "enrich/enricher.py", "render/selections.py", "pipeline.py"} <= asking


def test_the_checks_find_a_circle_and_an_unexplained_long_function(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from pkg import b\n")
    (package / "b.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.a import x\n"
    )
    (package / "c.py").write_text("from . import a\n")  # into the circle, not part of it
    assert import_circles(package) == [["pkg.a", "pkg.b", "pkg.a"]]
    body = "".join(f"    x = {i}\n" for i in range(LONGEST))
    (package / "long.py").write_text(
        f"def unexplained():\n{body}\n\n# A table: one line a case.\ndef explained():\n{body}"
    )
    assert long_functions(package / "long.py") == [
        f"{package / 'long.py'}:1 unexplained (41 lines)"
    ]
