"""Assessment bundles on SQLite and PostgreSQL: a malformed bundle is one BundleError and changes nothing (no row, no
evidence file); a good one is previewed, then merged into the matching factory or imported as a distinct copy."""

from __future__ import annotations

import copy
import hashlib
import io
import json
import random
import re
import warnings
import zipfile
from datetime import date

import pytest
from PIL import Image
from sqlalchemy import func, select

from assessment.store import bundle as bundles
from assessment.store import repository as repo
from assessment.store.evidence import BlobStore
from assessment.store.orm import AuditLog, Base, EvidenceBlob, Factory
from ui.i18n import halves

CREDIT = "91330400MA2B000011"
R1, R2, R3 = "gbt39116_2020:data:L1:01", "gbt39116_2020:data:L1:02", "gbt39116_2020:data:L2:01"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ELF_PDF = b"%PDF-1.4\n\x7fELF\x02\x01\x01\x00" + b"\x00" * 200 + b"\n%%EOF\n"
MAX = 1024 * 1024
TODAY = date(2026, 11, 29)


def png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (4, 4), (0, 120, 200)).save(buf, "PNG")
    return buf.getvalue()


def seed(s, store: BlobStore, *, credit: str | None = CREDIT, ent_name: str = "测试企业") -> int:
    ent = repo.create_enterprise(
        session=s,
        actor="alice",
        name=ent_name,
        credit_code=credit,
        legal_person=True,
        employees=120,
        revenue_wan=3000.0,
        compliance={"good_credit": True, "worst_accident_3y": "none"},
    )
    fac = repo.create_factory(ent.id, "一号工厂", "discrete", session=s, actor="alice", sub_sector="专用")
    repo.add_tier_award(fac.id, "basic", 2024, session=s, edition="smart_factory/2024")
    a = repo.create_assessment(fac.id, session=s, actor="alice", period="2025")
    v = repo.save_answers(
        a.id,
        {R1: {"grade": 1, "note": "已建立\n见附件"}, R2: {"grade": "na"}, R3: {"grade": 0.5}},
        session=s,
        expected_version=a.version,
        actor="alice",
    )
    v = repo.set_scenarios(a.id, [{"scenario": "sg2025-s01", "name": "规划", "ai": True}], session=s, expected_version=v)
    repo.set_kpis(a.id, {"productivity_up": {"value": 12.5, "period": "2023-2025"}}, session=s, expected_version=v)
    repo.add_evidence(a.id, R1, "制度.pdf", PDF, session=s, store=store, max_bytes=MAX, actor="alice")
    repo.add_evidence(a.id, None, "现场.png", png(), session=s, store=store, max_bytes=MAX, actor="alice")
    return a.id


@pytest.fixture
def exported(Session, store):
    """(assessment id, bundle bytes) of a seeded assessment with answers, a scenario, a KPI, a tier and two files."""
    with Session.begin() as s:
        aid = seed(s, store)
    with Session() as s:
        return aid, bundles.export_bundle(aid, session=s, store=store)


@pytest.fixture
def target(tmp_path) -> BlobStore:
    """The importing installation's evidence folder (empty: anything a refused import leaves is visible)."""
    return BlobStore(tmp_path / "target")


def counts(session) -> dict[str, int]:
    return {t.name: session.scalar(select(func.count()).select_from(t)) for t in Base.metadata.sorted_tables}


def files_in(store: BlobStore) -> list[str]:
    return sorted(str(p.relative_to(store.root)) for p in store.root.rglob("*")) if store.root.exists() else []


def leftovers(session, store: BlobStore) -> list[str]:
    """Files in the store that no evidence row of the database refers to (and temporary files)."""
    known = set(session.scalars(select(EvidenceBlob.sha256)))
    return sorted(p.name for p in store.root.rglob("*") if p.is_file() and p.name not in known) if store.root.exists() else []


# -- building malformed bundles -------------------------------------------------------------------------------------


def unpack(data: bytes) -> tuple[dict, dict[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        doc = json.loads(z.read("assessment.json"))
        return doc, {n: z.read(n) for n in z.namelist() if n != "assessment.json"}


def pack(doc_or_raw: dict | bytes | None, files: dict[str, bytes], *, infos: list[tuple[zipfile.ZipInfo, bytes]] = ()) -> bytes:
    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Duplicate name" when a case writes a member twice on purpose
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            if doc_or_raw is not None:
                raw = doc_or_raw if isinstance(doc_or_raw, bytes) else json.dumps(doc_or_raw).encode()
                z.writestr("assessment.json", raw)
            for name, data in files.items():
                z.writestr(name, data)
            for info, data in infos:
                z.writestr(info, data)
    return buf.getvalue()


def edit(fn):
    """A case that changes the JSON document."""

    def make(data: bytes) -> bytes:
        doc, files = unpack(data)
        fn(doc)
        return pack(doc, files)

    return make


def raw_json(fn):
    """A case that writes assessment.json as given text (fn gets the JSON text of the real document)."""

    def make(data: bytes) -> bytes:
        doc, files = unpack(data)
        return pack(fn(doc).encode("utf-8") if isinstance(fn(doc), str) else fn(doc), files)

    return make


def placeholder(path: list, literal: str):
    """Put the JSON ``literal`` (e.g. an integer of 5000 digits, NaN) at ``path``: json.dumps cannot write it."""

    def text(doc: dict) -> str:
        obj = doc
        for key in path[:-1]:
            obj = obj[key]
        obj[path[-1]] = "@@PLACEHOLDER@@"
        return json.dumps(doc).replace('"@@PLACEHOLDER@@"', literal)

    return raw_json(text)


def files_edit(fn):
    """A case that changes the evidence files and/or their index."""

    def make(data: bytes) -> bytes:
        doc, files = unpack(data)
        fn(doc, files)
        return pack(doc, files)

    return make


def add_evidence(name: str, content: bytes, requirement: str | None = None):
    def fn(doc, files):
        sha = hashlib.sha256(content).hexdigest()
        doc["evidence"].append(
            {"requirement_id": requirement, "name": name, "sha256": sha, "size": len(content), "mime": "application/pdf"}
        )
        files[f"evidence/{sha}"] = content

    return files_edit(fn)


def set_at(path: list, value):
    def fn(doc):
        obj = doc
        for key in path[:-1]:
            obj = obj[key]
        obj[path[-1]] = value

    return edit(fn)


def encrypted(data: bytes) -> bytes:
    """Set the 'encrypted' flag of assessment.json in the zip's central directory."""
    out = bytearray(data)
    pos = out.find(b"PK\x01\x02")
    while pos != -1:
        name_len = int.from_bytes(out[pos + 28 : pos + 30], "little")
        if out[pos + 46 : pos + 46 + name_len] == b"assessment.json":
            out[pos + 8] |= 0x1
        pos = out.find(b"PK\x01\x02", pos + 4)
    return bytes(out)


def lzma_json(data: bytes) -> bytes:
    """assessment.json compressed with LZMA (zipfile reads it; a bundle uses deflate or nothing)."""
    info = zipfile.ZipInfo("assessment.json")
    info.compress_type = zipfile.ZIP_LZMA
    return pack(None, unpack(data)[1], infos=[(info, json.dumps(unpack(data)[0]).encode())])


def corrupt_json_member(data: bytes) -> bytes:
    """Flip a byte inside the compressed assessment.json: a CRC or inflate error."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        info = z.getinfo("assessment.json")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra) + 20
    out = bytearray(data)
    out[start] ^= 0xFF
    return bytes(out)


def nested(depth: int) -> dict:
    obj: dict = {}
    for _ in range(depth):
        obj = {"a": obj}
    return obj


def first_evidence_file(doc, files):
    return f"evidence/{doc['evidence'][0]['sha256']}"


# id, make(bundle) -> bytes, a fragment of the English half of the message
MALFORMED = [
    ("not a zip", lambda b: b"not a zip at all", "not an assessment bundle"),
    ("empty upload", lambda b: b"", "not an assessment bundle"),
    ("truncated zip", lambda b: b[: len(b) // 2], "not an assessment bundle"),
    ("zip missing its last bytes", lambda b: b[:-10], "not an assessment bundle"),
    ("text instead of bytes", lambda b: b.decode("latin-1"), "expected the bytes of a .zip file"),
    ("no assessment.json", lambda b: pack(None, unpack(b)[1]), "assessment.json is missing"),
    ("bad JSON", raw_json(lambda d: "{not json"), "assessment.json is not valid JSON"),
    ("JSON array", raw_json(lambda d: "[]"), "assessment.json is not a JSON object"),
    ("JSON not UTF-8", raw_json(lambda d: b'{"format": "\xff\xfe"}'), "assessment.json is not valid JSON"),
    ("duplicate JSON key", raw_json(lambda d: '{"format": "sfa-assessment-bundle/1", "format": "x"}'), "duplicate key"),
    ("deep nesting (100000 levels)", placeholder(["enterprise", "compliance"], "[" * 100000 + "]" * 100000), "nested too deeply"),
    ("deep nesting (300 levels)", set_at(["enterprise", "compliance"], nested(300)), "enterprise.compliance"),
    ("integer of 5000 digits", placeholder(["enterprise", "employees"], "1" + "0" * 5000), "not valid JSON"),
    ("huge integer", set_at(["enterprise", "employees"], 10**30), "enterprise.employees"),
    ("1e999 (infinite)", placeholder(["enterprise", "revenue_wan"], "1e999"), "enterprise.revenue_wan"),
    ("NaN", placeholder(["kpis", "productivity_up", "value"], "NaN"), "NaN is not a number a bundle may hold"),
    ("negative employees", set_at(["enterprise", "employees"], -5), "enterprise.employees"),
    ("unknown format", set_at(["format"], "sfa-assessment-bundle/9"), "unknown bundle format"),
    ("missing section", edit(lambda d: d.pop("answers")), "answers: missing field"),
    ("unknown top-level key", set_at(["macro"], "=cmd|' /C calc'!A0"), "macro: unknown field"),
    ("unknown nested key", set_at(["factory", "owner"], "x"), "factory.owner: unknown field"),
    ("string for integer", set_at(["enterprise", "employees"], "many"), "enterprise.employees"),
    ("float for integer", set_at(["enterprise", "employees"], 12.5), "enterprise.employees"),
    ("bool for integer", set_at(["factory", "tier_awards", 0, "year"], True), "factory.tier_awards.0.year"),
    ("string for bool", set_at(["enterprise", "legal_person"], "yes"), "enterprise.legal_person"),
    ("object for list", set_at(["answers"], {}), "answers"),
    ("string for object", set_at(["factory"], "一号工厂"), "factory"),
    ("list for string", set_at(["assessment", "title"], ["x"]), "assessment.title"),
    ("number for string", set_at(["enterprise", "name"], 42), "enterprise.name"),
    ("null for required", set_at(["factory", "industry_type"], None), "factory.industry_type"),
    ("list item of wrong type", edit(lambda d: d["answers"].append("full")), "answers.3"),
    ("NUL in enterprise name", set_at(["enterprise", "name"], "测试\x00企业"), "NUL"),
    ("NUL in answer note", set_at(["answers", 0, "note"], "已建立\x00"), "NUL"),
    ("RTL override in factory name", set_at(["factory", "name"], "一号工厂\u202egnp.exe"), "U+202E"),
    ("lone surrogate in title", set_at(["assessment", "title"], "评估\ud800"), "lone surrogate"),
    ("control character in KPI period", set_at(["kpis", "productivity_up", "period"], "2023\x1b2025"), "U+001B"),
    ("over-long enterprise name", set_at(["enterprise", "name"], "企" * 201), "too long: 201 characters, at most 200"),
    ("over-long note", set_at(["answers", 0, "note"], "说" * 2001), "too long: 2001 characters, at most 2000"),
    ("over-long province", set_at(["enterprise", "province"], "浙" * 41), "too long: 41 characters, at most 40"),
    ("invalid credit code", set_at(["enterprise", "credit_code"], "123"), "invalid enterprise facts"),
    ("unknown compliance fact", set_at(["enterprise", "compliance", "bribes_paid"], False), "unknown field"),
    ("bad ownership value", set_at(["enterprise", "ownership"], "martian"), "invalid enterprise facts"),
    ("unknown maturity edition", set_at(["assessment", "maturity_edition"], "maturity/1999"), "unknown edition"),
    ("edition of the wrong kind", set_at(["assessment", "tier_edition"], "maturity/2020"), "not a smart_factory edition"),
    ("unknown scenario catalogue", set_at(["assessment", "scenario_catalogue"], "scenarios/1999"), "unknown edition"),
    ("unknown tier award edition", set_at(["factory", "tier_awards", 0, "edition"], "smart_factory/1999"), "unknown edition"),
    ("unknown industry type", set_at(["assessment", "industry_type"], "hybrid"), "assessment.industry_type"),
    ("unknown status", set_at(["assessment", "status"], "approved"), "assessment.status"),
    ("exported_at not a date", set_at(["exported_at"], "yesterday"), "exported_at"),
    ("unknown requirement", set_at(["answers", 0, "requirement_id"], "gbt39116_2020:data:L9:99"), "does not apply"),
    ("requirement of another edition", set_at(["answers", 0, "requirement_id"], "gbt39116_wd2024:data:L1:01"), "does not apply"),
    ("requirement answered twice", edit(lambda d: d["answers"].append(dict(d["answers"][0]))), "answered twice"),
    ("grade 0.7", set_at(["answers", 0, "grade"], 0.7), "invalid grade"),
    (
        "grade 1e9999",
        set_at(["answers", 0, "grade"], "1e9999"),
        "answers.0.grade：答案等级无效：'1e9999' / invalid bundle content: answers.0.grade: invalid grade '1e9999'",
    ),
    ("grade 10 ** 9", set_at(["answers", 0, "grade"], 10**9), "answers.0.grade"),
    ("grade too long", set_at(["answers", 0, "grade"], "1" * 40), "answers.0.grade: String should have at most 10 characters"),
    ("unknown tier platinum", set_at(["factory", "tier_awards", 0, "tier"], "platinum"), "factory.tier_awards.0.tier"),
    ("tier year 1999", set_at(["factory", "tier_awards", 0, "year"], 1999), "factory.tier_awards.0.year"),
    ("unknown scenario", set_at(["scenarios", 0, "scenario"], "sg2025-s999"), "is not in scenarios/2025"),
    ("custom scenario without link", set_at(["scenarios", 0, "scenario"], "custom"), "is not in scenarios/2025"),
    ("unknown KPI", set_at(["kpis", "happiness"], {"value": 1.0, "period": None, "baseline": None}), "unknown KPI"),
    ("answers altered (digest)", set_at(["answers", 0, "grade"], "none"), "do not match its digest"),
    ("digest not hex", set_at(["digest"], "z" * 64), "digest"),
    ("evidence sha256 not hex", set_at(["evidence", 0, "sha256"], "../../etc/passwd"), "evidence.0.sha256"),
    ("missing evidence file", files_edit(lambda d, f: f.pop(first_evidence_file(d, f))), "is missing from the bundle"),
    (
        "altered evidence file",
        files_edit(lambda d, f: f.update({first_evidence_file(d, f): f[first_evidence_file(d, f)] + b"x"})),
        "does not match its sha256",
    ),
    (
        "evidence size altered",
        files_edit(lambda d, f: d["evidence"][0].update(size=d["evidence"][0]["size"] + 1)),
        "does not match its sha256",
    ),
    ("ELF disguised as PDF", add_evidence("制度2.pdf", ELF_PDF), "an executable follows the PDF header"),
    ("PDF header without its end", add_evidence("截断.pdf", PDF[:20]), "no %%EOF near the end"),
    ("PNG named .pdf", add_evidence("图.pdf", png()), "does not match the .pdf extension"),
    ("evidence name with RTL override", add_evidence("制度\u202efdp.exe.pdf", PDF + b" "), "bidirectional control character"),
    ("evidence name with a path", add_evidence("../../etc/x.pdf", PDF + b"  "), "must not contain a path"),
    ("evidence type not allowed", add_evidence("run.exe", b"MZ\x90\x00"), "is not allowed"),
    (
        "evidence for an unknown requirement",
        add_evidence("x.pdf", PDF + b"   ", "gbt39116_2020:data:L9:99"),
        "unknown requirement",
    ),
    ("file not in the index", files_edit(lambda d, f: f.update({"evidence/" + "ab" * 32: PDF})), "does not list"),
    ("unexpected member", files_edit(lambda d, f: f.update({"run.sh": b"rm -rf /"})), "unexpected file"),
    ("member outside evidence/", files_edit(lambda d, f: f.update({"evidence/../../x": b"x"})), "unexpected file"),
    (
        "assessment.json twice",
        lambda b: pack(unpack(b)[0], unpack(b)[1], infos=[(zipfile.ZipInfo("assessment.json"), b"{}")]),
        "twice",
    ),
    ("encrypted member", encrypted, "is encrypted"),
    ("unsupported compression", lzma_json, "unsupported compression"),
    ("corrupted compressed data", corrupt_json_member, "not an assessment bundle"),
    ("zip bomb", lambda b: pack(unpack(b)[0], {"evidence/" + "ef" * 32: b"\0" * (31 * MAX)}), "too large"),
    ("assessment.json of 6 MB", raw_json(lambda d: json.dumps(d) + " " * (6 * MAX)), "too large"),
]


def test_table_is_large_enough():
    assert len(MALFORMED) >= 25 and len({c[0] for c in MALFORMED}) == len(MALFORMED)


@pytest.mark.parametrize("make, fragment", [pytest.param(m, f, id=i) for i, m, f in MALFORMED])
def test_malformed_bundle_refused_and_nothing_changes(Session, target, exported, make, fragment):
    _, good = exported
    bad = make(good)
    with Session() as s:
        before = counts(s)
    for call in (
        lambda s: bundles.inspect_bundle(bad, session=s, max_bytes=MAX),
        lambda s: bundles.import_bundle(bad, session=s, store=target, max_bytes=MAX, actor="bob"),
        lambda s: bundles.import_bundle(bad, session=s, store=target, max_bytes=MAX, mode="merge"),
    ):
        with pytest.raises(bundles.BundleError) as exc:
            with Session.begin() as s:
                call(s)
        message = str(exc.value)
        assert fragment in message, message
        assert "\n" not in message and "/ " in message and any("\u4e00" <= ch <= "\u9fff" for ch in message), message
        assert exc.value.__class__ is bundles.BundleError
    with Session() as s:
        assert counts(s) == before
    assert files_in(target) == []


def leaf_paths(obj, path=()):
    if isinstance(obj, dict):
        yield path  # the container itself
        for k, v in obj.items():
            yield from leaf_paths(v, path + (k,))
    elif isinstance(obj, list):
        yield path
        for i, v in enumerate(obj):
            yield from leaf_paths(v, path + (i,))
    else:
        yield path


def wrong_type(value):
    if isinstance(value, bool) or value is None:
        return {"unexpected": [1, 2]}
    if isinstance(value, (int, float)):
        return "12"
    if isinstance(value, str):
        return [value]
    return "not a container"


def test_wrong_types_everywhere(Session, target, exported):
    """Every value of the document, replaced in turn by a value of the wrong type: each is refused."""
    _, good = exported
    doc, files = unpack(good)
    paths = [p for p in leaf_paths(doc) if p]
    assert len(paths) > 60
    with Session() as s:
        before = counts(s)
    for path in paths:
        bad_doc = copy.deepcopy(doc)
        obj = bad_doc
        for key in path[:-1]:
            obj = obj[key]
        obj[path[-1]] = wrong_type(obj[path[-1]])
        with pytest.raises(bundles.BundleError):
            with Session.begin() as s:
                bundles.import_bundle(pack(bad_doc, files), session=s, store=target, max_bytes=MAX)
    with Session() as s:
        assert counts(s) == before
    assert files_in(target) == []


def test_random_damage_is_refused_or_imported_never_a_crash(Session, target, exported):
    """Bytes of a good bundle flipped at random: a BundleError, or an import that is then rolled back and leaves
    no file behind: never another exception."""
    _, good = exported
    rng = random.Random(8)
    with Session() as s:
        before = counts(s)
    outcomes = {"refused": 0, "imported": 0}
    for _ in range(120):
        bad = bytearray(good)
        for _ in range(rng.choice((1, 1, 2, 8))):
            bad[rng.randrange(len(bad))] = rng.randrange(256)

        class RollBack(Exception):
            pass

        try:
            with Session.begin() as s:
                bundles.import_bundle(bytes(bad), session=s, store=target, max_bytes=MAX)
                outcomes["imported"] += 1
                raise RollBack
        except bundles.BundleError:
            outcomes["refused"] += 1
        except RollBack:
            pass
    assert outcomes["refused"] > 50
    with Session() as s:
        assert counts(s) == before
        assert leftovers(s, target) == []


# -- good bundles: preview, copy, merge -------------------------------------------------------------------------------


def test_preview_names_the_matching_enterprise_and_factory(Session, exported):
    aid, data = exported
    with Session() as s:
        p = bundles.inspect_bundle(data, session=s, today=TODAY)
        a = repo.get_assessment(aid, session=s)
        assert p.enterprise_id == a.factory.enterprise_id and p.enterprise_match_by == "credit_code"
        assert p.enterprise_name == "测试企业" and not p.enterprise_archived
        assert p.factory_id == a.factory_id
        assert p.copy_factory_name == "一号工厂（导入副本 2026-11-29）"
        assert p.merge_title == "一号工厂 自评估（导入 2026-11-29）"
        assert p.doc.factory.name == "一号工厂" and p.doc.assessment.period == "2025"
        assert p.answered == 3 and p.grades == {R1: "full", R2: "na", R3: "partial"}
        assert p.applicable == 200 and len(p.doc.scenarios) == 1 and list(p.doc.kpis) == ["productivity_up"]
        assert len(p.files) == 2 and p.evidence_bytes == len(PDF) + len(png())
        assert p.doc.digest == repo.assessment_digest(a)
        assert counts(s)["audit_log"] > 0


def test_copy_creates_distinct_factories(Session, store, target, exported):
    aid, data = exported
    with Session.begin() as s:
        first = bundles.import_bundle(data, session=s, store=target, actor="bob", today=TODAY)
        second = bundles.import_bundle(data, session=s, store=target, actor="bob", today=TODAY)
        ids = first.id, second.id
    with Session() as s:
        src = repo.get_assessment(aid, session=s)
        a1, a2 = (repo.get_assessment(i, session=s) for i in ids)
        assert a1.factory.enterprise_id == a2.factory.enterprise_id == src.factory.enterprise_id  # matched by credit code
        names = [f.name for f in src.factory.enterprise.factories]
        assert names == ["一号工厂", "一号工厂（导入副本 2026-11-29）", "一号工厂（导入副本 2026-11-29 #2）"]
        for a in (a1, a2):
            assert repo.assessment_digest(a) == repo.assessment_digest(src)
            assert repo.answers_of(a)[R1].note == "已建立\n见附件"
            assert [(t.tier, t.year, t.edition) for t in a.factory.tier_awards] == [("basic", 2024, "smart_factory/2024")]
            assert sorted(e.original_name for e in a.evidence) == ["制度.pdf", "现场.png"]
            assert a.factory.sub_sector == "专用" and a.period == "2025" and a.created_by == "bob"
        assert target.get(hashlib.sha256(PDF).hexdigest()) == PDF
        audit = s.scalar(select(AuditLog).where(AuditLog.action == "import_bundle").order_by(AuditLog.id))
        assert audit.detail["mode"] == "copy" and audit.detail["enterprise_matched_by"] == "credit_code"


def test_merge_adds_the_assessment_to_the_existing_factory(Session, target, exported):
    aid, data = exported
    with Session.begin() as s:
        a = bundles.import_bundle(data, session=s, store=target, mode="merge", actor="bob", today=TODAY)
        bid = a.id
    with Session() as s:
        src, b = repo.get_assessment(aid, session=s), repo.get_assessment(bid, session=s)
        assert b.factory_id == src.factory_id and bid != aid
        assert [x.title for x in src.factory.assessments] == ["一号工厂 自评估", "一号工厂 自评估（导入 2026-11-29）"]
        assert len(src.factory.tier_awards) == 1  # the award it already holds is not added twice
        assert repo.assessment_digest(b) == repo.assessment_digest(src)
        assert s.scalar(select(func.count()).select_from(Factory)) == 1


def test_import_into_an_installation_without_the_enterprise(Session, target, exported, tmp_path):
    """Another installation: nothing matches, so enterprise and factory are created with their own names."""
    from assessment.store.db import make_engine, session_factory, upgrade

    _, data = exported
    eng = make_engine(f"sqlite:///{tmp_path / 'other.db'}")
    upgrade(eng)
    Other = session_factory(eng)
    try:
        with Other() as s:
            p = bundles.inspect_bundle(data, session=s, today=TODAY)
            assert p.enterprise_id is None and p.enterprise_match_by is None and p.factory_id is None
            assert p.copy_factory_name == "一号工厂"
        for mode in ("merge", "copy"):
            with Other.begin() as s:
                a = bundles.import_bundle(data, session=s, store=target, mode=mode, today=TODAY)
                assert a.factory.enterprise.credit_code == CREDIT and a.factory.enterprise.compliance["good_credit"] is True
        with Other() as s:
            names = [f.name for f in s.scalars(select(Factory).order_by(Factory.id))]
            assert names == ["一号工厂", "一号工厂（导入副本 2026-11-29）"]  # the merge created it; the copy is distinct
    finally:
        eng.dispose()


def test_enterprise_without_credit_code_matches_by_name(Session, tmp_path):
    src_store = BlobStore(tmp_path / "src")
    with Session.begin() as s:
        aid = seed(s, src_store, credit=None, ent_name="无代码企业")
    with Session() as s:
        data = bundles.export_bundle(aid, session=s, store=src_store)
        p = bundles.inspect_bundle(data, session=s, today=TODAY)
        assert p.enterprise_match_by == "name" and p.enterprise_name == "无代码企业" and p.factory_id is not None


def test_caller_rollback_removes_the_files_the_import_created(Session, exported, tmp_path):
    """The files are written after validation; when the caller's transaction is rolled back, the files the import
    created go too, but a file a committed row refers to stays (here the two files of the seeded assessment)."""
    _, data = exported
    new = PDF + b"% a file only the bundle has\n"
    data = add_evidence("新制度.pdf", new)(data)
    fresh = BlobStore(tmp_path / "fresh")

    class Boom(Exception):
        pass

    with pytest.raises(Boom):
        with Session.begin() as s:
            bundles.import_bundle(data, session=s, store=fresh)
            assert fresh.exists(hashlib.sha256(new).hexdigest())
            raise Boom
    with Session() as s:
        assert leftovers(s, fresh) == []
        assert fresh.get(hashlib.sha256(PDF).hexdigest()) == PDF  # referenced by the seeded assessment's row
    assert not fresh.exists(hashlib.sha256(new).hexdigest())
    with Session.begin() as s:  # a committed import keeps its files
        bundles.import_bundle(data, session=s, store=fresh)
    assert fresh.get(hashlib.sha256(new).hexdigest()) == new


def test_bad_mode(Session, target, exported):
    _, data = exported
    with Session() as s:
        with pytest.raises(ValueError, match="mode must be one of copy, merge"):
            bundles.import_bundle(data, session=s, store=target, mode="replace")


# what the app shows is one half of "中文 / English" (ui.i18n.halves): each half must carry the reason, not only the
# outer "数据包内容无效" while the why sits in the other language's half
@pytest.mark.parametrize(
    "case, zh_reason, en_reason",
    [
        ("over-long enterprise name", "enterprise.name：企业名称过长：201 个字符，最多 200 个", "too long: 201 characters"),
        ("NUL in enterprise name", "企业名称不能包含", "must not contain"),
        ("ELF disguised as PDF", "文件内容不完整或可疑", "an executable follows the PDF header"),
        ("evidence name with RTL override", "文件名不能包含", "bidirectional control character"),
    ],
)
def test_each_language_half_says_why(Session, target, exported, case, zh_reason, en_reason):
    _, good = exported
    make = next(m for name, m, _ in MALFORMED if name == case)
    with pytest.raises(bundles.BundleError) as exc, Session.begin() as s:
        bundles.import_bundle(make(good), session=s, store=target, max_bytes=MAX)
    zh, en = halves(str(exc.value))
    assert zh_reason in zh and " / " not in zh, zh
    assert en_reason in en and not re.search(r"[\u4e00-\u9fff]", en.replace("制度", "")), en
