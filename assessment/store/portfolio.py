"""Portfolio queries for planners and province admins (issue 14), aggregated in the database.

Every figure is one SQL statement (GROUP BY and window functions that SQLite and PostgreSQL both run), over the
latest result snapshot of each assessment that is not archived:

* distribution of levels and tiers by region (province), industry group, industry type and size class;
* transitions between consecutive assessments of a factory (LAG over the assessment period);
* factories within reach of the next threshold (distance of S to the next level's band, failing rules of the next
  tier), with the planner's effort for a shortlist;
* the requirements and rules that block most factories (``portfolio_blockers``, indexed once per snapshot);
* a factory's percentile among its peers (PERCENT_RANK over the same industry group and size class);
* the national level shares published from c3mep self-assessment data, as reference lines.

Synthetic (generated) enterprises are counted only when asked (``synthetic=True``) and every result says which.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, insert, text
from sqlalchemy.orm import Session

from ..editions import DECLARATIONS_EDITION, DEFAULT_ROOT
from .orm import PortfolioBlocker, ResultSnapshot

if TYPE_CHECKING:
    from ..access import Principal

DIMENSIONS = {
    "province": ("e.province", "地区（省份）", "Region (province)"),
    "industry_group": ("e.industry_group", "行业大类", "Industry group"),
    "industry_type": ("f.industry_type", "行业类型", "Industry type"),
    "size_class": ("{size}", "企业规模", "Size class"),
}
TIER_ORDER = ("none", "basic", "advanced", "excellent", "leading")

# Published national level shares (c3mep self-assessment data): shared/reference/maturity-scoring.md §9.
# Self-assessed, a changing pool: a benchmark reference, never a peer group.
NATIONAL_SHARES: list[dict[str, Any]] = [
    {
        "year": 2020,
        "sample": "12,000+",
        "le1": 0.75,
        "l2": 0.14,
        "l3": 0.06,
        "ge4": 0.05,
        "source": "[4090] http://www.4090.cn/news/content/202.html",
        "confidence": "medium",
        "note": "≤L1 由差额推算 / ≤L1 by subtraction",
    },
    {
        "year": 2021,
        "sample": "20,000+",
        "le1": 0.69,
        "l2": 0.15,
        "l3": 0.07,
        "ge4": 0.09,
        "source": "[FIL] http://filmyash.com/news/423.html",
        "confidence": "medium",
        "note": None,
    },
    {
        "year": 2022,
        "sample": None,
        "le1": 0.63,
        "l2": 0.21,
        "l3": 0.12,
        "ge4": 0.04,
        "source": "[N66] https://www.n6668.com/big5/news/chanye/20230607/171530268612932920566018_4.shtml",
        "confidence": "medium",
        "note": None,
    },
]


class PortfolioError(ValueError):
    pass


@dataclass(frozen=True)
class Table:
    """One result table: column ids, Chinese and English headers, rows (tuples)."""

    name: str
    columns: tuple[str, ...]
    headers_zh: tuple[str, ...]
    headers_en: tuple[str, ...]
    rows: list[tuple]

    def records(self) -> list[dict]:
        return [dict(zip(self.columns, r)) for r in self.rows]


# -- the common base: latest snapshot per assessment, and the latest assessment per factory -------------------------


def _size_case(root: Path) -> tuple[str, dict]:
    from ..declarations import load_declarations

    sizes = {c.id: c for c in load_declarations(DECLARATIONS_EDITION, root).sizes.classes}
    params: dict[str, Any] = {f"{k}_emp": sizes[k].employees_min for k in ("large", "medium", "small")}
    params |= {f"{k}_rev": float(sizes[k].revenue_min_wan) for k in ("large", "medium", "small")}
    case = (
        "CASE WHEN (e.employees IS NOT NULL AND e.employees < :small_emp) OR (e.revenue_wan IS NOT NULL AND "
        "e.revenue_wan < :small_rev) THEN 'micro' "
        "WHEN e.employees IS NULL OR e.revenue_wan IS NULL THEN NULL "
        "WHEN e.employees >= :large_emp AND e.revenue_wan >= :large_rev THEN 'large' "
        "WHEN e.employees >= :medium_emp AND e.revenue_wan >= :medium_rev THEN 'medium' "
        "WHEN e.employees >= :small_emp AND e.revenue_wan >= :small_rev THEN 'small' ELSE 'micro' END"
    )
    return case, params


def _base(
    session: Session,
    synthetic: bool | None,
    root: Path,
    *,
    all_assessments: bool = False,
    province: str | None = None,
) -> tuple[str, dict]:
    """A CTE ``latest`` with one row per factory (or per assessment): result, factory and enterprise facts, limited
    to ``province`` when one is given (a province admin's portfolio).

    It reads the narrow ``portfolio_results`` (one row per assessment with a snapshot, kept beside the snapshots: see
    :class:`~assessment.store.orm.PortfolioResult`), never the wide snapshot rows. Latest: of an assessment, its
    highest snapshot id; of a factory, among its assessments that are not archived and have a snapshot, the latest
    period (no period counts as the earliest), then the highest id (the row flagged ``latest``)."""
    size, params = _size_case(root)
    flt = ""
    if synthetic is not None:
        flt += " AND e.synthetic = :synthetic"
        params["synthetic"] = synthetic
    if province is not None:
        flt += " AND e.province = :province"
        params["province"] = province
    if all_assessments:
        which = "r.archived = :no"
    else:
        which = "r.latest = :yes"
    params |= {"yes": True, "no": False}
    sql = f"""
    WITH latest AS (
      SELECT r.snapshot_id, r.assessment_id, r.score, r.level, r.tier, r.complete, r.created_at,
             r.factory_id, r.period_key AS period, f.industry_type, e.id AS enterprise_id, e.name AS enterprise_name,
             f.name AS factory_name, e.province, e.industry_group, e.synthetic, {size} AS size_class
      FROM portfolio_results r
      JOIN factories f ON f.id = r.factory_id
      JOIN enterprises e ON e.id = f.enterprise_id
      WHERE {which} AND f.archived_at IS NULL AND e.archived_at IS NULL{flt}
    )
    """
    return sql, params


def _run(session: Session, sql: str, params: dict) -> list[tuple]:
    return [tuple(r) for r in session.execute(text(sql), params).all()]


def scope(session: Session, principal: Principal | None) -> str | None:
    """The province a portfolio query is limited to. ``principal`` None is a trusted caller (the CLI, benchmarks);
    the local user sees every province; a province admin sees their own province only (``dashboard.read`` on it);
    anyone else is refused (:class:`assessment.access.AccessDenied`, audited): the portfolio lists every enterprise
    of a region."""
    if principal is None or principal.role == "local":
        return None
    from ..access import require

    require(session, principal, "dashboard.read", principal.province or "")  # "" : an admin without a province
    return principal.province


# -- distributions -----------------------------------------------------------------------------------------------


def distribution(
    session: Session,
    by: str,
    *,
    measure: str = "level",
    synthetic: bool | None = None,
    root: Path = DEFAULT_ROOT,
    principal: Principal | None = None,
) -> Table:
    """Factories by ``by`` (province, industry_group, industry_type, size_class) and level or tier, with the share
    within each group (a window over the group)."""
    if by not in DIMENSIONS:
        raise PortfolioError(f"unknown dimension {by!r}; use one of {', '.join(DIMENSIONS)}")
    if measure not in ("level", "tier"):
        raise PortfolioError("measure is level or tier")
    base, params = _base(session, synthetic, root, province=scope(session, principal))
    col = "size_class" if by == "size_class" else DIMENSIONS[by][0].split(".")[1]
    sql = (
        base
        + f"""
    SELECT {col} AS grp, {measure} AS value, COUNT(*) AS factories,
           CAST(COUNT(*) AS FLOAT) / SUM(COUNT(*)) OVER (PARTITION BY {col}) AS share
    FROM latest GROUP BY {col}, {measure} ORDER BY {col}, {measure}
    """
    )
    rows = _run(session, sql, params)
    if measure == "tier":
        rows.sort(key=lambda r: (r[0] is None, r[0] or "", TIER_ORDER.index(r[1]) if r[1] in TIER_ORDER else 9))
    _, zh, en = DIMENSIONS[by]
    mz, me = ("等级", "Level") if measure == "level" else ("层级", "Tier")
    return Table(
        f"distribution_{by}_{measure}",
        ("group", measure, "factories", "share"),
        (zh, mz, "工厂数", "占比"),
        (en, me, "Factories", "Share"),
        [(g, v, int(n), round(float(s), 6)) for g, v, n, s in rows],
    )


def level_shares(
    session: Session, *, synthetic: bool | None = None, root: Path = DEFAULT_ROOT, principal: Principal | None = None
) -> Table:
    """The portfolio's level shares in the national report's bands (≤L1, L2, L3, ≥L4) beside the published ones."""
    base, params = _base(session, synthetic, root, province=scope(session, principal))
    sql = (
        base
        + """
    SELECT CASE WHEN level <= 1 THEN 'le1' WHEN level = 2 THEN 'l2' WHEN level = 3 THEN 'l3' ELSE 'ge4' END AS band,
           COUNT(*) AS factories, CAST(COUNT(*) AS FLOAT) / SUM(COUNT(*)) OVER () AS share
    FROM latest GROUP BY CASE WHEN level <= 1 THEN 'le1' WHEN level = 2 THEN 'l2' WHEN level = 3 THEN 'l3' ELSE 'ge4' END
    """
    )
    got = {b: (int(n), float(s)) for b, n, s in _run(session, sql, params)}
    rows = []
    for band, zh in (("le1", "≤一级"), ("l2", "二级"), ("l3", "三级"), ("ge4", "≥四级")):
        n, s = got.get(band, (0, 0.0))
        rows.append((band, zh, n, round(s, 6), *[ref[band] for ref in NATIONAL_SHARES]))
    years = [str(r["year"]) for r in NATIONAL_SHARES]
    return Table(
        "level_shares",
        ("band", "band_zh", "factories", "share", *[f"national_{y}" for y in years]),
        ("等级段", "等级段", "工厂数", "占比", *[f"全国 {y}（参考）" for y in years]),
        ("Band", "Band", "Factories", "Share", *[f"National {y} (reference)" for y in years]),
        rows,
    )


# -- transitions -------------------------------------------------------------------------------------------------


def transitions(
    session: Session,
    *,
    measure: str = "level",
    synthetic: bool | None = None,
    root: Path = DEFAULT_ROOT,
    principal: Principal | None = None,
) -> Table:
    """How factories moved between consecutive assessments (by period, then id; each with its latest snapshot):
    from → to, with counts."""
    if measure not in ("level", "tier"):
        raise PortfolioError("measure is level or tier")
    base, params = _base(session, synthetic, root, all_assessments=True, province=scope(session, principal))
    sql = (
        base
        + f"""
    , seq AS (
      SELECT {measure} AS cur,
             LAG({measure}) OVER (PARTITION BY factory_id ORDER BY period, assessment_id) AS prev
      FROM latest
    )
    SELECT prev, cur, COUNT(*) AS factories FROM seq WHERE prev IS NOT NULL GROUP BY prev, cur ORDER BY prev, cur
    """
    )
    rows = _run(session, sql, params)
    if measure == "tier":
        rows.sort(key=lambda r: (TIER_ORDER.index(r[0]), TIER_ORDER.index(r[1])))
    mz = "等级" if measure == "level" else "层级"
    return Table(
        f"transitions_{measure}",
        ("from", "to", "factories"),
        (f"原{mz}", f"新{mz}", "工厂数"),
        ("From", "To", "Factories"),
        [(a, b, int(n)) for a, b, n in rows],
    )


# -- blockers ----------------------------------------------------------------------------------------------------


def record_blockers(session: Session, snap: ResultSnapshot, gap_ids: list[str]) -> int:
    """Record what blocks ``snap`` from the next tier and the next level (rows of ``portfolio_blockers``); ``gap_ids``
    are the requirements toward the next level (read only below level 5)."""
    res = snap.result or {}
    rows = []
    tiers = res.get("tiers") or {}
    nxt = next((t for t in TIER_ORDER[1:] if t in tiers and not tiers[t].get("met")), None)
    if nxt:
        rows += [{"snapshot_id": snap.id, "kind": "rule", "item": r[:80], "target": nxt} for r in tiers[nxt].get("reasons", [])]
    level = snap.level
    if level < 5:
        for rid in gap_ids:
            rows.append({"snapshot_id": snap.id, "kind": "requirement", "item": rid, "target": f"L{level + 1}"})
    if not rows:
        rows = [{"snapshot_id": snap.id, "kind": "none", "item": "-", "target": "-"}]
    session.execute(insert(PortfolioBlocker), rows)
    return len(rows)


def unindexed_snapshots(session: Session) -> list[int]:
    """The ids of real snapshots that have no blockers rows yet (taken since the last run). Read on every visit of the
    page: ids only, through the indexes from the real enterprises down (CROSS JOIN fixes SQLite's join order; a
    snapshot row is wide and the synthetic ones are indexed when generated)."""
    sql = """
    SELECT rs.id FROM enterprises e CROSS JOIN factories f CROSS JOIN assessments a CROSS JOIN result_snapshots rs
    WHERE f.enterprise_id = e.id AND a.factory_id = f.id AND rs.assessment_id = a.id AND e.synthetic = :no
      AND NOT EXISTS (SELECT 1 FROM portfolio_blockers b WHERE b.snapshot_id = rs.id)
    ORDER BY rs.id
    """
    return [sid for (sid,) in session.execute(text(sql), {"no": False}).all()]


def top_blockers(
    session: Session,
    *,
    kind: str = "rule",
    limit: int = 20,
    synthetic: bool | None = None,
    root: Path = DEFAULT_ROOT,
    principal: Principal | None = None,
) -> Table:
    """The rules (or requirements) that block most factories at their latest assessment; the share is of every
    factory counted (``latest`` is computed once and read twice)."""
    if kind not in ("rule", "requirement"):
        raise PortfolioError("kind is rule or requirement")
    base, params = _base(session, synthetic, root, province=scope(session, principal))
    params |= {"kind": kind, "limit": int(limit)}
    sql = (
        base
        + """
    SELECT b.item, b.target, COUNT(*) AS factories,
           CAST(COUNT(*) AS FLOAT) / (SELECT COUNT(*) FROM latest) AS share
    FROM latest l JOIN portfolio_blockers b ON b.snapshot_id = l.snapshot_id
    WHERE b.kind = :kind GROUP BY b.item, b.target ORDER BY COUNT(*) DESC, b.item LIMIT :limit
    """
    )
    rows = _run(session, sql, params)
    zh = "规则" if kind == "rule" else "要求"
    return Table(
        f"blockers_{kind}",
        ("item", "target", "factories", "share"),
        (zh, "目标", "受阻工厂数", "占比"),
        ("Rule" if kind == "rule" else "Requirement", "Target", "Factories blocked", "Share"),
        [(i, t, int(n), round(float(s), 6)) for i, t, n, s in rows],
    )


# -- within reach and percentile ---------------------------------------------------------------------------------


def _band_case(root: Path) -> str:
    from ..editions import load_maturity_cached

    ed = load_maturity_cached("maturity/2020", root)
    parts = " ".join(f"WHEN level = {b.level - 1} THEN {float(b.min)}" for b in ed.scoring.bands)
    return f"CASE {parts} ELSE NULL END"


def within_reach(
    session: Session,
    *,
    target: str = "advanced",
    limit: int = 20,
    synthetic: bool | None = None,
    root: Path = DEFAULT_ROOT,
    principal: Principal | None = None,
) -> Table:
    """Factories one step below ``target`` (a tier, or L1..L5) nearest to it: fewest failing rules of the target
    tier, then the smallest distance of S to the next level's band."""
    base, params = _base(session, synthetic, root, province=scope(session, principal))
    params["limit"] = int(limit)
    band = _band_case(root)
    if target in TIER_ORDER[1:]:
        prev = TIER_ORDER[TIER_ORDER.index(target) - 1]
        params |= {"target": target, "prev": prev}
        sql = (
            base
            + f"""
        , near AS (
          SELECT l.*, (SELECT COUNT(*) FROM portfolio_blockers b
                       WHERE b.snapshot_id = l.snapshot_id AND b.kind = 'rule' AND b.target = :target) AS failing_rules
          FROM latest l WHERE l.tier = :prev
        )
        SELECT l.factory_id, l.enterprise_name, l.factory_name, l.province, l.level, l.tier, l.score,
               l.failing_rules, {band.replace("level", "l.level")} - l.score AS distance_s, l.assessment_id, l.synthetic
        FROM near l
        ORDER BY l.failing_rules, {band.replace("level", "l.level")} - l.score, l.factory_id LIMIT :limit
        """
        )
    elif len(target) == 2 and target[0] in "Ll" and target[1] in "12345":
        params["lv"] = int(target[1]) - 1
        sql = (
            base
            + f"""
        SELECT l.factory_id, l.enterprise_name, l.factory_name, l.province, l.level, l.tier, l.score,
               0 AS failing_rules, {band.replace("level", "l.level")} - l.score AS distance_s, l.assessment_id, l.synthetic
        FROM latest l WHERE l.level = :lv ORDER BY {band.replace("level", "l.level")} - l.score, l.factory_id LIMIT :limit
        """
        )
    else:
        raise PortfolioError(f"unknown target {target!r}: a tier or L1..L5")
    rows = _run(session, sql, params)
    return Table(
        f"within_reach_{target}",
        (
            "factory_id",
            "enterprise",
            "factory",
            "province",
            "level",
            "tier",
            "score",
            "failing_rules",
            "distance_s",
            "assessment_id",
            "synthetic",
        ),
        ("工厂", "企业", "工厂名称", "地区", "等级", "层级", "总分S", "未满足规则数", "距下一等级分差", "评估", "合成数据"),
        (
            "Factory",
            "Enterprise",
            "Factory name",
            "Region",
            "Level",
            "Tier",
            "S",
            "Failing rules",
            "S to next level",
            "Assessment",
            "Synthetic",
        ),
        [
            (
                r[0],
                r[1],
                r[2],
                r[3],
                r[4],
                r[5],
                round(float(r[6]), 4),
                int(r[7]),
                None if r[8] is None else round(float(r[8]), 4),
                r[9],
                bool(r[10]),
            )
            for r in rows
        ],
    )


def percentile(
    session: Session,
    factory_id: int,
    *,
    peers: str = "industry_group,size_class",
    synthetic: bool | None = None,
    root: Path = DEFAULT_ROOT,
    principal: Principal | None = None,
) -> dict:
    """A factory's percentile of S among its peers (PERCENT_RANK within the same values of ``peers``, counted over
    the peers alone)."""
    keys = [k.strip() for k in peers.split(",") if k.strip()]
    for k in keys:
        if k not in DIMENSIONS:
            raise PortfolioError(f"unknown peer dimension {k!r}; use {', '.join(DIMENSIONS)}")
    base, params = _base(session, synthetic, root, province=scope(session, principal))
    params["fid"] = int(factory_id)
    if session.get_bind().dialect.name == "sqlite":
        # SQLite: PERCENT_RANK counted over the factory's peers alone, (peers scoring lower) / (peers - 1), with the
        # same values of the peer dimensions (none equal to none, as in a PARTITION BY); its window sorts every row
        peer = "".join(f" AND p.{k} IS me.{k}" for k in keys)
        sql = (
            base
            + f"""
        , me AS (SELECT * FROM latest WHERE factory_id = :fid)
        SELECT me.factory_id, me.score, me.level, {"".join(f"me.{k}, " for k in keys)}
               (SELECT COUNT(*) FROM latest p WHERE p.score < me.score{peer}) AS below,
               (SELECT COUNT(*) FROM latest p WHERE 1 = 1{peer}) AS peers
        FROM me
        """
        )
    else:  # PostgreSQL: the window (a correlated count with IS NOT DISTINCT FROM costs it more)
        part = ", ".join(keys) or "1"
        sql = (
            base
            + f"""
        , ranked AS (
          SELECT factory_id, score, level, {", ".join(keys) + "," if keys else ""}
                 PERCENT_RANK() OVER (PARTITION BY {part} ORDER BY score) AS pct,
                 COUNT(*) OVER (PARTITION BY {part}) AS peers
          FROM latest
        )
        SELECT * FROM ranked WHERE factory_id = :fid
        """
        )
    rows = session.execute(text(sql), params).mappings().all()
    if not rows:
        raise PortfolioError(f"factory {factory_id} has no snapshot in the portfolio")
    r = dict(rows[0])
    if "pct" in r:
        pct = float(r["pct"])
    else:
        pct = int(r["below"]) / (int(r["peers"]) - 1) if int(r["peers"]) > 1 else 0.0
    return {
        "factory_id": factory_id,
        "score": float(r["score"]),
        "level": r["level"],
        "percentile": round(pct * 100, 2),
        "peers": int(r["peers"]),
        "peer_group": {k: r[k] for k in keys},
    }


def summary(
    session: Session, *, synthetic: bool | None = None, root: Path = DEFAULT_ROOT, principal: Principal | None = None
) -> dict:
    """The headline figures (``portfolio summary``): three statements, counts by level and tier (with the number of
    enterprises) and the top blocker of each kind."""
    province = scope(session, principal)
    base, params = _base(session, synthetic, root, province=province)
    sql = (
        base
        + """
    SELECT level, tier, COUNT(*), SUM(score), SUM(CASE WHEN synthetic THEN 1 ELSE 0 END),
           (SELECT COUNT(DISTINCT enterprise_id) FROM latest)
    FROM latest GROUP BY level, tier
    """
    )
    cells = _run(session, sql, params)
    n = sum(int(c[2]) for c in cells)
    synth = sum(int(c[4] or 0) for c in cells)
    avg = sum(float(c[3]) for c in cells) / n if n else None
    ents = int(cells[0][5]) if cells else 0
    levels: dict[str, int] = {}
    tiers = dict.fromkeys(TIER_ORDER, 0)
    for lv, tr, c, *_ in sorted(cells, key=lambda c: c[0]):
        levels[str(lv)] = levels.get(str(lv), 0) + int(c)
        tiers[tr] = tiers.get(tr, 0) + int(c)
    base, params = _base(session, synthetic, root, province=province)
    top = {}
    for kind in ("rule", "requirement"):  # one kind a statement: a single index probe per snapshot
        got = _run(
            session,
            base
            + """
        SELECT b.item FROM latest l JOIN portfolio_blockers b ON b.snapshot_id = l.snapshot_id
        WHERE b.kind = :kind GROUP BY b.item, b.target ORDER BY COUNT(*) DESC, b.item LIMIT 1
        """,
            params | {"kind": kind},
        )
        top[kind] = got[0][0] if got else None
    return {
        "factories": int(n or 0),
        "enterprises": int(ents or 0),
        "synthetic_factories": int(synth or 0),
        "synthetic_note": "含合成数据（演示用，非真实企业）/ includes synthetic data (demo, not real enterprises)"
        if synth
        else None,
        "mean_score": round(float(avg), 4) if avg is not None else None,
        "levels": levels,
        "tiers": tiers,
        "top_rule_blocker": top.get("rule"),
        "top_requirement_blocker": top.get("requirement"),
        "national_reference": NATIONAL_SHARES,
    }


# -- export ------------------------------------------------------------------------------------------------------

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def to_csv(table: Table, lang: str = "zh") -> bytes:
    """CSV (UTF-8 with BOM for Excel); text that a spreadsheet would read as a formula is quoted with a leading '."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(table.headers_zh if lang == "zh" else table.headers_en)
    for row in table.rows:
        w.writerow(["'" + v if isinstance(v, str) and v.startswith(FORMULA_START) else v for v in row])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def to_xlsx(tables: list[Table], lang: str = "zh") -> bytes:
    """One sheet per table; text cells are always text, never formulas."""
    from openpyxl import Workbook

    from ..answer_sheet import text_cell

    wb = Workbook()
    wb.remove(wb.active)
    for t in tables:
        ws = wb.create_sheet(t.name[:31])
        for j, h in enumerate(t.headers_zh if lang == "zh" else t.headers_en, start=1):
            text_cell(ws.cell(row=1, column=j), h)
        for i, row in enumerate(t.rows, start=2):
            for j, v in enumerate(row, start=1):
                c = ws.cell(row=i, column=j)
                if isinstance(v, str):
                    text_cell(c, v)
                else:
                    c.value = v
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def all_tables(
    session: Session, *, synthetic: bool | None = None, root: Path = DEFAULT_ROOT, principal: Principal | None = None
) -> list[Table]:
    syn, pr = synthetic, principal
    out = [
        distribution(session, by, measure=m, synthetic=syn, root=root, principal=pr)
        for by in DIMENSIONS
        for m in ("level", "tier")
    ]
    out += [
        level_shares(session, synthetic=syn, root=root, principal=pr),
        transitions(session, measure="level", synthetic=syn, root=root, principal=pr),
        transitions(session, measure="tier", synthetic=syn, root=root, principal=pr),
        top_blockers(session, kind="rule", synthetic=syn, root=root, principal=pr),
        top_blockers(session, kind="requirement", synthetic=syn, root=root, principal=pr),
        within_reach(session, target="advanced", synthetic=syn, root=root, principal=pr),
    ]
    return out


def clear_index(session: Session) -> None:
    session.execute(delete(PortfolioBlocker))


__all__ = [
    "DIMENSIONS",
    "NATIONAL_SHARES",
    "PortfolioError",
    "Table",
    "all_tables",
    "clear_index",
    "distribution",
    "level_shares",
    "percentile",
    "record_blockers",
    "scope",
    "summary",
    "to_csv",
    "to_xlsx",
    "top_blockers",
    "transitions",
    "unindexed_snapshots",
    "within_reach",
]
