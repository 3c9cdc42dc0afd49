"""docs/architecture.md draws the package graph as the code's imports have it: regenerate it with
`python -m tools.package_graph --write` after a change of imports."""

from __future__ import annotations

from pathlib import Path

from tools import package_graph


def test_the_package_graph_in_the_docs_is_current() -> None:
    text = package_graph.DOC.read_text(encoding="utf-8")
    assert package_graph.current(text) == package_graph.render(), "请运行 python -m tools.package_graph --write"


def test_the_graph_sees_imports_inside_functions_and_finds_circles(tmp_path: Path) -> None:
    for name, source in (("low", ""), ("high", "def f():\n    from healthcode import low\n"),
                         ("mid", "import healthcode.low.models\nfrom healthcode.high.service import g\n")):
        (tmp_path / name).mkdir()
        (tmp_path / name / "__init__.py").write_text("")
        (tmp_path / name / "service.py").write_text(source)
    assert package_graph.edges(tmp_path) == {"low": set(), "high": {"low"}, "mid": {"low", "high"}}
    assert package_graph.cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert package_graph.cycles({"a": {"b"}, "b": set()}) == []


def test_the_packages_import_one_way_and_no_file_is_long() -> None:
    """Issue 15: no two packages of healthcode/ import each other, directly or round a circle, and no file grows
    past 400 lines (split it by use case)."""
    assert package_graph.cycles(package_graph.edges()) == []
    assert package_graph.long_files() == []
