"""The package's import graph: arrows point one way (no cycles, counting imports inside functions too), and the
engine imports no UI, chart or PDF library."""

from __future__ import annotations

import ast

from paths import ROOT

PACKAGE = ROOT / "assessment"
FORBIDDEN = ("streamlit", "matplotlib", "typst", "reportlab", "fpdf")


def _graph() -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    mods = {".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__"): p for p in PACKAGE.rglob("*.py")}
    edges: dict[str, set[str]] = {m: set() for m in mods}
    external: dict[str, set[str]] = {m: set() for m in mods}
    for name, path in mods.items():
        pkg = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                external[name].update(a.name.split(".")[0] for a in node.names)
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


# The engine: parsed inputs and loaded editions in, results out. It reads no file and loads no edition; that is the
# loading side's work (LOADING), which may import the engine but never the other way round.
ENGINE = {
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


def test_the_engine_reaches_only_the_engine():
    edges, _ = _graph()
    assert ENGINE <= set(edges) and LOADING <= set(edges)
    outside = {m: sorted(_reach(edges, m) - ENGINE) for m in sorted(ENGINE) if _reach(edges, m) - ENGINE}
    assert outside == {}


def test_the_engine_touches_no_file():
    _, external = _graph()
    assert {m: sorted(external[m] & set(FILE_ACCESS)) for m in ENGINE if external[m] & set(FILE_ACCESS)} == {}
    calls, roots = {}, set()
    for m in sorted(ENGINE):
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
    assert not any(_reach(edges, m) & LOADING for m in ENGINE)
