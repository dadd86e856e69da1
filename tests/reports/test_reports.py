"""Certificates, reports, exports and verification, rendered for real and read back (SQLite and PostgreSQL)."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys

import pytest
from paths import CRITERIA, OUTPUT, ROOT
from pypdf import PdfReader, PdfWriter

from assessment.config import Settings
from assessment.editions import load_maturity_cached
from assessment.services import certificates, demo
from assessment.signing import VerificationError, load_public_keys, public_pem, sign, verify
from assessment.store import repository as repo
from reports import service
from reports.batch import run_batch
from reports.render import RenderError, certificate_pdf, compile_pdf
from reports.verify import verify_certificate

POPPLER = shutil.which("pdftotext") is not None


@pytest.fixture
def settings(tmp_path):
    return Settings(data_dir=tmp_path / "data", criteria_dir=CRITERIA)


@pytest.fixture
def seeded(Session):
    with Session.begin() as s:
        ids = demo.load_demo(s)
    return ids  # latest assessments: levels 2, 3, 4


def pdf_text(pdf: bytes) -> str:
    if POPPLER:
        return subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)


def pdf_fonts(pdf: bytes) -> list[str]:
    out = subprocess.run(["pdffonts", "-"], input=pdf, capture_output=True, check=True).stdout.decode().splitlines()[2:]
    return [line for line in out if line.strip()]


def keys(settings):
    return service.public_keys(settings)


def test_certificate_fields_fonts_and_pages(Session, seeded, settings):
    with Session.begin() as s:
        cert = service.issue_certificate(seeded[2], session=s, settings=settings, actor="alice")
        pdf = service.render_certificate(cert, settings)
        fields = dict(cert.fields)
    (OUTPUT / "reports").mkdir(parents=True, exist_ok=True)
    (OUTPUT / "reports" / "certificate.pdf").write_bytes(pdf)
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 1
    text = "".join(pdf_text(pdf).split())
    from reports.render import official_date

    for value in (
        fields["no"],
        "示例·北方重型装备股份有限公司",
        "91120000MA050D0E03",
        "天津总装基地",
        "GB/T 39116-2020《智能制造能力成熟度模型》",
        "《智能工厂梯度培育要素条件（2025年版）》",
        "四级（优化级）",
        "卓越级",
        "自评估",
        official_date(fields["iss"], "zh"),
        official_date(fields["exp"], "zh"),
        f"S={fields['S']}",
    ):
        assert "".join(value.split()) in text, value
    assert fields["no"].startswith("SA-") and fields["kind"] == "self_assessed"
    if POPPLER:
        rows = pdf_fonts(pdf)
        assert rows and all(" yes yes " in r for r in rows), rows  # embedded and subset
        assert any("NotoSerifSC" in r for r in rows)
    assert b"/FontFile3" in pdf


def test_certified_differs_visibly_from_self_assessed(Session, seeded, settings):
    with Session.begin() as s:
        cert = certificates.issue_certificate(
            seeded[1], session=s, key=service.keystore(settings).create(), issuer="某省工业和信息化厅", kind="certified"
        )
        pdf = service.render_certificate(cert, settings)
    assert cert.number.startswith("CT-")
    text = pdf_text(pdf)
    assert "评估认定" in text and "自评估" not in text.replace("自评估结果", "")


def test_english_certificate(Session, seeded, settings):
    with Session.begin() as s:
        pdf = service.render_certificate(service.issue_certificate(seeded[0], session=s, settings=settings), settings, "en")
    text = pdf_text(pdf)
    assert "Certificate of Smart-Manufacturing" in text and "SELF-ASSESSED" in text and "Level 2" in text


def test_report_pages_sections_and_editions(Session, seeded, settings, store):
    with Session.begin() as s:  # an N/A answer with its reason and a piece of evidence, to be listed
        a = repo.get_assessment(seeded[2], session=s)
        ed = load_maturity_cached(a.maturity_edition, CRITERIA)
        ids = [r.id for r in ed.applicable_requirements(a.industry_type)]
        product_l5 = next(i for i in ids if ":product_service:L5:" in i)
        data_l1 = next(i for i in ids if ":data:L1:" in i)
        repo.save_answers(
            a.id,
            {product_l5: {"grade": "na", "note": "本厂产品不对外提供服务"}},
            session=s,
            expected_version=a.version,
        )
        repo.add_evidence(a.id, data_l1, "数据管理制度.pdf", b"%PDF-1.4\n%%EOF\n", session=s, store=store, max_bytes=1 << 20)
    with Session() as s:
        pdf = service.render_report(seeded[2], session=s, root=CRITERIA)
    (OUTPUT / "reports").mkdir(parents=True, exist_ok=True)
    (OUTPUT / "reports" / "report.pdf").write_bytes(pdf)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) >= 4
    for page in reader.pages:  # the standard on every page, by name (never an edition id)
        assert "GB/T 39116-2020" in page.extract_text() and "maturity/2020" not in page.extract_text()
    text = pdf_text(pdf)
    for heading in (
        "总体结果",
        "能力子域得分",
        "差距与升级路径",
        "智能工厂层级判定",
        "申报资格",
        "成效指标",
        "证据索引",
        "不适用项及理由",
        "条款来源说明",
    ):
        assert heading in text, heading
    assert "示例·北方重型装备股份有限公司" in text and "卓越级" in text
    flat = "".join(text.split())
    assert "本厂产品不对外提供服务" in flat and "数据管理制度.pdf" in flat
    import hashlib

    assert hashlib.sha256(b"%PDF-1.4\n%%EOF\n").hexdigest() in flat  # the evidence index carries the file hash
    if POPPLER:
        assert all(" yes yes " in r for r in pdf_fonts(pdf))


def test_signature_round_trip_and_one_byte_tamper(settings):
    from assessment.keystore import KeyStore

    key = KeyStore(settings.keys_dir).create()
    payload = sign({"no": "SA-2026-000009", "ent": "测试", "lvl": 3}, key)
    pubs = load_public_keys([public_pem(key)])
    assert verify(payload, pubs).fields["ent"] == "测试"
    prefix, body, sig = payload.split(".")
    for i in (5, len(body) // 2, len(body) - 3):  # change one character of the signed data
        changed = body[:i] + ("A" if body[i] != "A" else "B") + body[i + 1 :]
        with pytest.raises(VerificationError):
            verify(f"{prefix}.{changed}.{sig}", pubs)
    other = load_public_keys([public_pem(KeyStore(settings.data_dir / "other").create())])
    with pytest.raises(VerificationError, match="unknown key"):
        verify(payload, other)


def test_key_created_once_and_private(Session, seeded, settings):
    with Session.begin() as s:
        service.issue_certificate(seeded[0], session=s, settings=settings)
        k1 = service.signing_key(settings)
        service.issue_certificate(seeded[1], session=s, settings=settings)
    assert public_pem(k1) == public_pem(service.signing_key(settings))
    assert (settings.keys_dir / "signing-key.pem").stat().st_mode & 0o777 == 0o600
    assert settings.keys_dir.stat().st_mode & 0o777 == 0o700


def test_tampered_pdfs_are_detected(Session, seeded, settings):
    with Session.begin() as s:
        cert = service.issue_certificate(seeded[2], session=s, settings=settings)
        pdf = service.render_certificate(cert, settings)
        fields, payload = dict(cert.fields), cert.payload
    assert verify_certificate(pdf, keys(settings)).status == "valid"
    # 1. one printed field edited (the enterprise name), the signed payload left as it was
    forged = certificate_pdf(dict(fields, ent="某某伪造科技有限公司"), payload)
    res = verify_certificate(forged, keys(settings))
    assert res.status == "tampered" and any("某某伪造科技有限公司" in p for p in res.problems), res.problems
    forged = certificate_pdf(dict(fields, lvl=5), payload)
    assert verify_certificate(forged, keys(settings)).status == "tampered"
    # 2. the payload in the PDF changed by one byte
    writer = PdfWriter(clone_from=io.BytesIO(pdf))
    prefix, body, sig = payload.split(".")
    bad = f"{prefix}.{body[:-2]}{'x' if body[-2] != 'x' else 'y'}{body[-1]}.{sig}"
    writer.add_metadata({"/Keywords": bad})
    buf = io.BytesIO()
    writer.write(buf)
    assert verify_certificate(buf.getvalue(), keys(settings)).status in ("tampered", "invalid")
    # 3. any byte of the issued file changed (even outside the printed facts): the file seal no longer matches
    for pos in (len(pdf) // 3, len(pdf) // 2, 2 * len(pdf) // 3):
        b = bytearray(pdf)
        b[pos] ^= 0x01
        assert verify_certificate(bytes(b), keys(settings)).status in ("tampered", "invalid"), pos
    # 4. an edited second (XMP) copy of the payload: the copies disagree
    import re

    b = bytearray(pdf)
    starts = [m.start() for m in re.finditer(rb"SFA1\.", pdf)]
    assert len(starts) >= 2
    i = starts[-1] + 40
    b[i] = ord("A") if b[i] != ord("A") else ord("B")
    assert verify_certificate(bytes(b), keys(settings)).status == "tampered"
    # 5. without the seal (a re-saved file) the signed payload and the printed facts are still checked
    from assessment.signing import SEAL

    unsealed = pdf[: pdf.rfind(b"\n" + SEAL)]
    res = verify_certificate(unsealed, keys(settings))
    assert res.status == "valid" and not res.problems and any("no file seal" in n for n in res.notes)
    # 6. not a certificate at all
    assert verify_certificate(b"%PDF-1.4 nonsense", keys(settings)).status == "invalid"
    assert verify_certificate("hello", keys(settings)).status == "invalid"


def test_revocation(Session, seeded, settings):
    with Session.begin() as s:
        cert = service.issue_certificate(seeded[0], session=s, settings=settings)
        number, payload = cert.number, cert.payload
        repo.revoke_certificate(number, "证据不实", session=s, actor="reviewer")
        with pytest.raises(ValueError, match="already revoked"):
            repo.revoke_certificate(number, "again", session=s)
        with pytest.raises(LookupError):
            repo.revoke_certificate("SA-1999-000001", "x", session=s)
    with Session() as s:
        revoked = service.revoked_map(session=s, settings=settings)
        exported = repo.revocation_list(session=s)
    assert exported[0]["number"] == number and exported[0]["reason"] == "证据不实"
    res = verify_certificate(payload, keys(settings), revoked)
    assert res.status == "revoked" and "证据不实" in res.message


def test_certificate_numbers_are_sequential(Session, seeded, settings):
    with Session.begin() as s:
        numbers = [service.issue_certificate(a, session=s, settings=settings).number for a in seeded]
    assert [n.rsplit("-", 1)[1] for n in numbers] == ["000001", "000002", "000003"]
    code = service.signing_key(settings).public_key()
    from assessment.signing import key_id

    assert all(n.split("-")[2] == key_id(code)[:8].upper() for n in numbers)  # the issuer code, from the key


def test_workbook(Session, seeded, settings):
    import openpyxl

    with Session() as s:
        xlsx = service.workbook(seeded[2], session=s, root=CRITERIA)
        a = repo.get_assessment(seeded[2], session=s)
        applicable = len(load_maturity_cached(a.maturity_edition, CRITERIA).applicable_requirements(a.industry_type))
    wb = openpyxl.load_workbook(io.BytesIO(xlsx))
    assert wb.sheetnames == ["概要", "答案", "子域得分", "差距", "层级", "申报资格", "证据", "指标"]
    assert wb["答案"].max_row == applicable + 1 and wb["子域得分"].max_row == 21  # a header, then one row each
    assert wb["概要"]["B1"].value == "示例·北方重型装备股份有限公司"
    # the declaration drafts and the 推荐汇总表 are tested field by field in test_documents.py


def test_batch_renders_resumes_and_forces(Session, seeded, settings, tmp_path):
    out = tmp_path / "batch"
    stats = run_batch(out, Session=Session, settings=settings, reports=True, progress=None)
    assert stats.rendered == 3 and stats.skipped == 0 and not stats.failed
    manifests = {p.parent.name: json.loads(p.read_text()) for p in out.glob("*/manifest.json")}
    assert len(manifests) == 3 and all((out / f / "report.pdf").exists() for f in manifests)
    again = run_batch(out, Session=Session, settings=settings, reports=True, progress=None)
    assert again.rendered == 0 and again.skipped == 3
    (out / next(iter(manifests)) / "certificate.pdf").unlink()  # an interrupted run: one file missing
    resumed = run_batch(out, Session=Session, settings=settings, reports=True, progress=None)
    assert resumed.rendered == 1 and resumed.skipped == 2
    forced = run_batch(out, Session=Session, settings=settings, force=True, progress=None)
    assert forced.rendered == 3
    after = {p.parent.name: json.loads(p.read_text())["certificate"] for p in out.glob("*/manifest.json")}
    assert after == {k: v["certificate"] for k, v in manifests.items()}  # same certificates, not new numbers


CERT_DATA = {
    "bold_font": "Noto Sans CJK SC",
    "lang": "zh",
    "region": "cn",
    "colon": "：",
    "title_size": 26,
    "watermark_size": 64,
    "kind": "certified",
    "payload": "x",
    "header": "测试",
    "title": "测试",
    "badge": "x",
    "watermark": "x",
    "number_label": "x",
    "number": "x",
    "statement": "中文",
    "rows": [],
    "verify_note": "x",
    "issuer_label": "x",
    "issuer": "x",
    "key_label": "x",
    "key": "x",
    "digest_label": "x",
    "digest": "x",
    "footer": "x",
}
EMPTY_SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>'


def test_glyph_fallback_is_a_hard_error():
    compile_pdf("certificate.typ", dict(CERT_DATA, font="Noto Serif SC"), qr=EMPTY_SVG)  # the clean case renders
    with pytest.raises(RenderError, match="fell back"):  # U+2083 is not in Noto Serif SC: no silent substitute
        compile_pdf("certificate.typ", dict(CERT_DATA, font="Noto Serif SC", statement="CO₃ 中文"), qr=EMPTY_SVG)


def test_missing_font_is_a_hard_error():
    with pytest.raises(RenderError, match="warning"):
        compile_pdf("certificate.typ", dict(CERT_DATA, font="No Such Font SC"), qr=EMPTY_SVG)


def test_cli_verify_exit_codes(Session, seeded, settings, tmp_path, monkeypatch):
    with Session.begin() as s:
        cert = service.issue_certificate(seeded[1], session=s, settings=settings)
        pdf = service.render_certificate(cert, settings)
        payload = cert.payload
    f = tmp_path / "c.pdf"
    f.write_bytes(pdf)
    pem = tmp_path / "pub.pem"
    pem.write_text(public_pem(service.signing_key(settings)))
    rev = tmp_path / "rev.json"
    with Session() as s:
        rev.write_text(json.dumps(service.signed_revocation_list(session=s, settings=settings)))
    env = {"SFA_DATA_DIR": str(tmp_path / "elsewhere")}

    def cli(*args):
        import os

        return subprocess.run(
            [
                sys.executable,
                "-m",
                "assessment",
                "certificate",
                "verify",
                *args,
                "--public-key",
                str(pem),
                "--revocations",
                str(rev),
                "--json",
            ],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env={**os.environ, **env},
        )

    p = cli(str(f))
    assert p.returncode == 0 and json.loads(p.stdout)["status"] == "valid"
    p = cli(payload)
    assert p.returncode == 0, p.stdout + p.stderr
    with Session.begin() as s:
        repo.revoke_certificate(cert.number, "撤销测试", session=s)
    with Session() as s:
        rev.write_text(json.dumps(service.signed_revocation_list(session=s, settings=settings)))
    p = cli(str(f))
    assert p.returncode == 1 and json.loads(p.stdout)["status"] == "revoked"
    forged = tmp_path / "forged.pdf"
    forged.write_bytes(certificate_pdf(dict(cert.fields, S="4.99"), payload))
    p = cli(str(forged))
    assert p.returncode == 1 and json.loads(p.stdout)["status"] == "tampered"
    p = cli(str(tmp_path / "missing.pdf"))
    assert p.returncode == 2 and "no such file" in p.stderr


def test_qr_code_on_the_page_carries_the_signed_payload(Session, seeded, settings, tmp_path):
    """The page as poppler draws it (not pdfium, which verification uses) scans to exactly the signed payload."""
    import os

    import zxingcpp
    from PIL import Image

    if not POPPLER:
        if os.environ.get("CI"):
            pytest.fail("pdftoppm is required in CI (poppler-utils)")
        pytest.skip("pdftoppm not installed")
    with Session.begin() as s:
        cert = service.issue_certificate(seeded[1], session=s, settings=settings)
        pdf = service.render_certificate(cert, settings)
        payload = cert.payload
    (tmp_path / "c.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "200", str(tmp_path / "c.pdf"), str(tmp_path / "page")], check=True)
    codes = zxingcpp.read_barcodes(Image.open(tmp_path / "page-1.png"))
    assert [c.format for c in codes] == [zxingcpp.BarcodeFormat.QRCode]  # one code on the page, a QR code
    scanned = codes[0].text
    assert scanned == payload  # what a phone scans is exactly the signed payload
    res = verify_certificate(scanned, keys(settings))
    assert res.status == "valid" and res.fields["no"] == cert.number


def test_provenance_section_and_workbook_count_expert_reviews(Session, seeded, tmp_path):
    """The 条款来源说明 section and the workbook's 概要 count requirements by expert review status (a temporary copy of
    the criteria with two review records; the shipped criteria carry none)."""
    from openpyxl import load_workbook

    from assessment.review import record_reviews
    from assessment.schema import Review

    root = tmp_path / "criteria"
    shutil.copytree(CRITERIA, root)
    with Session() as s:
        a = repo.get_assessment(seeded[2], session=s)
        edition = a.maturity_edition
    ed = load_maturity_cached(edition, root)
    live = [r.id for r in ed.requirements if not r.withdrawn]
    record_reviews(
        edition,
        {
            live[0]: Review(status="approved", by="王工", date="2026-11-30"),
            live[1]: Review(status="changes_requested", by="王工", date="2026-11-30", comment="写明范围"),
            live[2]: Review(status="rejected", by="王工", date="2026-11-30", comment="重复"),
        },
        root,
    )
    n = len(live) - 3
    with Session() as s:
        zh = service.render_report(seeded[2], session=s, root=root)
        en = service.render_report(seeded[2], session=s, root=root, lang="en")
        xlsx = service.workbook(seeded[2], session=s, root=root)
    (OUTPUT / "reports").mkdir(parents=True, exist_ok=True)
    (OUTPUT / "reports" / "report-reviews.pdf").write_bytes(zh)
    flat = "".join(pdf_text(zh).split())
    assert f"专家审核：已通过1/需修改1/否决1/未审核{n}" in flat
    assert "要求条款来源构成" in flat
    assert f"Expert review: approved 1 / changes requested 1 / rejected 1 / not reviewed {n}" in " ".join(pdf_text(en).split())
    summary = {r[0]: r[1] for r in load_workbook(io.BytesIO(xlsx))["概要"].iter_rows(values_only=True)}
    assert summary["专家审核"] == f"已通过 1 / 需修改 1 / 否决 1 / 未审核 {n}"
    assert "自拟转述" in summary["要求条款来源构成"]
    with Session() as s:  # the shipped criteria: nothing reviewed
        flat = "".join(pdf_text(service.render_report(seeded[2], session=s, root=CRITERIA)).split())
    assert f"专家审核：已通过0/需修改0/否决0/未审核{len(live)}" in flat
