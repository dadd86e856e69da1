"""The package's import graph: arrows point one way (no cycles, counting imports inside functions too), the engine
imports no UI, chart or PDF library, the store runs no engine and the engine knows neither store nor services; the
app's pages run no SQL of their own."""

from __future__ import annotations

import ast

from paths import ROOT

PACKAGE = ROOT / "assessment"
FORBIDDEN = ("streamlit", "matplotlib", "typst", "reportlab", "fpdf")
# the engine with its criteria loading and input parsing (reads no database)
ENGINE = {
    f"assessment.{m}"
    for m in (
        "answers",
        "batch",
        "catalogue",
        "checks",
        "declarations",
        "editions",
        "engine",
        "explain",
        "inputs",
        "labels",
        "loader",
        "maturity",
        "numbers",
        "planner",
        "profile",
        "programmes",
        "registry",
        "results",
        "rules",
        "scenarios",
        "schema",
        "tiering",
        "tiers",
    )
}
# what evaluates: the store never imports these (criteria loading and input parsing it may use to check what it saves:
# tiers, declarations and scenarios hold only their loaders, the evaluation is in tiering, programmes and engine)
EVALUATING = {
    f"assessment.{m}"
    for m in ("batch", "checks", "engine", "explain", "maturity", "planner", "programmes", "registry", "rules", "tiering")
}


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


def test_the_package_never_reaches_the_renderers_or_the_app():
    """assessment/ is below reports/, ui/ and cli/: no module of it imports them, not even inside a function (the
    recommendation list and the issuing key used to be fetched from reports.service that way)."""
    _, external = _graph()
    offenders = {m: sorted(x & {"reports", "ui", "app", "app_pages"}) for m, x in external.items() if m != "assessment.__main__"}
    assert {m: x for m, x in offenders.items() if x} == {}


def test_the_store_runs_no_engine():
    """assessment.store.* persists: evaluating a stored assessment, snapshots, certificates, the synthetic population
    and the portfolio's blockers live in assessment.services."""
    names: dict[tuple[str, str], set[str]] = {}
    _graph(names)
    offenders = {
        (src, dst): sorted(got) for (src, dst), got in names.items() if src.startswith("assessment.store") and dst in EVALUATING
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


# The pure engine: parsed inputs and loaded editions in, results out. It reads no file and loads no edition; that is
# the loading side's work (LOADING), which may import the engine but never the other way round.
PURE = {
    f"assessment.{m}"
    for m in (
        "engine",
        "inputs",
        "schema",
        "results",
        "profile",
        "catalogue",
        "maturity",
        "batch",
        "rules",
        "tiering",
        "programmes",
    )
}
LOADING = {
    f"assessment.{m}"
    for m in ("loader", "editions", "registry", "tiers", "declarations", "scenarios", "answers", "checks", "mappings")
}
FILE_ACCESS = ("pathlib", "os", "io", "yaml", "json", "shutil", "tempfile", "sqlalchemy")
READS = ("open", "read_text", "read_bytes", "stat", "exists", "glob", "rglob")


def _reach(edges: dict[str, set[str]], start: str) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        for w in edges[todo.pop()]:
            if w not in seen:
                seen.add(w)
                todo.append(w)
    return seen


def test_the_pure_engine_reaches_only_itself():
    edges, _ = _graph()
    assert PURE <= set(edges) and LOADING <= set(edges)
    outside = {m: sorted(_reach(edges, m) - PURE) for m in sorted(PURE) if _reach(edges, m) - PURE}
    assert outside == {}


def test_the_pure_engine_touches_no_file():
    _, external = _graph()
    assert {m: sorted(external[m] & set(FILE_ACCESS)) for m in PURE if external[m] & set(FILE_ACCESS)} == {}
    calls, roots = {}, set()
    for m in sorted(PURE):
        tree = ast.parse((ROOT / (m.replace(".", "/") + ".py")).read_text(encoding="utf-8"))
        names = {
            n.func.id if isinstance(n.func, ast.Name) else n.func.attr
            for n in ast.walk(tree)
            if isinstance(n, ast.Call) and isinstance(n.func, (ast.Name, ast.Attribute))
        }
        if names & set(READS):
            calls[m] = sorted(names & set(READS))
        params = {a.arg for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) for a in n.args.args + n.args.kwonlyargs}
        if "root" in params:
            roots.add(m)
    assert calls == {}
    assert roots == set()  # no ``root`` parameter (a criteria folder) anywhere in the engine


def test_the_loading_side_is_not_reached_from_the_engine_but_reaches_it():
    edges, _ = _graph()
    assert "assessment.engine" in _reach(edges, "assessment.registry")
    assert not any(_reach(edges, m) & LOADING for m in PURE)
