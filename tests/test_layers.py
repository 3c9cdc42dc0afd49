"""Issue 15: every query lives in a repository (`repository.py`, `*_repository.py`) and every table in a models
module (`models.py`, `*_models.py`). Read from the code's syntax trees, so a query written anywhere else fails here
rather than in review; the few modules that must speak SQL for another reason are listed with that reason."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import healthcode

PACKAGE = Path(healthcode.__file__).parent

# Statement constructors of SQLAlchemy: a module that builds one is writing a query.
STATEMENTS = {"select", "insert", "update", "delete", "text", "union", "union_all", "exists", "lambda_stmt"}
# Calls that run SQL on a session or a connection (`get`: a row by primary key, on a session only).
RUNS = {"execute", "scalar", "scalars", "exec_driver_sql"}
SESSIONS = {"session", "db"}
CONNECTIONS = {"conn", "connection"}

# Modules (or functions: module.function) outside the repositories that may speak SQL, each with its reason. A
# module is covered with its submodules (healthcode.db also covers a db/ package).
ALLOWED = {
    "healthcode.db": "database infrastructure: the SQLite pragmas, BEGIN IMMEDIATE, the WAL checkpointer",
    "healthcode.migrations": "Alembic revisions: schema and data migrations are SQL by nature",
    "healthcode.demo.build_demo": "rebuilds the demo database: drops Alembic's version table before migrating afresh",
    "healthcode.feeds.swap": "the snapshot swap's DDL (create, rename, drop the feed's table, its id sequence) on the "
                             "loader's connection",
    "healthcode.feeds.writers": "the bulk writers of feed rows (COPY, multi-row INSERT, their pragmas) on the loader's "
                                "connection; feeds/repository.py hands them out",
}


def _is_repository(module: str) -> bool:
    last = module.rsplit(".", 1)[-1]
    return last == "repository" or last.endswith("_repository")


def _is_models(module: str) -> bool:
    last = module.rsplit(".", 1)[-1]
    return last == "models" or last.endswith("_models")


def _modules(root: Path = PACKAGE) -> Iterator[tuple[str, ast.Module]]:
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root.parent).with_suffix("").parts
        yield ".".join(parts[:-1] if parts[-1] == "__init__" else parts), ast.parse(path.read_text(encoding="utf-8"))


class _Queries(ast.NodeVisitor):
    """Where a module builds or runs SQL: (qualified name of the enclosing function, line, what)."""

    def __init__(self, module: str) -> None:
        self.scope = [module]
        self.statements: set[str] = set()  # local names of SQLAlchemy's statement constructors
        self.modules: set[str] = set()  # local names of sqlalchemy modules (import sqlalchemy as sa)
        self.hot: set[str] = set()  # local names of the hot path's statement wrapper
        self.found: list[tuple[str, int, str]] = []

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        source = node.module or ""
        for alias in node.names:
            if source.split(".")[0] == "sqlalchemy" and alias.name in STATEMENTS:
                self.statements.add(alias.asname or alias.name)
            if source.endswith("hotsql") and alias.name == "Hot":
                self.hot.add(alias.asname or alias.name)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.name.split(".")[0] == "sqlalchemy":
                self.modules.add(alias.asname or alias.name)

    def _scoped(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> None:
        self.scope.append(node.name)
        self.generic_visit(node)
        self.scope.pop()

    visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = _scoped

    def visit_Call(self, node: ast.Call) -> None:
        what = self._query(node.func)
        if what is not None:
            self.found.append((".".join(self.scope), node.lineno, what))
        self.generic_visit(node)

    def _query(self, func: ast.expr) -> str | None:
        if isinstance(func, ast.Name) and func.id in self.statements | self.hot:
            return f"{func.id}()"
        if not isinstance(func, ast.Attribute):
            return None
        owner = func.value
        if isinstance(owner, ast.Name) and owner.id in self.modules and func.attr in STATEMENTS:
            return f"{owner.id}.{func.attr}()"
        # session.execute(...), self.conn.execute(...); not request.session.get(...), the web session's dict
        name = owner.id if isinstance(owner, ast.Name) else (
            owner.attr if isinstance(owner, ast.Attribute) and isinstance(owner.value, ast.Name)
            and owner.value.id == "self" else None)
        if name in SESSIONS and func.attr in RUNS | {"get"} or name in CONNECTIONS and func.attr in RUNS:
            return f"{name}.{func.attr}()"
        return None


def _allowance(where: str) -> str | None:
    return next((entry for entry in ALLOWED if where == entry or where.startswith(entry + ".")), None)


def queries_outside_repositories(root: Path = PACKAGE) -> tuple[list[str], set[str]]:
    """The queries outside the repositories that no allowance covers, and the allowances that covered one."""
    refused, used = [], set()
    for module, tree in _modules(root):
        if _is_repository(module):
            continue
        visitor = _Queries(module)
        visitor.visit(tree)
        for where, line, what in visitor.found:
            entry = _allowance(where)
            if entry is None:
                refused.append(f"{where} (line {line}): {what}")
            else:
                used.add(entry)
    return refused, used


def tables_outside_models(root: Path = PACKAGE) -> list[str]:
    """Mapped classes (a `Base` subclass, or a class naming its table) declared outside a models module."""
    found = []
    for module, tree in _modules(root):
        if _is_models(module) or module.startswith("healthcode.migrations"):
            continue
        for node in ast.walk(tree):
            if not isinstance(node, ast.ClassDef):
                continue
            bases = {b.id if isinstance(b, ast.Name) else b.attr if isinstance(b, ast.Attribute) else "" for b in
                     node.bases}
            named = {t.id for stmt in node.body if isinstance(stmt, ast.Assign | ast.AnnAssign)
                     for t in (stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target])
                     if isinstance(t, ast.Name)}
            if "Base" in bases or named & {"__tablename__", "__table__"}:
                found.append(f"{module}.{node.name}")
    return found


def test_every_query_is_in_a_repository() -> None:
    refused, _ = queries_outside_repositories()
    assert refused == [], "move these queries into the domain's repository.py (or a *_repository.py by use case)"


def test_every_allowance_is_still_needed() -> None:
    _, used = queries_outside_repositories()
    assert set(ALLOWED) - used == set(), "no query left there: remove the allowance from ALLOWED"


def test_every_table_is_in_a_models_module() -> None:
    assert tables_outside_models() == [], "declare tables in the domain's models.py (or a *_models.py)"


def test_the_scan_sees_queries_and_tables_where_they_are_written(tmp_path: Path) -> None:
    package = tmp_path / "healthcode"
    (package / "shop").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "shop" / "service.py").write_text(
        "import sqlalchemy as sa\nfrom sqlalchemy import select as pick\nfrom healthcode.hotsql import Hot\n"
        "from healthcode.db import Base\n\n"
        "def one(session, request, rows):\n"
        "    request.session.get('k')\n    rows.get(1)\n    session.get(Item, 1)\n"
        "    return session.scalars(pick(Item))\n\n"
        "class Writer:\n    def write(self):\n        self.conn.execute(sa.text('DELETE FROM t'))\n\n"
        "HOT = Hot(None)\n\nclass Item(Base):\n    __tablename__ = 'items'\n")
    (package / "shop" / "repository.py").write_text("from sqlalchemy import select\n\ndef q(session):\n"
                                                    "    return session.scalars(select(1))\n")
    (package / "shop" / "models.py").write_text("class Item(Base):\n    __tablename__ = 'items'\n")
    refused, _ = queries_outside_repositories(package)
    assert refused == [
        "healthcode.shop.service.one (line 9): session.get()",
        "healthcode.shop.service.one (line 10): session.scalars()",
        "healthcode.shop.service.one (line 10): pick()",
        "healthcode.shop.service.Writer.write (line 14): conn.execute()",
        "healthcode.shop.service.Writer.write (line 14): sa.text()",
        "healthcode.shop.service (line 16): Hot()",
    ]
    assert tables_outside_models(package) == ["healthcode.shop.service.Item"]


def _imported_repositories(tree: ast.Module) -> Iterator[str]:
    """The repository modules a module imports (`from healthcode.x import repository as r` or `from
    healthcode.x.repository import f`)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("healthcode."):
            if _is_repository(node.module):
                yield node.module
            yield from (f"{node.module}.{a.name}" for a in node.names if _is_repository(a.name))


def test_pages_and_routes_reach_another_domain_through_its_service() -> None:
    """A page or route reads its own domain's repository at most; another domain's data comes through that domain's
    service (docs/architecture.md, "Layers inside a package")."""
    crossing = []
    for module, tree in _modules():
        parts = module.split(".")
        if len(parts) < 3 or not any(p.startswith(("pages", "routes")) or p.endswith("_pages") for p in parts[2:]):
            continue
        crossing += [f"{module} -> {r}" for r in _imported_repositories(tree) if r.split(".")[1] != parts[1]]
    assert crossing == []
