"""Portable assessment bundles: export, validate, preview and import.

A bundle is a zip with ``assessment.json`` (facts, answers, scenarios, KPIs, build content and outcomes, the
evidence index with sha256 and a digest of the answers) and ``evidence/<sha256>`` files. Import validates the WHOLE bundle before it
writes anything: the zip, the JSON, a strict model of ``assessment.json``, every edition, requirement,
scenario, KPI and tier it names, every evidence file (present, same sha256, passes the upload check) and the
digest. Any problem is one :class:`BundleError` with a one-line bilingual message, and nothing is written:
no row and no evidence file. Files are stored only after validation; if the import still fails after that
(or the caller's transaction is rolled back), the files it created and nothing refers to are removed.

:func:`inspect_bundle` returns the validated content and what it matches in this installation (the enterprise
with the same credit code, that enterprise's factory with the same name), so the caller can ask whether to
``merge`` the assessment into the existing factory or import a ``copy`` (a new factory with a distinct name).
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Literal, get_args

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import Engine, event, select
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session

from ..answers import AnswersError, normalise_grade
from ..editions import DECLARATIONS_EDITION, DEFAULT_ROOT, load_maturity_cached, resolve
from ..profile import ProfileError, Tier, parse_profile
from . import repository as repo
from .evidence import BlobStore, EvidenceRejected, check_upload
from .orm import Answer, Assessment, Enterprise, EvidenceBlob, Factory, KpiRecord, ScenarioRecord, Status, utcnow
from .text import NOTE_MAX, check_text

BundleFormat = Literal["sfa-assessment-bundle/1"]
BUNDLE_FORMAT: str = get_args(BundleFormat)[0]
MODES = ("copy", "merge")
JSON_MAX = 5 * 1024 * 1024  # assessment.json: a few hundred kB for a complete assessment
MAX_MEMBERS = 5000
_EVIDENCE_MEMBER = re.compile(r"evidence/([0-9a-f]{64})")
_INT32 = 2**31 - 1


class BundleError(ValueError):
    """A bundle that cannot be imported; the message is one bilingual line (Chinese / English)."""


# -- the strict model of assessment.json -----------------------------------------------------------------------


def _checked(field: str, max_len: int, *, required: bool = False, multiline: bool = False, keep: bool = False):
    def check(value):
        out = check_text(value, field=field, max_len=max_len, required=required, multiline=multiline)
        return value if keep else out  # keep: part of the digest, stored as exported

    return AfterValidator(check)


def _iso_datetime(value: str) -> str:
    datetime.fromisoformat(value)  # ValueError names the problem
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False, frozen=True)


class EnterpriseDoc(_Strict):
    name: Annotated[str, _checked("enterprise.name", 200, required=True)]
    credit_code: Annotated[str | None, _checked("enterprise.credit_code", 18)] = None
    province: Annotated[str | None, _checked("enterprise.province", 40)] = None
    ownership: str | None = Field(default=None, max_length=20)  # the values are checked by the profile schema
    industry_group: str | None = Field(default=None, max_length=20)
    legal_person: bool | None = None
    above_scale: bool | None = None
    employees: int | None = Field(default=None, ge=0, le=_INT32)
    revenue_wan: float | None = Field(default=None, ge=0, le=1e12)
    standing: str | None = Field(default=None, max_length=30)
    compliance: dict[Annotated[str, Field(max_length=40)], bool | Annotated[str, Field(max_length=40)] | None] = Field(
        default_factory=dict, max_length=50
    )


class TierAwardDoc(_Strict):
    tier: Tier
    year: int = Field(ge=2024, le=2100)
    edition: str | None = Field(default=None, max_length=40)
    certificate_no: Annotated[str | None, _checked("tier_award.certificate_no", 80)] = None


class FactoryDoc(_Strict):
    name: Annotated[str, _checked("factory.name", 200, required=True)]
    industry_type: Literal["discrete", "process"]
    sub_sector: Annotated[str | None, _checked("factory.sub_sector", 40)] = None
    address: Annotated[str | None, _checked("factory.address", 300)] = None
    tier_awards: list[TierAwardDoc] = Field(default_factory=list, max_length=50)


class AssessmentDoc(_Strict):
    title: Annotated[str | None, _checked("assessment.title", 200)] = None
    maturity_edition: str = Field(max_length=40)
    tier_edition: str = Field(max_length=40)
    scenario_catalogue: str = Field(max_length=40)
    declarations_edition: str = Field(default=DECLARATIONS_EDITION, max_length=40)  # bundles written before it was recorded
    industry_type: Literal["discrete", "process"]
    status: Status = "draft"
    period: Annotated[str | None, _checked("assessment.period", 20)] = None


_GRADE_TEXT = re.compile(r"\s*([a-z/]{1,10}|[+-]?\d{1,6}(\.\d{1,6})?)\s*", re.IGNORECASE)


def _plain_grade(value):
    """A grade as a bundle writes it (an id such as ``full``, ``na``, or a plain number): never an exponent or a
    thousand digits, which would make the grade parser work for minutes."""
    if isinstance(value, str) and not _GRADE_TEXT.fullmatch(value):
        raise ValueError(f"答案等级无效：{value[:20]!r} / invalid grade {value[:20]!r}")
    if isinstance(value, (int, float)) and not -1e6 < value < 1e6:
        raise ValueError(f"答案等级无效：{str(value)[:20]} / invalid grade {str(value)[:20]}")
    return value


class AnswerDoc(_Strict):
    requirement_id: str = Field(max_length=80)
    grade: Annotated[Annotated[str, Field(max_length=10)] | int | float | None, AfterValidator(_plain_grade)] = None
    note: Annotated[str | None, _checked("answer.note", NOTE_MAX, multiline=True)] = None


class ScenarioDoc(_Strict):
    scenario: str = Field(min_length=1, max_length=40)
    link: str | None = Field(default=None, max_length=40)
    name: Annotated[str | None, _checked("scenario.name", 200)] = None
    ai: bool = False
    ai_description: Annotated[str | None, _checked("scenario.ai_description", NOTE_MAX, multiline=True)] = None
    supply_chain: bool | None = None  # 是否为供应链场景; absent or null: from the link


class KpiDoc(_Strict):
    value: float = Field(ge=-1e9, le=1e9)
    period: Annotated[str | None, _checked("kpi.period", 40, keep=True)] = None
    baseline: float | None = Field(default=None, ge=-1e9, le=1e9)


class EvidenceDoc(_Strict):
    requirement_id: str | None = Field(default=None, max_length=80)
    name: str = Field(min_length=1, max_length=255)  # checked with the file itself (check_upload)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    size: int = Field(ge=1, le=_INT32)
    mime: str = Field(max_length=100)


class BundleDoc(_Strict):
    format: BundleFormat
    exported_at: Annotated[str, Field(max_length=40), AfterValidator(_iso_datetime)]
    enterprise: EnterpriseDoc
    factory: FactoryDoc
    assessment: AssessmentDoc
    answers: list[AnswerDoc] = Field(max_length=5000)
    scenarios: list[ScenarioDoc] = Field(max_length=500)
    kpis: dict[Annotated[str, Field(max_length=40)], KpiDoc] = Field(max_length=200)
    evidence: list[EvidenceDoc] = Field(max_length=2000)
    digest: str = Field(pattern=r"^[0-9a-f]{64}$")
    # 建设内容 / 建设成效 of the tier edition (absent in bundles written before they were stored)
    build_content: dict[Annotated[str, Field(max_length=80)], bool] = Field(default_factory=dict, max_length=500)
    outcomes: dict[Annotated[str, Field(max_length=80)], bool] = Field(default_factory=dict, max_length=100)


# -- preview ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BundlePreview:
    """A validated bundle and what it matches here. ``enterprise_id`` is the existing enterprise the import will use
    (matched by credit code, or by name when the bundle has no credit code: ``enterprise_match_by``);
    ``factory_id`` is that enterprise's factory with the same name (``merge`` adds the assessment to it);
    ``copy_factory_name`` is the name a ``copy`` import gives the new factory."""

    doc: BundleDoc
    grades: dict[str, str | None]  # requirement id -> normalised grade
    files: dict[str, bytes]  # sha256 -> content, checked
    applicable: int  # requirements that apply to the assessment's edition and industry type
    enterprise_id: int | None
    enterprise_name: str | None  # the existing enterprise's name
    enterprise_match_by: Literal["credit_code", "name"] | None
    enterprise_archived: bool
    factory_id: int | None
    copy_factory_name: str
    merge_title: str  # the assessment title after a merge (distinct from the factory's other assessments)

    @property
    def answered(self) -> int:
        return sum(1 for g in self.grades.values() if g is not None)

    @property
    def evidence_bytes(self) -> int:
        return sum(len(b) for b in self.files.values())


def inspect_bundle(
    data: bytes, *, session: Session, max_bytes: int = 50 * 1024 * 1024, root: Path = DEFAULT_ROOT, today: date | None = None
) -> BundlePreview:
    """Validate the whole bundle (reads only) and say what it matches in this installation."""
    doc, files = _read(data, max_bytes)
    grades, applicable = _check_references(doc, files, max_bytes=max_bytes, root=root)
    return _preview(doc, grades, files, applicable, session, today or utcnow().date())


# -- import -------------------------------------------------------------------------------------------------------


def import_bundle(
    data: bytes,
    *,
    session: Session,
    store: BlobStore,
    mode: str = "copy",
    actor: str | None = None,
    max_bytes: int = 50 * 1024 * 1024,
    root: Path = DEFAULT_ROOT,
    today: date | None = None,
) -> Assessment:
    """Import a bundle as a new assessment. ``merge``: into the matching existing factory (or a new one);
    ``copy``: always into a new factory, named distinctly when the enterprise has a factory of that name.
    Refuses with :class:`BundleError` and writes nothing when anything in the bundle is wrong."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}")
    p = inspect_bundle(data, session=session, max_bytes=max_bytes, root=root, today=today)
    created: list[str] = []
    try:
        a = _write(p, mode, session=session, store=store, actor=actor, max_bytes=max_bytes, root=root, created=created)
    except BaseException as exc:
        _discard_unreferenced(store, created, session)
        if isinstance(exc, (IntegrityError, DataError)):
            raise BundleError(
                "数据库拒绝了导入（可能与刚保存的记录冲突），未作任何更改，请重试 / the database refused the import "
                "(it may conflict with a record saved meanwhile); nothing was changed, try again"
            ) from None
        if isinstance(exc, (ValueError, LookupError)) and not isinstance(exc, BundleError):
            raise _with_reason("导入失败，未作任何更改", "the import failed and nothing was changed", str(exc)) from None
        raise
    _discard_on_rollback(session, store, created)
    return a


def _write(
    p: BundlePreview,
    mode: str,
    *,
    session: Session,
    store: BlobStore,
    actor: str | None,
    max_bytes: int,
    root: Path,
    created: list[str],
) -> Assessment:
    doc = p.doc
    e = doc.enterprise
    if p.enterprise_id is not None:
        ent = session.get_one(Enterprise, p.enterprise_id)
    else:
        ent = repo.create_enterprise(
            session=session, actor=actor, compliance=dict(e.compliance), **{k: getattr(e, k) for k in repo.ENTERPRISE_FIELDS}
        )
    fd = doc.factory
    merged = mode == "merge" and p.factory_id is not None
    if merged:
        fac = session.get_one(Factory, p.factory_id)
        held = {(t.tier, t.year) for t in fac.tier_awards}
        awards = [t for t in fd.tier_awards if (t.tier, t.year) not in held]
        title: str | None = p.merge_title
    else:
        fac = repo.create_factory(
            ent.id,
            p.copy_factory_name,
            fd.industry_type,
            session=session,
            actor=actor,
            sub_sector=fd.sub_sector,
            address=fd.address,
        )
        awards, title = list(fd.tier_awards), doc.assessment.title
    for t in awards:
        repo.add_tier_award(
            fac.id, t.tier, t.year, session=session, actor=actor, edition=t.edition, certificate_no=t.certificate_no
        )
    ad = doc.assessment
    a = repo.create_assessment(
        fac.id,
        session=session,
        actor=actor,
        maturity_edition=ad.maturity_edition,
        tier_edition=ad.tier_edition,
        scenario_catalogue=ad.scenario_catalogue,
        declarations_edition=ad.declarations_edition,
        industry_type=ad.industry_type,
        title=title,
        period=ad.period,
        root=root,
    )
    v = repo.save_answers(
        a.id,
        {x.requirement_id: {"grade": p.grades[x.requirement_id], "note": x.note} for x in doc.answers},
        session=session,
        expected_version=a.version,
        actor=actor,
        root=root,
    )
    v = repo.set_scenarios(
        a.id, [s.model_dump() for s in doc.scenarios], session=session, expected_version=v, actor=actor, root=root
    )
    v = repo.set_kpis(
        a.id, {k: x.model_dump() for k, x in doc.kpis.items()}, session=session, expected_version=v, actor=actor, root=root
    )
    repo.set_build_facts(
        a.id, dict(doc.build_content), dict(doc.outcomes), session=session, expected_version=v, actor=actor, root=root
    )
    for ev in doc.evidence:  # the files last: nothing is stored before every row above was accepted
        existed = store.exists(ev.sha256)
        repo.add_evidence(
            a.id,
            ev.requirement_id,
            ev.name,
            p.files[ev.sha256],
            session=session,
            store=store,
            max_bytes=max_bytes,
            actor=actor,
            root=root,
        )
        if not existed and ev.sha256 not in created:
            created.append(ev.sha256)
    if repo.assessment_digest(repo.get_assessment(a.id, session=session)) != doc.digest:
        raise BundleError("导入后的答案与数据包的校验值不符 / the imported answers do not match the bundle's digest")
    repo.audit(
        session,
        actor,
        "import_bundle",
        "assessment",
        a.id,
        {
            "digest": doc.digest,
            "mode": mode,
            "merged_into_factory": fac.id if merged else None,
            "enterprise_matched_by": p.enterprise_match_by,
            "evidence": len(doc.evidence),
        },
    )
    return a


def _referenced(session: Session, shas: list[str]) -> set[str]:
    """Of ``shas``, those a committed row refers to (read on a connection of its own, outside this transaction)."""
    engine = session.get_bind()
    assert isinstance(engine, Engine)  # sessions here are bound to an engine
    with engine.connect() as conn:
        return set(conn.scalars(select(EvidenceBlob.sha256).where(EvidenceBlob.sha256.in_(shas))))


def _discard_unreferenced(store: BlobStore, created: list[str], session: Session) -> None:
    if not created:
        return
    try:
        keep = _referenced(session, created)
    except Exception:  # noqa: BLE001 - cannot tell: keeping a file is harmless, deleting a used one is not
        return
    for sha in created:
        if sha not in keep:
            store.discard(sha)


def _discard_on_rollback(session: Session, store: BlobStore, created: list[str]) -> None:
    """When the caller's transaction is rolled back instead of committed, remove the files this import created."""
    if not created:
        return
    state = {"done": False}

    def committed(_session):
        state["done"] = True

    def rolled_back(sess):
        if not state["done"]:
            state["done"] = True
            _discard_unreferenced(store, created, sess)

    event.listen(session, "after_commit", committed, once=True)
    event.listen(session, "after_rollback", rolled_back, once=True)


# -- export -------------------------------------------------------------------------------------------------------


def export_bundle(assessment_id: int, *, session: Session, store: BlobStore) -> bytes:
    """A zip: ``assessment.json`` (facts, answers, scenarios, KPIs, evidence index with sha256) + evidence files."""
    a = repo.get_assessment(assessment_id, session=session)
    f, e = a.factory, a.factory.enterprise
    doc = {
        "format": BUNDLE_FORMAT,
        "exported_at": utcnow().isoformat(),
        "enterprise": {**{k: getattr(e, k) for k in repo.ENTERPRISE_FIELDS}, "compliance": e.compliance or {}},
        "factory": {
            "name": f.name,
            "industry_type": f.industry_type,
            "sub_sector": f.sub_sector,
            "address": f.address,
            "tier_awards": [
                {"tier": t.tier, "year": t.year, "edition": t.edition, "certificate_no": t.certificate_no} for t in f.tier_awards
            ],
        },
        "assessment": {
            "title": a.title,
            "maturity_edition": a.maturity_edition,
            "tier_edition": a.tier_edition,
            "scenario_catalogue": a.scenario_catalogue,
            "declarations_edition": a.declarations_edition,
            "industry_type": a.industry_type,
            "status": a.status,
            "period": a.period,
        },
        "answers": [
            {"requirement_id": x.requirement_id, "grade": x.grade, "note": x.note}
            for x in sorted(a.answers, key=lambda x: x.requirement_id)
        ],
        "scenarios": [
            {"scenario": s.scenario_id, "link": s.link, "name": s.name, "ai": s.ai, "ai_description": s.ai_description}
            | ({"supply_chain": s.supply_chain} if s.supply_chain is not None else {})
            for s in a.scenarios
        ],
        "kpis": {k.kpi_id: {"value": k.value, "period": k.period, "baseline": k.baseline} for k in a.kpis},
        "evidence": [
            {
                "requirement_id": v.requirement_id,
                "name": v.original_name,
                "sha256": v.sha256,
                "size": v.blob.size,
                "mime": v.blob.mime,
            }
            for v in a.evidence
        ],
        "digest": repo.assessment_digest(a),
        "build_content": dict(sorted((a.build_content or {}).items())),
        "outcomes": dict(sorted((a.outcomes or {}).items())),
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("assessment.json", json.dumps(doc, ensure_ascii=False, indent=2))
        for sha in sorted({v.sha256 for v in a.evidence}):
            z.writestr(f"evidence/{sha}", store.get(sha))
    return buf.getvalue()


# -- validation -----------------------------------------------------------------------------------------------------


def _one_line(text: str, limit: int = 300) -> str:
    """User-controlled text in a message: one line, no control or bidi characters, bounded."""
    text = "".join(ch if ch.isprintable() else "\ufffd" for ch in text)
    return text if len(text) <= limit else text[:limit] + "…"


# where a "中文 / English" message splits: the rule of ui.i18n.halves (the app shows one half)
_BILINGUAL = re.compile(r" / |(?<=[）」』】”])/ ")


def _with_reason(zh: str, en: str, reason: str) -> BundleError:
    """``zh`` / ``en`` followed by a reason that is itself "中文 / English": each half of the message carries the
    reason in its own language (a reason in one language only is repeated in both)."""
    reason = _one_line(reason)
    m = _BILINGUAL.search(reason)
    zh_reason, en_reason = (reason[: m.start()], reason[m.end() :]) if m else (reason, reason)
    return BundleError(f"{zh}：{zh_reason} / {en}: {en_reason}")


def _show(value: object, limit: int = 60) -> str:
    return repr(_one_line(str(value), limit))


def _not_a_bundle(zh: str, en: str) -> BundleError:
    return BundleError(f"不是有效的评估数据包：{zh} / not an assessment bundle: {en}")


def _read(data: bytes, max_bytes: int) -> tuple[BundleDoc, dict[str, bytes]]:
    """The zip's ``assessment.json`` (validated against the model) and its evidence files by sha256."""
    if not isinstance(data, (bytes, bytearray)):
        raise _not_a_bundle("应为 .zip 文件的内容", "expected the bytes of a .zip file")
    if not data:
        raise _not_a_bundle("文件为空", "the file is empty")
    raw, files = _unzip(bytes(data), max_bytes)
    try:
        obj = json.loads(raw.decode("utf-8-sig"), parse_constant=_no_constant, object_pairs_hook=_no_duplicates)
    except RecursionError:
        raise _not_a_bundle("assessment.json 嵌套过深", "assessment.json is nested too deeply") from None
    except (ValueError, UnicodeDecodeError) as exc:  # JSONDecodeError, an integer of thousands of digits, NaN, …
        raise _not_a_bundle(
            "assessment.json 不是有效的 JSON", f"assessment.json is not valid JSON ({_one_line(str(exc), 120)})"
        ) from None
    if not isinstance(obj, dict):
        raise _not_a_bundle("assessment.json 不是 JSON 对象", "assessment.json is not a JSON object")
    if obj.get("format") != BUNDLE_FORMAT:
        raise BundleError(
            f"未知的数据包格式 {_show(obj.get('format'))}（应为 {BUNDLE_FORMAT}）/ "
            f"unknown bundle format {_show(obj.get('format'))}, expected {BUNDLE_FORMAT}"
        )
    try:
        doc = BundleDoc.model_validate(obj)
    except ValidationError as exc:
        raise BundleError(_explain(exc)) from None
    except RecursionError:
        raise _not_a_bundle("assessment.json 嵌套过深", "assessment.json is nested too deeply") from None
    return doc, files


def _no_constant(name: str):
    raise ValueError(f"{name} is not a number a bundle may hold")


def _no_duplicates(pairs: list[tuple[str, object]]) -> dict:
    out: dict = {}
    for k, v in pairs:
        if k in out:
            raise ValueError(f"duplicate key {_show(k, 40)}")
        out[k] = v
    return out


def _explain(exc: ValidationError) -> str:
    errors = exc.errors(include_url=False, include_input=False)
    err = errors[0]
    where = ".".join(_one_line(str(p), 40) for p in err["loc"] if not _UNION_TAG.search(str(p))) or "-"
    n = len(errors) - 1
    more_zh, more_en = (f"（另有 {n} 处问题）", f" (and {n} more)") if n else ("", "")
    if err["type"] == "value_error":  # our own check (check_text): already one bilingual line
        reason = _with_reason(
            f"数据包内容无效{more_zh}：{where}",
            f"invalid bundle content{more_en}: {where}",
            err["msg"].removeprefix("Value error, "),
        )
        return str(reason)
    zh, en = {"extra_forbidden": ("不允许的字段", "unknown field"), "missing": ("缺少此字段", "missing field")}.get(
        err["type"], ("类型或取值无效", err["msg"])
    )
    return f"数据包内容无效：{where}: {zh}{more_zh} / invalid bundle content: {where}: {_one_line(en, 200)}{more_en}"


# the member of a union pydantic names in an error's location ("constrained-str", "function-after[…]", "int")
_UNION_TAG = re.compile(r"^(constrained-)?(str|int|float|bool|none|dict\[.*|list\[.*)$|^function-|^nullable\[")


def _unzip(data: bytes, max_bytes: int) -> tuple[bytes, dict[str, bytes]]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            infos = z.infolist()
            if len(infos) > MAX_MEMBERS:
                raise _not_a_bundle(f"压缩包含 {len(infos)} 个文件，过多", f"{len(infos)} files in the zip, too many")
            unpacked = sum(i.file_size for i in infos)
            if unpacked > 20 * max_bytes + 10 * 1024 * 1024:  # a zip bomb, or far more than any real bundle
                raise BundleError(f"数据包解压后过大（{unpacked} 字节）/ the bundle unpacks to {unpacked} bytes, too large")
            names = [i.filename for i in infos]
            dup = next((n for n in names if names.count(n) > 1), None)
            if dup is not None:
                raise _not_a_bundle(f"{_show(dup)} 出现两次", f"the zip holds {_show(dup)} twice")
            raw, files = None, {}
            for info in infos:
                name = info.filename
                if info.is_dir():
                    if name != "evidence/":
                        raise _not_a_bundle(f"多余的文件夹 {_show(name)}", f"unexpected folder {_show(name)}")
                    continue
                m = _EVIDENCE_MEMBER.fullmatch(name)
                if name != "assessment.json" and m is None:
                    raise _not_a_bundle(
                        f"多余的文件 {_show(name)}（数据包只含 assessment.json 和 evidence/<sha256>）",
                        f"unexpected file {_show(name)} (a bundle holds assessment.json and evidence/<sha256>)",
                    )
                if info.flag_bits & 0x1:
                    raise _not_a_bundle(f"{_show(name)} 已加密", f"{_show(name)} is encrypted")
                if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                    raise _not_a_bundle(
                        f"{_show(name)} 的压缩方式不受支持（{info.compress_type}）",
                        f"{_show(name)} uses an unsupported compression method ({info.compress_type})",
                    )
                limit = JSON_MAX if m is None else max_bytes
                if info.file_size > limit:
                    raise BundleError(
                        f"数据包中的文件 {_show(name)} 过大（{info.file_size} 字节，上限 {limit}）/ "
                        f"the file {_show(name)} in the bundle is too large ({info.file_size} bytes, limit {limit})"
                    )
                content = z.read(info)
                if m is None:
                    raw = content
                else:
                    files[m.group(1)] = content
    except BundleError:
        raise
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        NotImplementedError,
        RuntimeError,
        ValueError,
        KeyError,
        IndexError,
        OverflowError,
        OSError,
        EOFError,
        zlib.error,
        struct.error,
    ) as exc:
        raise _not_a_bundle(
            "压缩包已损坏或不完整", f"the zip is damaged or truncated ({_one_line(str(exc), 120) or type(exc).__name__})"
        ) from None
    if raw is None:
        raise _not_a_bundle("缺少 assessment.json", "assessment.json is missing")
    return raw, files


def _check_references(
    doc: BundleDoc, files: dict[str, bytes], *, max_bytes: int, root: Path
) -> tuple[dict[str, str | None], int]:
    """Every edition, requirement, scenario, KPI, enterprise fact and evidence file the bundle names exists and
    agrees; the digest matches. Returns the normalised grades and the number of applicable requirements."""
    from ..declarations import load_declarations
    from ..scenarios import load_catalogue

    ad = doc.assessment
    for value, kind, where in (
        (ad.maturity_edition, "maturity", "assessment.maturity_edition"),
        (ad.tier_edition, "smart_factory", "assessment.tier_edition"),
        (ad.scenario_catalogue, "scenarios", "assessment.scenario_catalogue"),
        (ad.declarations_edition, "declarations", "assessment.declarations_edition"),
        *(
            (t.edition, "smart_factory", f"factory.tier_awards.{i}.edition")
            for i, t in enumerate(doc.factory.tier_awards)
            if t.edition is not None
        ),
    ):
        try:
            resolve(value, kind, root)
        except KeyError as exc:
            msg = _one_line(str(exc.args[0]))
            raise BundleError(f"数据包引用了本系统没有的版本：{where} = {_show(value)} / {where}: {msg}") from None
    try:
        parse_profile(
            {
                "enterprise": {k: v for k, v in doc.enterprise.model_dump().items() if k != "compliance" and v is not None},
                "compliance": dict(doc.enterprise.compliance),
            },
            "enterprise",
        )
    except ProfileError as exc:
        raise _with_reason("数据包中的企业信息无效", "invalid enterprise facts in the bundle", str(exc)) from None

    ed = load_maturity_cached(ad.maturity_edition, root)
    if ad.industry_type not in ed.industry_types():
        raise BundleError(
            f"行业类型 {ad.industry_type} 不适用于 {ad.maturity_edition} / industry type {ad.industry_type} "
            f"does not apply to {ad.maturity_edition}"
        )
    applicable = {r.id for r in ed.applicable_requirements(ad.industry_type)}
    grades: dict[str, str | None] = {}
    for i, x in enumerate(doc.answers):
        rid = x.requirement_id
        if rid in grades:
            raise BundleError(f"数据包中的要求 {_show(rid)} 出现两次 / requirement {_show(rid)} is answered twice (answers.{i})")
        if rid not in applicable:
            raise BundleError(
                f"要求 {_show(rid)} 不适用于此评估（{ad.maturity_edition}，{ad.industry_type}）/ requirement "
                f"{_show(rid)} does not apply to this assessment ({ad.maturity_edition}, {ad.industry_type})"
            )
        try:
            grades[rid] = normalise_grade(x.grade, ed, rid)
        except AnswersError as exc:
            raise BundleError(
                f"答案等级无效（answers.{i}）：{_one_line(exc.zh)} / invalid grade in answers.{i}: {_one_line(exc.en)}"
            ) from None

    cat = load_catalogue(ad.scenario_catalogue, root)
    for i, s in enumerate(doc.scenarios):
        if s.scenario != "custom" and s.scenario not in cat.scenarios:
            raise BundleError(
                f"场景 {_show(s.scenario)} 不在 {cat.id} 中 / scenario {_show(s.scenario)} (scenarios.{i}) is not in {cat.id}"
            )
        if (s.link is not None or s.scenario == "custom") and s.link not in cat.links:
            raise BundleError(
                f"场景 scenarios.{i} 的环节 {_show(s.link)} 不在 {cat.id} 中 / the link {_show(s.link)} of "
                f"scenarios.{i} is not in {cat.id}"
            )
    from ..tiers import load_tier_edition

    tier_ed = load_tier_edition(ad.tier_edition, root)
    for what, given, known in (
        ("build_content", doc.build_content, {b.id for b in tier_ed.data.build_content}),
        ("outcomes", doc.outcomes, {o.id for o in tier_ed.data.outcomes}),
    ):
        for key in given:
            if key not in known:
                raise BundleError(
                    f"{what} 中的 {_show(key)} 不属于 {ad.tier_edition} / {what}: {_show(key)} is not in {ad.tier_edition}"
                )
    known_kpis = load_declarations(ad.declarations_edition, root).kpis
    for kid in doc.kpis:
        if kid not in known_kpis:
            raise BundleError(f"未知的成效指标 {_show(kid)} / unknown KPI {_show(kid)}")

    listed = set()
    for i, ev in enumerate(doc.evidence):
        label = _show(ev.name)
        if ev.requirement_id is not None and ev.requirement_id not in ed.requirement_map:
            raise BundleError(
                f"证据文件 {label} 的要求 {_show(ev.requirement_id)} 不存在 / evidence {label} names the unknown "
                f"requirement {_show(ev.requirement_id)}"
            )
        blob = files.get(ev.sha256)
        if blob is None:
            raise BundleError(
                f"数据包缺少证据文件 {label}（{ev.sha256[:12]}…）/ evidence file {label} ({ev.sha256[:12]}…) "
                f"is missing from the bundle"
            )
        if ev.sha256 not in listed:
            if hashlib.sha256(blob).hexdigest() != ev.sha256 or len(blob) != ev.size:
                raise BundleError(
                    f"证据文件 {label} 与其 sha256 不符，数据包已被改动 / evidence file {label} does not match "
                    f"its sha256: the bundle was altered"
                )
        try:
            check_upload(ev.name, blob, max_bytes)
        except EvidenceRejected as exc:
            raise _with_reason(
                f"数据包中的证据文件 {label} 未通过检查", f"evidence file {label} in the bundle was refused", str(exc)
            ) from None
        listed.add(ev.sha256)
    extra = sorted(set(files) - listed)
    if extra:
        raise BundleError(
            f"数据包含有索引中未列出的文件 evidence/{extra[0][:12]}… / the bundle holds a file its index does "
            f"not list: evidence/{extra[0][:12]}…"
        )
    if _digest(doc, grades) != doc.digest:
        raise BundleError(
            "数据包的答案与其校验值不符，数据包已被改动 / the bundle's answers do not match its digest: the bundle was altered"
        )
    return grades, len(applicable)


def _digest(doc: BundleDoc, grades: dict[str, str | None]) -> str:
    """The digest the imported assessment will have, computed by the repository on an unsaved copy."""
    ad = doc.assessment
    a = Assessment(
        maturity_edition=ad.maturity_edition,
        tier_edition=ad.tier_edition,
        declarations_edition=ad.declarations_edition,
        industry_type=ad.industry_type,
    )
    a.answers = [Answer(requirement_id=rid, grade=g) for rid, g in grades.items()]
    a.scenarios = [ScenarioRecord(scenario_id=s.scenario, link=s.link, ai=s.ai) for s in doc.scenarios]
    a.kpis = [KpiRecord(kpi_id=k, value=float(v.value), period=v.period) for k, v in doc.kpis.items()]
    a.build_content, a.outcomes = dict(doc.build_content), dict(doc.outcomes)
    return repo.assessment_digest(a)


def _preview(
    doc: BundleDoc, grades: dict[str, str | None], files: dict[str, bytes], applicable: int, session: Session, today: date
) -> BundlePreview:
    e, fd = doc.enterprise, doc.factory
    ent: Enterprise | None = None
    match_by: Literal["credit_code", "name"] | None = None
    if e.credit_code:
        ent = session.scalar(select(Enterprise).where(Enterprise.credit_code == e.credit_code))
        match_by = "credit_code" if ent is not None else None
    else:
        for cand in session.scalars(
            select(Enterprise).where(Enterprise.name == e.name, Enterprise.credit_code.is_(None)).order_by(Enterprise.id)
        ):
            if getattr(cand, "archived_at", None) is None:
                ent, match_by = cand, "name"
                break
    fac = None
    if ent is not None:
        fac = next((f for f in ent.factories if f.name == fd.name and getattr(f, "archived_at", None) is None), None)
    taken_names = {f.name for f in ent.factories} if ent is not None else set()
    copy_name = _distinct(fd.name, taken_names, f"导入副本 {today.isoformat()}")
    title = doc.assessment.title or f"{fd.name} 自评估"
    merge_title = _distinct(title, {a.title for a in fac.assessments} if fac is not None else set(), f"导入 {today.isoformat()}")
    return BundlePreview(
        doc=doc,
        grades=grades,
        files=files,
        applicable=applicable,
        enterprise_id=ent.id if ent is not None else None,
        enterprise_name=ent.name if ent is not None else None,
        enterprise_match_by=match_by,
        enterprise_archived=ent is not None and getattr(ent, "archived_at", None) is not None,
        factory_id=fac.id if fac is not None else None,
        copy_factory_name=copy_name,
        merge_title=merge_title,
    )


def _distinct(name: str, taken: set[str], tag: str, max_len: int = 200) -> str:
    """``name``, or ``name（tag）``, ``name（tag #2）``, … the first not in ``taken``, within ``max_len`` characters."""
    if name not in taken:
        return name
    n = 1
    while True:
        suffix = f"（{tag}）" if n == 1 else f"（{tag} #{n}）"
        candidate = name[: max_len - len(suffix)] + suffix
        if candidate not in taken:
            return candidate
        n += 1


__all__ = [
    "BUNDLE_FORMAT",
    "MODES",
    "BundleDoc",
    "BundleError",
    "BundlePreview",
    "export_bundle",
    "import_bundle",
    "inspect_bundle",
]
