"""场景与指标: implemented scenarios from the edition's catalogue (with the AI flag) and KPI values.

The two tables are one form. Unsaved edits are kept in the session (a draft) so that leaving the page and coming
back shows them again, and the sidebar warns while a draft is unsaved. A save expects the scenarios and KPIs the
user started from: if someone else changed *them* meanwhile, nothing is saved, the edits stay on screen and the user
chooses to reload or keep theirs; a change elsewhere in the assessment (an answer) is not a conflict.
"""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from assessment.catalogue import DIMENSION_NAMES
from assessment.declarations import load_declarations
from assessment.numbers import parse_number
from assessment.scenarios import load_catalogue
from assessment.store import repository as repo
from ui import auth, state
from ui.i18n import msg, pick, t
from ui.services import backend
from ui.widgets import flash, plain, require_assessment, show_flash

be = backend()
user = st.session_state[state.USER] or state.DEFAULT_USER
aid = require_assessment()
if aid is None:
    st.stop()
root = be.settings.criteria_dir
zh = pick("zh", "en") == "zh"

with be.Session() as s:
    a = repo.get_assessment(aid, session=s)
    cat = load_catalogue(a.scenario_catalogue, root)
    db_scen, db_kpi = repo.scenario_state(a), repo.kpi_state(a)
    title = a.title
    decl_edition = a.declarations_edition

decl = load_declarations(decl_edition, root)
KPIS = decl.kpi_file.kpis


def _num_text(v: float | None) -> str | None:
    return None if v is None else (f"{v:f}".rstrip("0").rstrip(".") or "0")


def _kpi_rows(values: dict[str, dict]) -> list[dict]:
    return [
        {
            "id": k.id,
            "kpi": ("* " if k.required_by else "") + (k.name_zh if zh else k.name_en),
            "unit": k.unit,
            "value": _num_text(values.get(k.id, {}).get("value")),
            "period": values.get(k.id, {}).get("period"),
        }
        for k in KPIS
    ]


def _clean(v):
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    return v.strip() or None if isinstance(v, str) else v


YES, NO = "是", "否"  # the supply-chain switch as the editor shows it; empty: decided by the scenario's link


def _scen_frame(records: list[dict]) -> pd.DataFrame:
    rows = [{**r, "supply_chain": {True: YES, False: NO}.get(r.get("supply_chain"))} for r in records]
    return pd.DataFrame(rows, columns=["scenario", "name", "ai", "link", "supply_chain"])


def _scen_records(df: pd.DataFrame) -> list[dict]:
    out = []
    for row in df.to_dict("records"):
        if not _clean(row.get("scenario")):
            continue
        out.append(
            {
                "scenario": row["scenario"],
                "name": _clean(row.get("name")),
                "ai": bool(_clean(row.get("ai")) or False),
                "link": _clean(row.get("link")),
                "supply_chain": {YES: True, NO: False}.get(_clean(row.get("supply_chain"))),
            }
        )
    return out


def _kpi_texts(df: pd.DataFrame) -> dict[str, dict]:
    return {r["id"]: {"value": _clean(r.get("value")), "period": _clean(r.get("period"))} for r in df.to_dict("records")}


def _has_edits(key: str) -> bool:
    """The editor holds changes that this run has not yet read (typed, then a button clicked at once)."""
    delta = st.session_state.get(key)
    return isinstance(delta, dict) and any(delta.get(k) for k in ("edited_rows", "added_rows", "deleted_rows"))


drafts: dict = st.session_state[state.DRAFTS]
dkey = f"scenarios::{aid}"
d = drafts.get(dkey)
if d is not None and not d["dirty"]:
    d["dirty"] = _has_edits(f"scen_editor::{aid}::{d['gen']}") or _has_edits(f"kpi_editor::{aid}::{d['gen']}")
if d is None or (not d["dirty"] and (d["base_s"] != db_scen or d["base_k"] != db_kpi)):
    # nothing unsaved here: show what is stored now (also after someone else saved)
    d = drafts[dkey] = {
        "base_s": db_scen,
        "base_k": db_kpi,
        "mount_s": db_scen,
        "mount_k": _kpi_rows(db_kpi),
        "gen": (d["gen"] + 1) if d else 0,
        "dirty": False,
        "conflict": None,
    }
    d["cur_s"], d["cur_k"] = d["mount_s"], {r["id"]: {"value": r["value"], "period": r["period"]} for r in d["mount_k"]}
skey, kkey = f"scen_editor::{aid}::{d['gen']}", f"kpi_editor::{aid}::{d['gen']}"
if skey not in st.session_state and kkey not in st.session_state and d["dirty"]:
    # back on the page after leaving it with unsaved edits: mount the editors on the draft
    d["gen"] += 1
    d["mount_s"] = d["cur_s"]
    d["mount_k"] = [{**r, **d["cur_k"].get(r["id"], {})} for r in _kpi_rows({})]
    skey, kkey = f"scen_editor::{aid}::{d['gen']}", f"kpi_editor::{aid}::{d['gen']}"

st.title(t("scenarios"))
st.caption(plain(f"{title} · {cat.id}"))
show_flash()

links = cat.links
labels = {
    x.id: f"{links[x.link].name_zh} · {x.name_zh}" if zh else f"{links[x.link].name_en} · {x.name_en}" for x in cat.data.scenarios
}
labels["custom"] = pick("其他（自定义场景）", "Other (custom scenario)")

st.subheader(pick("已实施的场景实例", "Scenario instances implemented"))
st.caption(
    pick(
        "每行一个场景实例：选择指引中的场景、填写实例名称，并标明是否应用人工智能（用于 AI 场景占比）。自定义场景需选择所属环节。",
        "One row per instance: pick the guide's scenario, name the instance and say whether it applies AI (for the AI share). "
        "Custom scenarios need a link.",
    )
)
edited = st.data_editor(
    _scen_frame(d["mount_s"]),
    num_rows="dynamic",
    width="stretch",
    key=skey,
    column_config={
        "scenario": st.column_config.SelectboxColumn(
            pick("场景", "Scenario"),
            options=list(labels),
            required=True,
            format_func=lambda k: f"{k} · {labels[k]}",
            width="large",
        ),
        "name": st.column_config.TextColumn(pick("实例名称", "Instance name"), max_chars=200),
        "ai": st.column_config.CheckboxColumn(pick("应用人工智能", "Applies AI"), default=False),
        "link": st.column_config.SelectboxColumn(
            pick("环节（自定义时）", "Link (custom only)"),
            options=list(links),
            format_func=lambda k: f"{k} · {links[k].name_zh if zh else links[k].name_en}",
        ),
        "supply_chain": st.column_config.SelectboxColumn(
            pick("供应链场景", "Supply-chain scenario"),
            options=[YES, NO],
            format_func=lambda v: pick(v, {YES: "yes", NO: "no"}[v]),
            help=pick(
                "申报平台的「是否为供应链场景」；留空则按场景所属环节判断。",
                "The platform's per-entry switch; leave empty to decide by the scenario's link.",
            ),
        ),
    },
)
with st.expander(pick("场景编号对照", "Scenario ids")):
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "id": k,
                    pick("场景", "scenario"): v,
                    pick("维度", "dimension"): DIMENSION_NAMES[cat.dimension_of(k)][0 if zh else 1],
                }
                for k, v in labels.items()
                if k != "custom"
            ]
        ),
        hide_index=True,
        width="stretch",
    )

st.subheader(pick("成效指标", "Outcome KPIs"))
st.caption(
    pick(
        "带 * 的为 2023 年申报表必填项。数值为变化百分比（除非单位另有说明），可输入 12、12.5 或 12%。",
        "Starred KPIs are mandatory in the 2023 forms. Values are changes in % unless the unit says otherwise; type 12, 12.5 or 12%.",
    )
)
kedit = st.data_editor(
    pd.DataFrame(d["mount_k"], columns=["id", "kpi", "unit", "value", "period"]),
    key=kkey,
    hide_index=True,
    width="stretch",
    disabled=["id", "kpi", "unit"],
    column_config={
        "id": st.column_config.TextColumn(pick("编号", "Id")),
        "kpi": st.column_config.TextColumn(pick("指标", "KPI")),
        "unit": st.column_config.TextColumn(pick("单位", "Unit")),
        "value": st.column_config.TextColumn(pick("数值", "Value"), max_chars=24),
        "period": st.column_config.TextColumn(pick("期间", "Period"), max_chars=40),
    },
)

d["cur_s"], d["cur_k"] = _scen_records(edited), _kpi_texts(kedit)
base_rows = {r["id"]: {"value": r["value"], "period": r["period"]} for r in _kpi_rows(d["base_k"])}
d["dirty"] = d["cur_s"] != d["base_s"] or d["cur_k"] != base_rows
if d["dirty"]:
    st.info(
        pick(
            "有未保存的修改：离开此页面后修改会暂存，回来后仍可保存。",
            "Unsaved edits: they are kept if you leave this page, and you can save them when you come back.",
        ),
        icon=":material/edit_note:",
    )


def _parse_kpis() -> tuple[dict, list[str]]:
    values, errors = {}, []
    names = {k.id: k.name_zh if zh else k.name_en for k in KPIS}
    for kid, v in d["cur_k"].items():
        try:
            x = parse_number(v["value"])
        except ValueError as exc:
            errors.append(f"{names[kid]}：{msg(exc)}" if zh else f"{names[kid]}: {msg(exc)}")
            continue
        if x is not None:
            values[kid] = {"value": x, "period": v["period"]}
    return values, errors


def _save(expected_s: list[dict], expected_k: dict) -> None:
    values, errors = _parse_kpis()
    if errors:
        d["errors"] = errors
        return
    d["errors"] = None

    def work(s):
        auth.require_editable(be, s, aid)  # server mode: the principal's own assessment, not frozen by an application
        repo.set_scenarios(aid, d["cur_s"], session=s, expected=expected_s, actor=user, root=root)
        repo.set_kpis(aid, values, session=s, expected=expected_k, actor=user, root=root)

    try:
        repo.transact(be.Session, work)
    except repo.EditConflict as exc:
        d["conflict"] = msg(exc)
        return
    except ValueError as exc:
        d["errors"] = [msg(exc)]
        return
    drafts.pop(dkey, None)
    flash(
        "success",
        pick(
            f"已保存 {len(d['cur_s'])} 个场景实例和 {len(values)} 项指标",
            f"Saved {len(d['cur_s'])} scenario instances and {len(values)} KPIs",
        ),
    )


def _their_changes() -> list[str]:
    """What the other user stored since this table was shown: each KPI whose stored value differs, and the number
    of scenario instances when those changed (so "keep mine" is a choice made knowing what it overwrites)."""
    names = {k.id: k.name_zh if zh else k.name_en for k in KPIS}
    empty = pick("空", "empty")
    out = []
    if d["base_s"] != db_scen:
        out.append(
            pick(
                f"场景实例：{len(d['base_s'])} 个 → {len(db_scen)} 个",
                f"scenario instances: {len(d['base_s'])} → {len(db_scen)}",
            )
        )
    for kid in names:
        was, now = d["base_k"].get(kid, {}), db_kpi.get(kid, {})
        if was != now:
            before, after = _num_text(was.get("value")) or empty, _num_text(now.get("value")) or empty
            period = now.get("period")
            tail = pick(f"（{period}）", f" ({period})") if period else ""
            out.append(f"{names[kid]}{pick('：', ': ')}{before} → {after}{tail}")
    return out


# Buttons act in the script, after the editors, so a value typed just before the click is part of the save.
if d.get("conflict"):
    changes = _their_changes()
    st.warning(
        plain(d["conflict"])
        + pick("。您的修改仍显示在上方。", ". Your edits are still shown above.")
        + (
            "\n\n" + pick("对方的修改：", "Their changes: ") + "\n\n" + "\n\n".join("- " + plain(c) for c in changes)
            if changes
            else ""
        ),
        icon=":material/group:",
    )
    c1, c2 = st.columns(2)
    if c1.button(t("reload"), key="scen_reload", icon=":material/sync:", width="stretch"):
        drafts.pop(dkey, None)
        st.rerun()
    if c2.button(t("keep_mine"), key="scen_keep", icon=":material/check:", type="primary", width="stretch"):
        d["conflict"] = None
        _save(db_scen, db_kpi)
        st.rerun()
if st.button(t("save"), type="primary", key="save_scenarios", icon=":material/save:"):
    _save(d["base_s"], d["base_k"])
    st.rerun()
if d.get("errors"):
    st.error(pick("未保存，请更正：", "Not saved; please correct: ") + "\n\n" + "\n\n".join("- " + plain(e) for e in d["errors"]))
