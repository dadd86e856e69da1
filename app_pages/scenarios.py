"""场景与指标: implemented scenarios from the edition's catalogue (with the AI flag) and KPI values."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from assessment.declarations import load_declarations
from assessment.scenarios import DIMENSION_NAMES, load_catalogue
from assessment.store import repository as repo
from ui import state
from ui.i18n import pick, t
from ui.services import backend
from ui.widgets import flash, require_assessment, show_flash

be = backend()
user = st.session_state[state.USER] or "访客"
aid = require_assessment()
if aid is None:
    st.stop()
root = be.settings.criteria_dir

with be.Session() as s:
    a = repo.get_assessment(aid, session=s)
    cat = load_catalogue(a.scenario_catalogue, root)
    rows = [{"scenario": x.scenario_id, "name": x.name or "", "ai": x.ai, "link": x.link} for x in a.scenarios]
    kpis = {k.kpi_id: (k.value, k.period) for k in a.kpis}
    version, title = a.version, a.title

st.title(t("scenarios"))
st.caption(f"{title} · {cat.id}")
show_flash()

links = cat.links
labels = {s.id: f"{links[s.link].name_zh} · {s.name_zh}" if pick("zh", "en") == "zh" else f"{links[s.link].name_en} · {s.name_en}"
          for s in cat.data.scenarios}
labels["custom"] = pick("其他（自定义场景）", "Other (custom scenario)")

st.subheader(pick("已实施的场景实例", "Scenario instances implemented"))
st.caption(pick("每行一个场景实例：选择指引中的场景、填写实例名称，并标明是否应用人工智能（用于 AI 场景占比）。自定义场景需选择所属环节。",
                "One row per instance: pick the guide's scenario, name the instance and say whether it applies AI (for the AI share). "
                "Custom scenarios need a link."))
df = pd.DataFrame(rows or [], columns=["scenario", "name", "ai", "link"])
edited = st.data_editor(
    df, num_rows="dynamic", width="stretch", key=f"scen_editor::{aid}::{version}",
    column_config={
        "scenario": st.column_config.SelectboxColumn(pick("场景", "Scenario"), options=list(labels), required=True,
                                                     format_func=lambda k: f"{k} · {labels[k]}", width="large"),
        "name": st.column_config.TextColumn(pick("实例名称", "Instance name")),
        "ai": st.column_config.CheckboxColumn(pick("应用人工智能", "Applies AI"), default=False),
        "link": st.column_config.SelectboxColumn(pick("环节（自定义时）", "Link (custom only)"), options=list(links),
                                                 format_func=lambda k: f"{k} · {links[k].name_zh}"),
    },
)
with st.expander(pick("场景编号对照", "Scenario ids")):
    st.dataframe(pd.DataFrame([{"id": k, pick("场景", "scenario"): v,
                                pick("维度", "dimension"): DIMENSION_NAMES[cat.dimension_of(k)][0 if pick('zh', 'en') == 'zh' else 1]}
                               for k, v in labels.items() if k != "custom"]), hide_index=True, width="stretch")

decl = load_declarations("declarations/2021-2025", root)
st.subheader(pick("成效指标", "Outcome KPIs"))
st.caption(pick("带 * 的为 2023 年申报表必填项。数值为变化百分比（除非单位另有说明）。",
                "Starred KPIs are mandatory in the 2023 forms. Values are changes in % unless the unit says otherwise."))
kdf = pd.DataFrame([{"id": k.id, "kpi": ("* " if k.required_by else "") + (k.name_zh if pick("zh", "en") == "zh" else k.name_en),
                     "unit": k.unit, "value": kpis.get(k.id, (None, None))[0], "period": kpis.get(k.id, (None, None))[1]}
                    for k in decl.kpi_file.kpis])
kedit = st.data_editor(kdf, key=f"kpi_editor::{aid}::{version}", hide_index=True, width="stretch",
                       disabled=["id", "kpi", "unit"],
                       column_config={"id": st.column_config.TextColumn(pick("编号", "Id")),
                                      "kpi": st.column_config.TextColumn(pick("指标", "KPI")),
                                      "unit": st.column_config.TextColumn(pick("单位", "Unit")),
                                      "value": st.column_config.NumberColumn(pick("数值", "Value"), format="%.2f"),
                                      "period": st.column_config.TextColumn(pick("期间", "Period"))})

if st.button(t("save"), type="primary", key="save_scenarios"):
    instances = []
    for _, row in edited.iterrows():
        if not isinstance(row["scenario"], str) or not row["scenario"]:
            continue
        link = row.get("link") if isinstance(row.get("link"), str) else None
        instances.append({"scenario": row["scenario"], "name": row["name"] if isinstance(row["name"], str) else None,
                          "ai": bool(row["ai"]) if row["ai"] == row["ai"] else False, "link": link})
    values = {r["id"]: {"value": float(r["value"]), "period": r["period"] if isinstance(r["period"], str) else None}
              for _, r in kedit.iterrows() if r["value"] is not None and r["value"] == r["value"]}
    try:
        with be.Session.begin() as s:
            v = repo.set_scenarios(aid, instances, session=s, expected_version=version, actor=user, root=root)
            repo.set_kpis(aid, values, session=s, expected_version=v, actor=user, root=root)
        flash("success", pick(f"已保存 {len(instances)} 个场景实例和 {len(values)} 项指标",
                              f"Saved {len(instances)} scenario instances and {len(values)} KPIs"))
        st.rerun()
    except (repo.ConcurrentEditError, ValueError) as exc:
        st.error(str(exc))
