"""Differences between two maturity editions: sub-domains, requirements and weights.

Requirements are matched by their id without the edition prefix (``data:L1:01``), so the
2020 edition and the 2024 draft can be compared; sub-domains and domains by id.
"""

from __future__ import annotations

from .editions import MaturityEdition
from .schema import fraction_str


def _local(rid: str) -> str:
    return rid.split(":", 1)[1]


def _weights(ed: MaturityEdition) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for kind, items in (("element", ed.model.elements), ("domain", ed.model.domains), ("subdomain", ed.model.subdomains)):
        for i in items:
            out[f"{kind}:{i.id}"] = {t.value: fraction_str(w) for t, w in i.weight.items()}
    return out


def diff(a: MaturityEdition, b: MaturityEdition) -> dict:
    sa, sb = a.subdomains, b.subdomains
    sub_changed = []
    for sid in sorted(set(sa) & set(sb)):
        x, y = sa[sid], sb[sid]
        fields = [f for f in ("domain", "name_zh", "name_en") if getattr(x, f) != getattr(y, f)]
        if sorted(t.value for t in x.industry_types) != sorted(t.value for t in y.industry_types):
            fields.append("industry_types")
        if fields:
            sub_changed.append({"id": sid, "fields": fields})
    ra = {_local(r.id): r for r in a.requirements}
    rb = {_local(r.id): r for r in b.requirements}
    req_changed = []
    for rid in sorted(set(ra) & set(rb)):
        rx, ry = ra[rid], rb[rid]
        fields = [f for f in ("level", "text_zh", "text_en", "withdrawn") if getattr(rx, f) != getattr(ry, f)]
        if rx.provenance.kind != ry.provenance.kind:
            fields.append("provenance")
        if fields:
            req_changed.append({"id": rid, "fields": fields})
    wa, wb = _weights(a), _weights(b)
    weights_changed = [
        {"node": k, "from": wa.get(k), "to": wb.get(k)} for k in sorted(set(wa) | set(wb)) if wa.get(k) != wb.get(k)
    ]
    return {
        "from": a.id,
        "to": b.id,
        "subdomains": {
            "added": sorted(set(sb) - set(sa)),
            "removed": sorted(set(sa) - set(sb)),
            "changed": sub_changed,
        },
        "requirements": {
            "added": sorted(set(rb) - set(ra)),
            "removed": sorted(set(ra) - set(rb)),
            "changed": req_changed,
        },
        "weights": weights_changed,
    }
