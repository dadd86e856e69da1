"""The package's import graph: arrows point one way (no cycles, counting imports inside functions too), the engine
imports no UI, chart or PDF library, the store runs no engine and the engine knows neither store nor services; the
app's pages run no SQL of their own."""

from __future__ import annotations

import ast

from paths import ROOT

PACKAGE = ROOT / "assessment"
FORBIDDEN = ("streamlit", "matplotlib", "typst", "reportlab", "fpdf")
# the engine: criteria loading, inputs and evaluation (reads no database)
ENGINE = {
    f"assessment.{m}"
    for m in (
        "answers",
        "batch",
        "checks",
        "declarations",
        "editions",
        "explain",
        "labels",
        "loader",
        "maturity",
        "numbers",
        "planner",
        "profile",
        "results",
        "rules",
        "scenarios",
        "schema",
        "tiers",
    )
}
# what evaluates: the store never imports these (criteria loading and input parsing it may use to check what it saves)
EVALUATING = {
    f"assessment.{m}"
    for m in ("batch", "checks", "declarations", "explain", "maturity", "planner", "rules", "scenarios", "tiers")
}
# ... except the criteria loaders that still live beside the evaluation code (issue 13 separates the two): importing
# these names is loading a criteria edition, not evaluating
LOADERS = {"load_declarations", "load_catalogue", "load_tier_edition"}


def _graph(names: dict[tuple[str, str], set[str]] | None = None) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """Module → modules of the package it imports, and module → top-level external packages; ``names`` (when given)
    collects, per (module, imported module), the names imported from it (``*`` for a plain ``import``)."""
    mods = {".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__"): p for p in PACKAGE.rglob("*.py")}
    edges: dict[str, set[str]] = {m: set() for m in mods}
    external: dict[str, set[str]] = {m: set() for m in mods}
    for name, path in mods.items():
        pkg = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                external[name].update(a.name.split(".")[0] for a in node.names)
                for a in node.names:
                    if a.name in mods and a.name != name:
                        edges[name].add(a.name)
                        if names is not None:
                            names.setdefault((name, a.name), set()).add("*")
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    parts = pkg.split(".")[: len(pkg.split(".")) - node.level + 1]
                    target = ".".join(parts + ([node.module] if node.module else []))
                else:
                    target = node.module or ""
                    external[name].add(target.split(".")[0])
                for cand in (target, *(f"{target}.{a.name}" for a in node.names)):
                    if cand in mods and cand != name:
                        edges[name].add(cand)
                for a in node.names:
                    sub = f"{target}.{a.name}"
                    hit = sub if sub in mods else target if target in mods else None
                    if names is not None and hit is not None and hit != name:
                        names.setdefault((name, hit), set()).add("*" if hit == sub else a.name)
    return edges, external


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in edges:
        if v not in index:
            visit(v)
    return out


def test_guard_the_package_was_read():
    edges, _ = _graph()
    assert len(edges) >= 25 and "assessment.maturity" in edges


def test_no_import_cycles():
    edges, _ = _graph()
    assert _cycles(edges) == []


def test_the_engine_imports_no_ui_chart_or_pdf_library():
    _, external = _graph()
    offenders = {m: sorted(x & set(FORBIDDEN)) for m, x in external.items() if x & set(FORBIDDEN)}
    assert offenders == {}


def test_the_store_runs_no_engine():
    """assessment.store.* persists: evaluating a stored assessment, snapshots, certificates, the synthetic population
    and the portfolio's blockers live in assessment.services."""
    names: dict[tuple[str, str], set[str]] = {}
    _graph(names)
    offenders = {
        (src, dst): sorted(got - LOADERS)
        for (src, dst), got in names.items()
        if src.startswith("assessment.store") and dst in EVALUATING and got - LOADERS
    }
    assert offenders == {}
    assert ("assessment.store.repository", "assessment.tiers") in names  # the guard: a loader import is seen


def test_the_engine_knows_neither_store_nor_services():
    edges, _ = _graph()
    assert ENGINE <= set(edges)
    offenders = {
        m: sorted(t for t in edges[m] if t.startswith(("assessment.store", "assessment.services"))) for m in sorted(ENGINE)
    }
    assert {m: t for m, t in offenders.items() if t} == {}


def _sqlalchemy_imports(path) -> set[str]:
    """The names ``path`` imports from SQLAlchemy (``*`` for a plain ``import sqlalchemy…``)."""
    got: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            got.update("*" for a in node.names if a.name.split(".")[0] == "sqlalchemy")
        elif isinstance(node, ast.ImportFrom) and not node.level and (node.module or "").split(".")[0] == "sqlalchemy":
            got.update(a.name for a in node.names)
    return got


def test_the_app_runs_no_sql_of_its_own():
    """The app's pages and app.py import nothing from SQLAlchemy (their lists come from assessment/store/queries.py
    and the services); ui/ imports only what builds the backend (the engine and the session factory), never
    ``select`` or ``func``."""
    pages = [ROOT / "app.py", *sorted((ROOT / "app_pages").glob("*.py"))]
    ui = sorted((ROOT / "ui").glob("*.py"))
    assert len(pages) > 10 and len(ui) > 5  # the guard: the files were found
    assert {p.name: sorted(_sqlalchemy_imports(p)) for p in pages if _sqlalchemy_imports(p)} == {}
    backend = {"Engine", "Session", "sessionmaker"}
    assert {p.name: sorted(_sqlalchemy_imports(p) - backend) for p in ui if _sqlalchemy_imports(p) - backend} == {}


def test_the_command_line_lives_outside_the_package():
    """cli/ calls the package, never the other way round: only ``python -m assessment`` (the shim) imports it."""
    _, external = _graph()
    assert sorted(m for m, x in external.items() if "cli" in x) == ["assessment.__main__"]
    assert not (PACKAGE / "cli.py").exists() and (ROOT / "cli" / "__init__.py").exists()
