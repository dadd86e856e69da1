"""Repository functions. Each takes a caller-owned ``session``: the caller decides the transaction.

Saving answers is guarded by the assessment's version number: a caller passes the version it
loaded, and a save against a newer version raises :class:`ConcurrentEditError` instead of
silently overwriting another person's work.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Iterable

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.exc import StaleDataError

from ..answers import normalise_grade
from ..editions import DECLARATIONS_EDITION, DEFAULT_ROOT, load_maturity_cached, resolve
from ..profile import TIERS, parse_profile
from .evidence import BlobStore, EvidenceRejected, check_upload
from .orm import (
    STATUSES,
    Answer,
    Assessment,
    AuditLog,
    Certificate,
    Enterprise,
    Evidence,
    EvidenceBlob,
    Factory,
    KpiRecord,
    Region,
    Revocation,
    ScenarioRecord,
    TierAward,
    User,
    utcnow,
)
from .text import NOTE_MAX, REASON_MAX, check_text, column_length


class ConcurrentEditError(RuntimeError):
    """Someone else saved this assessment after it was loaded."""


class VersionRace(ConcurrentEditError):
    """Two transactions saved the same row at the same moment: the caller may simply try again."""


@dataclass(frozen=True)
class Change:
    """What someone else stored after the form was shown: the item, its current value, who and when."""

    item: str
    value: Any
    by: str | None
    at: datetime | None


class EditConflict(ConcurrentEditError):
    """The stored values differ from those the user saw when the form was shown; nothing was saved."""

    parts: tuple[str, str] | None = None  # the Chinese and English halves of the message

    def __init__(self, message: str, changes: list[Change]):
        super().__init__(message)
        self.changes = changes


def _when(at: datetime | None) -> str:
    return at.strftime("%Y-%m-%d %H:%M:%S") if at else "?"


def _conflict(what_zh: str, what_en: str, changes: list[Change], fields: tuple[str, str] = ("", "")) -> EditConflict:
    """``fields``: what was changed, e.g. ("（细分行业：未提供 → 通用设备）", " (sub-sector: not given → 通用设备)")."""
    first = changes[0]
    zh = f"{what_zh}已被 {first.by or '他人'} 于 {_when(first.at)} 修改{fields[0]}，您的修改尚未保存"
    en = f"{what_en} was changed by {first.by or 'someone else'} at {_when(first.at)}{fields[1]}; your change is not saved yet"
    exc = EditConflict(f"{zh} / {en}", changes)
    exc.parts = (zh, en)  # a value quoted in the message cannot split it in the wrong place (ui.i18n.msg)
    return exc


def _changed_fields(session: Session, entity: str, row: Enterprise | Factory, seen_version: int) -> tuple[str, str]:
    """The fields of ``row`` changed since the user saw ``seen_version``, with their values then and now, from the
    ``before`` the audit trail keeps for every update: ("（细分行业：未提供 → 通用设备）", " (sub-sector: …)")."""
    from .. import labels

    compliance = (row.compliance or {}) if isinstance(row, Enterprise) else {}
    then: dict[str, Any] = {}
    for detail in session.scalars(
        select(AuditLog.detail)
        .where(AuditLog.entity == entity, AuditLog.entity_id == str(row.id), AuditLog.action == "update")
        .order_by(AuditLog.id)
    ):
        detail = json.loads(detail) if isinstance(detail, str) else detail or {}
        if isinstance(detail.get("version"), int) and detail["version"] > seen_version:
            for k, v in (detail.get("before") or {}).items():
                if k == "compliance":
                    for c, cv in (v or {}).items():
                        then.setdefault(f"compliance.{c}", cv)
                    for c in compliance:  # a fact given only after the user's version
                        then.setdefault(f"compliance.{c}", (v or {}).get(c))
                else:
                    then.setdefault(f"enterprise.{k}", v)
    parts: dict[str, list[str]] = {"zh": [], "en": []}
    for path, old in then.items():
        group, key = path.split(".", 1)
        new = compliance.get(key) if group == "compliance" else getattr(row, key)
        if old == new:
            continue
        for lang in ("zh", "en"):
            name = labels.fact(path, lang)
            if entity == "factory" and key == "name":
                name = labels.pick(lang, "工厂名称", "factory name")
            elif entity == "factory" and key == "address":
                name = labels.pick(lang, "建设地址", "address")
            was, now = (labels.fact_value(path, v, lang) for v in (old, new))
            parts[lang].append(f"{name}{labels.pick(lang, '：', ': ')}{was[:60]} → {now[:60]}")
    if not parts["zh"]:
        return "", ""
    return "（" + "；".join(parts["zh"]) + "）", " (" + "; ".join(parts["en"]) + ")"


def transact(Session, fn, *, attempts: int = 3):
    """Run ``fn(session)`` in its own transaction, again when it lost a :class:`VersionRace` (never on a real conflict)."""
    for i in range(attempts):
        try:
            with Session.begin() as s:
                return fn(s)
        except VersionRace:
            if i == attempts - 1:
                raise


class NotFound(LookupError):
    pass


def audit(session: Session, actor: str | None, action: str, entity: str, entity_id: Any, detail: dict | None = None) -> None:
    """Append an entry to the hash-chained audit trail (assessment/store/chain.py), in the caller's transaction."""
    from .chain import append

    append(session, actor, action, entity, entity_id, detail)


def get_or_create_user(username: str, *, session: Session, display_name: str | None = None, role: str = "enterprise") -> User:
    username = check_text(username, field="user.username", max_len=column_length(User.username), required=True)
    display_name = check_text(display_name, field="user.display_name", max_len=column_length(User.display_name))
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        user = User(username=username, display_name=display_name or username, role=role)
        session.add(user)
        session.flush()
    return user


ENTERPRISE_FIELDS = (
    "name",
    "credit_code",
    "province",
    "ownership",
    "industry_group",
    "legal_person",
    "above_scale",
    "employees",
    "revenue_wan",
    "standing",
)


def create_enterprise(
    *, session: Session, actor: str | None = None, compliance: dict | None = None, is_demo: bool = False, **fields
) -> Enterprise:
    unknown = set(fields) - set(ENTERPRISE_FIELDS)
    if unknown:
        raise ValueError(f"unknown enterprise field {sorted(unknown)[0]!r}")
    fields["name"] = check_text(
        fields.get("name"), field="enterprise.name", max_len=column_length(Enterprise.name), required=True
    )
    for key in ("credit_code", "province"):
        if key in fields:
            fields[key] = check_text(fields[key], field=f"enterprise.{key}", max_len=column_length(getattr(Enterprise, key)))
    if fields.get("credit_code") and session.scalar(select(Enterprise).where(Enterprise.credit_code == fields["credit_code"])):
        raise ValueError(f"统一社会信用代码 {fields['credit_code']} 已存在 / this credit code is already registered")
    ent = Enterprise(compliance=compliance or {}, is_demo=is_demo, **fields)
    _validate_enterprise(ent)
    session.add(ent)
    session.flush()
    audit(session, actor, "create", "enterprise", ent.id, {"name": ent.name})
    return ent


def update_enterprise(
    ent: Enterprise,
    *,
    session: Session,
    actor: str | None = None,
    compliance: dict | None = None,
    expected_version: int | None = None,
    **fields,
) -> Enterprise:
    """Change an enterprise's facts; with ``expected_version`` (the version the form was shown with) a stale form is refused."""
    if expected_version is not None and ent.version != expected_version:
        raise _conflict(
            "企业信息",
            "the enterprise's facts",
            [Change("enterprise", ent.version, ent.updated_by, ent.updated_at)],
            _changed_fields(session, "enterprise", ent, expected_version),
        )
    before = {}
    for k, v in fields.items():
        if k not in ENTERPRISE_FIELDS:
            raise ValueError(f"unknown enterprise field {k!r}")
        if k in ("name", "credit_code", "province"):
            v = check_text(v, field=f"enterprise.{k}", max_len=column_length(getattr(Enterprise, k)), required=k == "name")
        if getattr(ent, k) != v:
            if k == "credit_code" and v:
                with session.no_autoflush:  # one flush (one version) per update
                    if session.scalar(select(Enterprise.id).where(Enterprise.credit_code == v, Enterprise.id != ent.id)):
                        raise ValueError(f"统一社会信用代码 {v} 已存在 / this credit code is already registered")
            before[k] = getattr(ent, k)
            setattr(ent, k, v)
    if compliance is not None and dict(compliance) != (ent.compliance or {}):
        before["compliance"] = dict(ent.compliance or {})
        ent.compliance = dict(compliance)
    _validate_enterprise(ent)
    if before:
        ent.updated_by, ent.updated_at = actor, utcnow()
        _flush_versioned(session)
        audit(session, actor, "update", "enterprise", ent.id, {"before": before, "version": ent.version})
    return ent


def _flush_versioned(session: Session) -> None:
    try:
        session.flush()
    except StaleDataError:
        raise VersionRace("已被他人同时修改，请重试 / changed concurrently by someone else; try again") from None


FACTORY_FIELDS = ("name", "industry_type", "sub_sector", "address")


def update_factory(
    factory_id: int, *, session: Session, expected_version: int | None, actor: str | None = None, **fields
) -> Factory:
    """Change a factory's facts (name, industry type, sub-sector, address) with a version check."""
    f = session.get(Factory, factory_id)
    if f is None:
        raise NotFound(f"找不到工厂 #{factory_id} / factory {factory_id} not found")
    if expected_version is not None and f.version != expected_version:
        raise _conflict(
            "工厂信息",
            "the factory's facts",
            [Change("factory", f.version, f.updated_by, f.updated_at)],
            _changed_fields(session, "factory", f, expected_version),
        )
    before = {}
    for k, v in fields.items():
        if k not in FACTORY_FIELDS:
            raise ValueError(f"unknown factory field {k!r}")
        if k == "industry_type":
            if v not in ("discrete", "process"):
                raise ValueError("行业类型须为离散型或流程型 / industry_type must be discrete or process")
        else:
            v = check_text(v, field=f"factory.{k}", max_len=column_length(getattr(Factory, k)), required=k == "name")
        if getattr(f, k) != v:
            before[k] = getattr(f, k)
            setattr(f, k, v)
    if before:
        f.updated_by, f.updated_at = actor, utcnow()
        _flush_versioned(session)
        audit(session, actor, "update", "factory", f.id, {"before": before, "version": f.version})
    return f


def rename_assessment(
    assessment_id: int, title: str, *, session: Session, expected_version: int | None, actor: str | None = None
) -> int:
    a = get_assessment(assessment_id, session=session)
    _check_version(a, expected_version)
    title = check_text(title, field="assessment.title", max_len=column_length(Assessment.title), required=True)
    if title == a.title:
        return a.version
    before, a.title = a.title, title
    version = _touch(a, actor, session)
    audit(session, actor, "rename", "assessment", a.id, {"before": before, "after": title, "version": version})
    return version


ARCHIVABLE = {"enterprise": Enterprise, "factory": Factory, "assessment": Assessment}
ARCHIVABLE_ZH = {"enterprise": "企业", "factory": "工厂", "assessment": "评估"}


def set_archived(kind: str, entity_id: int, archived: bool, *, session: Session, actor: str | None = None) -> None:
    """Soft delete (archive) or restore an enterprise, factory or assessment: nothing is removed, every change is audited."""
    row = session.get(ARCHIVABLE[kind], entity_id)
    if row is None:
        raise NotFound(f"找不到{ARCHIVABLE_ZH[kind]} #{entity_id} / {kind} {entity_id} not found")
    assert isinstance(row, (Enterprise, Factory, Assessment))  # the classes of ARCHIVABLE
    if (row.archived_at is not None) == archived:
        return
    row.archived_at = utcnow() if archived else None
    _flush_versioned(session)
    audit(session, actor, "archive" if archived else "restore", kind, entity_id, {})


def _validate_enterprise(ent: Enterprise) -> None:
    """Reuse the profile schema so the database never holds facts the engine would refuse."""
    try:
        parse_profile(
            {
                "enterprise": {k: getattr(ent, k) for k in ENTERPRISE_FIELDS if getattr(ent, k) is not None},
                "compliance": ent.compliance or {},
            },
            "enterprise",
        )
    except ValueError as exc:  # "enterprise: enterprise.credit_code: String should match pattern …"
        text = str(exc).removeprefix("enterprise: ")
        field = text.split(":", 1)[0]
        zh = ENTERPRISE_FIELD_ZH.get(field.split(".")[-1], field)
        raise ValueError(f"企业信息无效：{zh}（{field}）取值不符合要求 / invalid enterprise facts: {text}") from None


ENTERPRISE_FIELD_ZH = {
    "name": "企业名称",
    "credit_code": "统一社会信用代码（18 位）",
    "province": "省份",
    "ownership": "企业性质",
    "industry_group": "所属行业",
    "legal_person": "独立法人",
    "above_scale": "规模以上工业企业",
    "employees": "从业人员",
    "revenue_wan": "营业收入",
    "standing": "智能制造水平",
}


def create_factory(
    enterprise_id: int,
    name: str,
    industry_type: str,
    *,
    session: Session,
    actor: str | None = None,
    sub_sector: str | None = None,
    address: str | None = None,
) -> Factory:
    if industry_type not in ("discrete", "process"):
        raise ValueError("行业类型须为离散型或流程型 / industry_type must be discrete or process")
    name = check_text(name, field="factory.name", max_len=column_length(Factory.name), required=True)
    sub_sector = check_text(sub_sector, field="factory.sub_sector", max_len=column_length(Factory.sub_sector))
    address = check_text(address, field="factory.address", max_len=column_length(Factory.address))
    f = Factory(
        enterprise_id=enterprise_id, name=name.strip(), industry_type=industry_type, sub_sector=sub_sector, address=address
    )
    session.add(f)
    session.flush()
    audit(session, actor, "create", "factory", f.id, {"name": name})
    return f


def add_tier_award(
    factory_id: int,
    tier: str,
    year: int,
    *,
    session: Session,
    actor: str | None = None,
    edition: str | None = None,
    certificate_no: str | None = None,
) -> TierAward:
    if tier not in TIERS:
        raise ValueError(f"层级必须是 {'、'.join(TIERS)} 之一：{str(tier)[:40]!r} / the tier must be one of {', '.join(TIERS)}")
    if not isinstance(year, int) or isinstance(year, bool) or not 2024 <= year <= 2100:
        raise ValueError(f"层级年份必须在 2024–2100 之间：{str(year)[:20]} / the tier year must be between 2024 and 2100")
    edition = check_text(edition, field="tier_award.edition", max_len=column_length(TierAward.edition))
    certificate_no = check_text(
        certificate_no, field="tier_award.certificate_no", max_len=column_length(TierAward.certificate_no)
    )
    award = TierAward(factory_id=factory_id, tier=tier, year=year, edition=edition, certificate_no=certificate_no)
    session.add(award)
    session.flush()
    audit(session, actor, "create", "tier_award", award.id, {"tier": tier, "year": year})
    return award


def create_assessment(
    factory_id: int,
    *,
    session: Session,
    actor: str | None = None,
    maturity_edition: str = "maturity/2020",
    tier_edition: str = "smart_factory/2025",
    scenario_catalogue: str = "scenarios/2025",
    declarations_edition: str = DECLARATIONS_EDITION,
    industry_type: str | None = None,
    title: str | None = None,
    period: str | None = None,
    root: Path = DEFAULT_ROOT,
) -> Assessment:
    title = check_text(title, field="assessment.title", max_len=column_length(Assessment.title))
    period = check_text(period, field="assessment.period", max_len=column_length(Assessment.period))
    factory = session.get(Factory, factory_id)
    if factory is None:
        raise NotFound(f"找不到工厂 #{factory_id} / factory {factory_id} not found")
    resolve(maturity_edition, "maturity", root)
    resolve(tier_edition, "smart_factory", root)
    resolve(scenario_catalogue, "scenarios", root)
    resolve(declarations_edition, "declarations", root)
    a = Assessment(
        factory_id=factory_id,
        maturity_edition=maturity_edition,
        tier_edition=tier_edition,
        scenario_catalogue=scenario_catalogue,
        declarations_edition=declarations_edition,
        industry_type=industry_type or factory.industry_type,
        title=title or f"{factory.name} 自评估",
        period=period,
        created_by=actor,
        updated_by=actor,
    )
    session.add(a)
    session.flush()
    audit(
        session,
        actor,
        "create",
        "assessment",
        a.id,
        {"maturity_edition": maturity_edition, "tier_edition": tier_edition, "declarations_edition": declarations_edition},
    )
    return a


def get_assessment(assessment_id: int, *, session: Session) -> Assessment:
    a = session.get(
        Assessment,
        assessment_id,
        options=[
            selectinload(Assessment.answers),
            selectinload(Assessment.scenarios),
            selectinload(Assessment.kpis),
            selectinload(Assessment.evidence),
        ],
    )
    if a is None:
        raise NotFound(f"找不到评估 #{assessment_id} / assessment {assessment_id} not found")
    return a


def answers_of(a: Assessment) -> dict[str, Answer]:
    return {x.requirement_id: x for x in a.answers}


def _check_version(a: Assessment, expected_version: int | None) -> None:
    if expected_version is not None and a.version != expected_version:
        when = a.updated_at.strftime("%Y-%m-%d %H:%M:%S") if a.updated_at else "?"
        raise ConcurrentEditError(
            f"此评估已被 {a.updated_by or '他人'} 于 {when} 修改（版本 {a.version}，您加载的是 {expected_version}），请刷新后再保存 / "
            f"this assessment was changed by {a.updated_by or 'someone else'} at {when} (version {a.version}, "
            f"you loaded {expected_version}); reload before saving"
        )


def _touch(a: Assessment, actor: str | None, session: Session) -> int:
    a.updated_by = actor
    a.updated_at = utcnow()
    try:
        session.flush()  # UPDATE … WHERE version = loaded version; bumps the version
    except StaleDataError:
        raise VersionRace("此评估已被他人同时修改，请重试 / the assessment was changed concurrently; try again") from None
    return a.version


def save_answers(
    assessment_id: int,
    changes: dict[str, dict],
    *,
    session: Session,
    expected_version: int | None = None,
    expected: dict[str, tuple[str | None, str | None]] | None = None,
    actor: str | None = None,
    root: Path = DEFAULT_ROOT,
    action: str = "save_answers",
) -> int:
    """Apply ``{requirement id: {"grade": …, "note": …}}`` changes; return the new version.

    The one save path for answers (a click, an import, a bulk action, a conflict resolved by the user). Two guards:
    ``expected_version`` refuses any change to the assessment since it was loaded; ``expected`` gives, per requirement,
    the ``(grade, note)`` the user saw, and refuses with :class:`EditConflict` (naming who changed what) when one of
    those answers is stored differently now, so changes by others to *other* answers never block a save.
    """
    changes = {
        rid: {**c, "note": check_text(c["note"], field="answer.note", max_len=NOTE_MAX, multiline=True)}
        if isinstance(c, dict) and "note" in c
        else c
        for rid, c in changes.items()
    }
    a = get_assessment(assessment_id, session=session)
    _check_version(a, expected_version)
    ed = load_maturity_cached(a.maturity_edition, root)
    applicable = {r.id for r in ed.applicable_requirements(a.industry_type)}
    current = answers_of(a)
    if expected:
        stale = [
            Change(
                rid,
                _stored(current.get(rid)),
                current[rid].updated_by if rid in current else None,
                current[rid].updated_at if rid in current else None,
            )
            for rid, seen in expected.items()
            if _stored(current.get(rid)) != (seen[0], seen[1] or None)
        ]
        if stale:
            raise _conflict(
                "此要求的答案" if len(stale) == 1 else f"{len(stale)} 项答案",
                "this answer" if len(stale) == 1 else f"{len(stale)} answers",
                stale,
            )
    changed = []
    for rid, change in changes.items():
        if rid not in applicable:
            raise ValueError(
                f"要求 {rid!r} 不适用于此评估（{a.maturity_edition}，{a.industry_type}） / requirement {rid!r} does not apply "
                f"to this assessment ({a.maturity_edition}, {a.industry_type})"
            )
        grade = (
            normalise_grade(change.get("grade"), ed, rid)
            if "grade" in change
            else (current[rid].grade if rid in current else None)
        )
        note = change.get("note", current[rid].note if rid in current else None)
        row = current.get(rid)
        if row is None:
            row = Answer(requirement_id=rid)
            a.answers.append(row)
        if row.grade == grade and row.note == note and row.id is not None:
            continue
        row.grade, row.note, row.updated_by, row.updated_at = grade, note, actor, utcnow()
        changed.append(rid)
    if not changed:
        return a.version
    version = _touch(a, actor, session)
    audit(session, actor, action, "assessment", a.id, {"requirements": changed[:50], "count": len(changed), "version": version})
    return version


def _stored(row: Answer | None) -> tuple[str | None, str | None]:
    return (row.grade, row.note or None) if row is not None else (None, None)


def _optional_bool(value, what: str) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    raise ValueError(f"{what} 须为 是/否/空 / must be true, false or empty")


def scenario_state(a: Assessment) -> list[dict]:
    """The stored scenario instances in the form the scenarios page shows and :func:`set_scenarios` takes."""
    return [
        {
            "scenario": x.scenario_id,
            "name": x.name or None,
            "ai": bool(x.ai),
            "link": x.link or None,
            "supply_chain": x.supply_chain,
        }
        for x in a.scenarios
    ]


def kpi_state(a: Assessment) -> dict[str, dict]:
    """The stored KPI values in the form :func:`set_kpis` takes."""
    return {k.kpi_id: {"value": k.value, "period": k.period or None} for k in sorted(a.kpis, key=lambda k: k.kpi_id)}


def _last_change(session: Session, assessment_id: int, action: str) -> Change:
    row = session.scalar(
        select(AuditLog)
        .where(AuditLog.entity == "assessment", AuditLog.entity_id == str(assessment_id), AuditLog.action == action)
        .order_by(AuditLog.id.desc())
        .limit(1)
    )
    return Change(action, None, row.actor if row else None, row.at if row else None)


def previous_assessment(assessment_id: int, *, session: Session) -> Assessment | None:
    """The factory's most recent other assessment created before this one (archived ones count: they hold answers)."""
    a = get_assessment(assessment_id, session=session)
    return session.scalar(
        select(Assessment)
        .where(Assessment.factory_id == a.factory_id, Assessment.id != a.id, Assessment.created_at <= a.created_at)
        .order_by(Assessment.created_at.desc(), Assessment.id.desc())
        .limit(1)
    )


def copy_plan(target_id: int, source_id: int, *, session: Session) -> dict[str, tuple[str | None, str | None]]:
    """What copying would write: the source's answers (grade, note) for requirements of the same edition that are
    not yet answered here. Answers given here are never overwritten."""
    target, source = get_assessment(target_id, session=session), get_assessment(source_id, session=session)
    if source.factory_id != target.factory_id:
        raise ValueError("只能从同一工厂的评估复制 / answers can be copied only from the same factory's assessments")
    if source.maturity_edition != target.maturity_edition or source.industry_type != target.industry_type:
        raise ValueError(
            f"上一次评估使用 {source.maturity_edition}（{source.industry_type}），本评估使用 {target.maturity_edition}"
            f"（{target.industry_type}），条款不同，无法直接复制 / the previous assessment uses {source.maturity_edition} "
            f"({source.industry_type}), this one {target.maturity_edition} ({target.industry_type}): the requirements differ"
        )
    here = answers_of(target)
    return {
        x.requirement_id: (x.grade, x.note or None)
        for x in source.answers
        if (x.grade is not None or x.note) and _stored(here.get(x.requirement_id)) == (None, None)
    }


def copy_from_assessment(
    target_id: int, source_id: int, *, session: Session, actor: str | None = None, root: Path = DEFAULT_ROOT
) -> tuple[int, int]:
    """Copy answers, notes, N/A reasons and evidence links from an earlier assessment of the same factory into the
    unanswered requirements of this one (through :func:`save_answers`); returns (answers copied, evidence links added)."""
    plan = copy_plan(target_id, source_id, session=session)
    if plan:
        save_answers(
            target_id,
            {rid: {"grade": g, "note": n} for rid, (g, n) in plan.items()},
            session=session,
            expected={rid: (None, None) for rid in plan},
            actor=actor,
            root=root,
            action="copy_answers",
        )
    target, source = get_assessment(target_id, session=session), get_assessment(source_id, session=session)
    have = {(v.requirement_id, v.sha256) for v in target.evidence}
    links = 0
    for v in source.evidence:
        if (v.requirement_id, v.sha256) not in have and (
            v.requirement_id is None or v.requirement_id in plan or v.requirement_id in answers_of(target)
        ):
            session.add(
                Evidence(
                    assessment_id=target_id,
                    requirement_id=v.requirement_id,
                    sha256=v.sha256,
                    original_name=v.original_name,
                    uploaded_by=actor,
                )
            )
            have.add((v.requirement_id, v.sha256))
            links += 1
    session.flush()
    audit(
        session,
        actor,
        "copy_from_assessment",
        "assessment",
        target_id,
        {"source": source_id, "answers": len(plan), "evidence": links},
    )
    return len(plan), links


def set_scenarios(
    assessment_id: int,
    instances: Iterable[dict],
    *,
    session: Session,
    expected_version: int | None = None,
    expected: list[dict] | None = None,
    actor: str | None = None,
    root: Path = DEFAULT_ROOT,
) -> int:
    """Replace the scenario instances. ``expected`` is what the user saw (:func:`scenario_state`): when the stored
    instances differ now, :class:`EditConflict` names who changed them and nothing is saved."""
    from ..scenarios import load_catalogue

    a = get_assessment(assessment_id, session=session)
    _check_version(a, expected_version)
    if expected is not None and scenario_state(a) != expected:
        raise _conflict("场景实例", "the scenario instances", [_last_change(session, a.id, "set_scenarios")])
    cat = load_catalogue(a.scenario_catalogue, root)
    rows = []
    for i, inst in enumerate(instances):
        sid = inst["scenario"]
        if sid != "custom" and sid not in cat.scenarios:
            raise ValueError(f"场景 {sid!r} 不在 {cat.id} 中 / scenario {sid!r} is not in {cat.id}")
        if sid == "custom" and inst.get("link") not in cat.links:
            raise ValueError(f"第 {i + 1} 个自定义场景须选择 {cat.id} 的环节 / custom scenario {i + 1} needs a link of {cat.id}")
        rows.append(
            ScenarioRecord(
                scenario_id=sid,
                link=inst.get("link"),
                name=check_text(inst.get("name"), field="scenario.name", max_len=column_length(ScenarioRecord.name)),
                ai=bool(inst.get("ai")),
                ai_description=check_text(
                    inst.get("ai_description"), field="scenario.ai_description", max_len=NOTE_MAX, multiline=True
                ),
                supply_chain=_optional_bool(inst.get("supply_chain"), f"scenario {i + 1}: supply_chain"),
            )
        )
    if [
        {"scenario": r.scenario_id, "name": r.name or None, "ai": r.ai, "link": r.link or None, "supply_chain": r.supply_chain}
        for r in rows
    ] == scenario_state(a) and all(not r.ai_description for r in rows):
        return a.version  # nothing changed: no new version, no audit entry
    a.scenarios[:] = rows
    version = _touch(a, actor, session)
    audit(session, actor, "set_scenarios", "assessment", a.id, {"count": len(rows), "version": version})
    return version


def set_kpis(
    assessment_id: int,
    values: dict[str, dict],
    *,
    session: Session,
    expected_version: int | None = None,
    expected: dict[str, dict] | None = None,
    actor: str | None = None,
    root: Path = DEFAULT_ROOT,
) -> int:
    """Replace the KPI values. ``expected`` is what the user saw (:func:`kpi_state`); see :func:`set_scenarios`."""
    from ..declarations import load_declarations

    a = get_assessment(assessment_id, session=session)
    _check_version(a, expected_version)
    if expected is not None and kpi_state(a) != expected:
        raise _conflict("成效指标", "the KPI values", [_last_change(session, a.id, "set_kpis")])
    known = load_declarations(a.declarations_edition, root).kpis
    for kid, v in values.items():
        x = v.get("value")
        if x is not None and (isinstance(x, bool) or not isinstance(x, (int, float)) or not math.isfinite(x) or abs(x) > 1e12):
            raise ValueError(f"指标 {kid} 的数值无效：{str(x)[:40]} / KPI {kid}: not a finite number")
    new_state = {
        kid: {"value": float(v["value"]), "period": v.get("period") or None}
        for kid, v in sorted(values.items())
        if v.get("value") is not None
    }
    if new_state == kpi_state(a) and not any(v.get("baseline") is not None for v in values.values()):
        return a.version  # nothing changed
    existing = {k.kpi_id: k for k in a.kpis}
    keep = set()
    for kid, v in values.items():
        if kid not in known:
            raise ValueError(f"未知的成效指标 {kid!r} / unknown KPI {kid!r}")
        if v.get("value") is None:
            continue
        row = existing.get(kid)
        if row is None:  # update rows in place: a delete-then-insert would trip the unique constraint
            row = KpiRecord(kpi_id=kid)
            a.kpis.append(row)
        row.value, row.period, row.baseline = float(v["value"]), v.get("period"), v.get("baseline")
        keep.add(kid)
    for kid, row in existing.items():
        if kid not in keep:
            a.kpis.remove(row)
    version = _touch(a, actor, session)
    audit(session, actor, "set_kpis", "assessment", a.id, {"kpis": sorted(values), "version": version})
    return version


# -- build content and outcomes (建设内容, 建设成效) of the assessment's tier edition; the recommender's region --------


def build_facts_state(a: Assessment) -> dict[str, dict[str, bool]]:
    """The stored build content and outcomes in the form :func:`set_build_facts` takes (what a form shows)."""
    return {"build_content": dict(sorted((a.build_content or {}).items())), "outcomes": dict(sorted((a.outcomes or {}).items()))}


def set_build_facts(
    assessment_id: int,
    build_content: dict[str, bool | None],
    outcomes: dict[str, bool | None],
    *,
    session: Session,
    expected_version: int | None = None,
    expected: dict | None = None,
    actor: str | None = None,
    root: Path = DEFAULT_ROOT,
) -> int:
    """Replace the build content (``{item id: done?}``) and outcomes (``{outcome id: met?}``) of the assessment, ids
    of its tier edition; ``None`` (not given) is not stored. ``expected`` is what the user saw
    (:func:`build_facts_state`): when the stored facts differ now, :class:`EditConflict` names who changed them and
    nothing is saved."""
    from ..tiers import load_tier_edition

    a = get_assessment(assessment_id, session=session)
    _check_version(a, expected_version)
    if expected is not None and build_facts_state(a) != expected:
        raise _conflict("建设内容与建设成效", "the build content and outcomes", [_last_change(session, a.id, "set_build_facts")])
    edition = load_tier_edition(a.tier_edition, root)
    new = {}
    for what, given, known, zh, en in (
        ("build_content", build_content, {b.id for b in edition.data.build_content}, "建设内容", "build-content item"),
        ("outcomes", outcomes, {o.id for o in edition.data.outcomes}, "建设成效", "outcome"),
    ):
        if not isinstance(given, dict):
            raise ValueError(f"{zh}须为 {{编号: 是/否}} / {what} must be a mapping of id to true or false")
        for key, value in given.items():
            if key not in known:
                raise ValueError(
                    f"{zh} {str(key)[:60]!r} 不属于 {a.tier_edition} / {en} {str(key)[:60]!r} is not in {a.tier_edition}"
                )
            _optional_bool(value, f"{zh} {key}")
        new[what] = {k: v for k, v in sorted(given.items()) if v is not None}
    if new == build_facts_state(a):
        return a.version  # nothing changed: no new version, no audit entry
    before = build_facts_state(a)
    a.build_content, a.outcomes = new["build_content"], new["outcomes"]
    version = _touch(a, actor, session)
    changed = sorted(k for what in new for k in set(new[what]) | set(before[what]) if new[what].get(k) != before[what].get(k))
    audit(
        session,
        actor,
        "set_build_facts",
        "assessment",
        a.id,
        {"changed": changed[:50], "count": len(changed), "version": version},
    )
    return version


REGION_KINDS = ("province", "separately_planned_city", "bingtuan", "central_soe")
REGION_FACTS = ("kind", "cumulative_provincial_pilots", "iva_rank", "excellent_count")


def get_region(name: str | None, *, session: Session) -> Region | None:
    """The recommender's facts for an enterprise of province ``name`` (None when none are recorded)."""
    if not name:
        return None
    return session.scalar(select(Region).where(Region.name == name))


def region_state(row: Region | None) -> dict[str, Any]:
    return {k: getattr(row, k) for k in REGION_FACTS} if row is not None else {k: None for k in REGION_FACTS}


def set_region(name: str, *, session: Session, expected_version: int | None, actor: str | None = None, **facts) -> Region:
    """Record the quota facts of the recommending region ``name`` (the enterprises' ``province``): ``kind`` and the
    numbers the quotas read. ``expected_version`` is the version the form was shown with (0: no record yet); a
    record changed since then is refused with who and when. The facts are checked by the profile schema."""
    from pydantic import ValidationError

    from ..profile import Region as RegionFacts

    name = check_text(name, field="region.name", max_len=column_length(Region.name), required=True)
    unknown = set(facts) - set(REGION_FACTS)
    if unknown:
        raise ValueError(f"unknown region field {sorted(unknown)[0]!r}")
    row = get_region(name, session=session)
    seen = row.version if row is not None else 0
    if expected_version is not None and seen != expected_version:
        if row is None:
            raise _conflict(f"{name} 的推荐单位信息", f"the recommender facts of {name}", [Change("region", None, None, None)])
        raise _conflict(
            f"{name} 的推荐单位信息",
            f"the recommender facts of {name}",
            [Change("region", region_state(row), row.updated_by, row.updated_at)],
        )
    new = region_state(row) | facts
    if new["kind"] is None:
        new["kind"] = "province"
    try:
        RegionFacts.model_validate(new)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err["loc"])
        zh = {
            "kind": "推荐单位类型",
            "cumulative_provincial_pilots": "省级试点示范累计数量",
            "iva_rank": "工业增加值全国排名",
            "excellent_count": "卓越级智能工厂数量",
        }.get(field, field)
        raise ValueError(f"{zh}无效：{str(new.get(field))[:30]} / region.{field}: {err['msg']}") from None
    if row is not None and new == region_state(row):
        return row
    before = region_state(row)
    if row is None:
        row = Region(name=name)
        session.add(row)
    for k, v in new.items():
        setattr(row, k, v)
    row.updated_by, row.updated_at = actor, utcnow()
    try:
        session.flush()
    except StaleDataError:
        raise VersionRace("已被他人同时修改，请重试 / changed concurrently by someone else; try again") from None
    except IntegrityError:  # two first records of the same region at once
        raise VersionRace("已被他人同时修改，请重试 / changed concurrently by someone else; try again") from None
    audit(session, actor, "set_region", "region", name, {"before": before, "after": new, "version": row.version})
    return row


def set_status(assessment_id: int, status: str, *, session: Session, actor: str | None = None) -> None:
    if status not in STATUSES:
        raise ValueError(f"status must be one of {', '.join(STATUSES)}")
    a = get_assessment(assessment_id, session=session)
    old = a.status
    a.status = status
    _touch(a, actor, session)
    audit(session, actor, "set_status", "assessment", a.id, {"from": old, "to": status})


def add_evidence(
    assessment_id: int,
    requirement_id: str | None,
    name: str,
    data: bytes,
    *,
    session: Session,
    store: BlobStore,
    max_bytes: int,
    actor: str | None = None,
    root: Path = DEFAULT_ROOT,
) -> Evidence:
    """Check, store (once per content) and attach an evidence file; raises EvidenceRejected with a reason."""
    a = get_assessment(assessment_id, session=session)
    if requirement_id is not None:
        ed = load_maturity_cached(a.maturity_edition, root)
        if requirement_id not in ed.requirement_map:
            raise EvidenceRejected(f"未知的要求 {requirement_id!r} / unknown requirement {requirement_id!r}")
    checked = check_upload(name, data, max_bytes)
    store.put(checked.data, checked.sha256)  # the file first: a crash leaves an unreferenced blob, never a dangling row
    if session.get(EvidenceBlob, checked.sha256) is None:
        session.add(EvidenceBlob(sha256=checked.sha256, size=checked.size, mime=checked.mime))
    ev = Evidence(
        assessment_id=a.id, requirement_id=requirement_id, sha256=checked.sha256, original_name=checked.name, uploaded_by=actor
    )
    session.add(ev)
    session.flush()
    audit(
        session,
        actor,
        "add_evidence",
        "assessment",
        a.id,
        {"requirement": requirement_id, "sha256": checked.sha256, "name": checked.name, "size": checked.size},
    )
    return ev


def remove_evidence(evidence_id: int, *, session: Session, actor: str | None = None) -> None:
    """Detach an evidence file from its assessment (the stored content stays: it may be shared)."""
    ev = session.get(Evidence, evidence_id)
    if ev is None:
        raise NotFound(f"找不到证据文件 #{evidence_id} / evidence {evidence_id} not found")
    audit(
        session,
        actor,
        "remove_evidence",
        "assessment",
        ev.assessment_id,
        {"requirement": ev.requirement_id, "sha256": ev.sha256, "name": ev.original_name},
    )
    session.delete(ev)
    session.flush()


# -- digests and certificates ---------------------------------------------------------------------------------


def assessment_digest(a: Assessment) -> str:
    """sha256 over the editions and every answer, scenario, KPI, build-content item and outcome: what a certificate can
    point at."""
    doc: dict[str, Any] = {
        "maturity_edition": a.maturity_edition,
        "tier_edition": a.tier_edition,
        "industry": a.industry_type,
        "answers": sorted((x.requirement_id, x.grade) for x in a.answers if x.grade is not None),
        # the supply-chain switch joins an instance's tuple only when set, so digests of earlier data stay as they were
        "scenarios": sorted(
            (s.scenario_id, s.link or "", bool(s.ai)) + ((s.supply_chain,) if s.supply_chain is not None else ())
            for s in a.scenarios
        ),
        "kpis": sorted((k.kpi_id, k.value, k.period or "") for k in a.kpis),
    }
    # build content and outcomes join only when given, and the declarations edition only when it is not the one every
    # assessment had before it was recorded, so digests of earlier data stay as they were
    for key in ("build_content", "outcomes"):
        if getattr(a, key, None):
            doc[key] = dict(sorted(getattr(a, key).items()))
    if (a.declarations_edition or DECLARATIONS_EDITION) != DECLARATIONS_EDITION:
        doc["declarations_edition"] = a.declarations_edition
    return hashlib.sha256(json.dumps(doc, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def last_certificate_number(prefix: str, *, session: Session) -> str | None:
    """The highest certificate number starting with ``prefix`` (None when there is none)."""
    return session.scalar(
        select(Certificate.number).where(Certificate.number.like(prefix + "%")).order_by(Certificate.number.desc()).limit(1)
    )


def certificate_count(*, session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Certificate)) or 0


def get_certificate(number: str, *, session: Session) -> Certificate:
    cert = session.scalar(select(Certificate).where(Certificate.number == number))
    if cert is None:
        raise NotFound(f"找不到证书 {number} / certificate {number} not found")
    return cert


def revoke_certificate(number: str, reason: str, *, session: Session, actor: str | None = None) -> Revocation:
    reason = check_text(reason, field="revocation.reason", max_len=REASON_MAX, required=True)
    get_certificate(number, session=session)
    if session.scalar(select(Revocation).where(Revocation.number == number)):
        raise ValueError(f"证书 {number} 已被撤销 / certificate {number} is already revoked")
    rev = Revocation(number=number, reason=reason.strip(), revoked_by=actor)
    session.add(rev)
    session.flush()
    audit(session, actor, "revoke_certificate", "certificate", number, {"reason": reason})
    return rev


def revocation_list(*, session: Session) -> list[dict]:
    """Every revocation, oldest first, with the id of the key that signed the revoked certificate (``kid``): a
    signed list binds each entry to its issuer's key."""
    from ..signing import payload_kid

    rows = session.execute(
        select(Revocation, Certificate.payload).join(Certificate, Certificate.number == Revocation.number).order_by(Revocation.id)
    ).all()
    return [
        {
            "number": r.number,
            "kid": payload_kid(payload),
            "reason": r.reason,
            "revoked_at": r.revoked_at.isoformat(),
            "revoked_by": r.revoked_by,
        }
        for r, payload in rows
    ]
