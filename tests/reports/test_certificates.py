"""Certificates that cannot be passed off: a battery of genuine, tampered, forged, QR-swapped, expired, revoked and
cross-installation certificates against ``python -m assessment certificate verify`` (exit 0 only for genuine ones),
keys and trust store, and the page itself (one page, official names and dates, in both languages)."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from paths import CRITERIA, ROOT
from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject, StreamObject

from assessment.config import Settings
from assessment.keystore import KeyStore
from assessment.services import certificates, demo
from assessment.signing import SEAL, key_id, payload_kid
from assessment.store import repository as repo
from assessment.store.db import make_engine, session_factory, upgrade
from reports import render, service
from reports.render import certificate_pdf, official_date
from reports.verify import page_qr_codes, verify_certificate

POPPLER = shutil.which("pdftotext") is not None


class Installation:
    """One installation as a user has it: a data directory with its SQLite database and keys, and the CLI on it."""

    def __init__(self, root: Path, name: str):
        self.dir = root / name
        self.settings = Settings(data_dir=self.dir, criteria_dir=CRITERIA, issuer_name=f"{name} 工业和信息化局 / {name} bureau")
        self.engine = make_engine(self.settings.db_url)
        upgrade(self.engine)
        self.Session = session_factory(self.engine)

    def seed(self) -> list[int]:
        with self.Session.begin() as s:
            return demo.load_demo(s)

    def issue(self, aid: int, **kw):
        with self.Session.begin() as s:
            if kw:
                cert = certificates.issue_certificate(
                    aid,
                    session=s,
                    key=certificates.issuing_key(self.settings, s),
                    issuer=self.settings.issuer_name,
                    root=CRITERIA,
                    **kw,
                )
            else:
                cert = service.issue_certificate(aid, session=s, settings=self.settings)
            return cert.number, cert.payload, dict(cert.fields)

    def render(self, number: str, lang: str = "zh") -> bytes:
        with self.Session() as s:
            return service.render_certificate(repo.get_certificate(number, session=s), self.settings, lang)

    def cli(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SFA_DATABASE_URL")}
        env["SFA_DATA_DIR"] = str(self.dir)
        env["SFA_ISSUER_NAME"] = self.settings.issuer_name
        return subprocess.run(
            [sys.executable, "-m", "assessment", *args], capture_output=True, text=True, cwd=ROOT, env=env, input=stdin
        )

    def verify(self, target: str | Path, *extra: str) -> tuple[int, dict]:
        p = self.cli("certificate", "verify", str(target), "--json", *extra)
        assert p.returncode in (0, 1), p.stderr
        return p.returncode, json.loads(p.stdout)


@pytest.fixture
def a(tmp_path):
    inst = Installation(tmp_path, "A")
    inst.ids = inst.seed()
    yield inst
    inst.engine.dispose()


@pytest.fixture
def b(tmp_path):
    inst = Installation(tmp_path, "B")
    inst.ids = inst.seed()
    yield inst
    inst.engine.dispose()


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def unsealed(pdf: bytes) -> bytes:
    return pdf[: pdf.rfind(b"\n" + SEAL)]


def resave(pdf: bytes, edit=None) -> bytes:
    """Open with pypdf, optionally edit the page, and save again (which drops the appended seal)."""
    writer = PdfWriter(clone_from=io.BytesIO(unsealed(pdf)))
    if edit:
        edit(writer)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def set_content(writer: PdfWriter, data: bytes) -> None:
    page = writer.pages[0]
    stream = StreamObject()
    stream.set_data(data)
    page[NameObject("/Contents")] = writer._add_object(stream)


def content(pdf: bytes) -> bytes:
    return PdfReader(io.BytesIO(pdf)).pages[0].get_contents().get_data()


def pdf_text(pdf: bytes) -> str:
    return subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()


# -- the battery: exit 0 only for the genuine certificates -----------------------------------------------------------


def test_genuine_certificates_verify(a, tmp_path):
    number, payload, fields = a.issue(a.ids[2])
    assert re.fullmatch(r"SA-\d{4}-[0-9A-F]{8}-000001", number)
    for lang in ("zh", "en"):
        code, out = a.verify(write(tmp_path / f"{lang}.pdf", a.render(number, lang)))
        assert code == 0 and out["status"] == "valid", out
        assert out["revocation_checked"] and out["checked"] == "page" and out["kid"] == payload_kid(payload)
        assert out["issuer"] == a.settings.issuer_name and any("file seal verifies" in n for n in out["notes"])
        assert any("QR code on the page decoded: it equals the signed payload" in n for n in out["notes"]), out
    # re-saved without a change: the seal is gone, the page still shows exactly what was signed
    code, out = a.verify(write(tmp_path / "resaved.pdf", resave(a.render(number))))
    assert code == 0 and any("no file seal" in n for n in out["notes"]), out
    # the payload alone (a scanned QR code) says that only the payload was checked
    code, out = a.verify(payload)
    assert code == 0 and out["checked"] == "payload" and any("only the payload was checked" in n for n in out["notes"])
    p = a.cli("certificate", "verify", "-", stdin=payload)
    assert p.returncode == 0 and "revocation checked against" in p.stdout and "only the payload" in p.stdout


def test_edited_and_resaved_certificates_are_tampered(a, tmp_path):
    number, payload, fields = a.issue(a.ids[2])
    pdf = a.render(number)
    cases = {
        # the printed level, S and expiry edited (the page re-typeset with other values), the genuine payload kept
        "level": certificate_pdf(dict(fields, lvl=5), payload),
        "score": certificate_pdf(dict(fields, S="4.99"), payload),
        "expiry": certificate_pdf(dict(fields, exp="2099-12-31"), payload),
        "name": certificate_pdf(dict(fields, ent="某某伪造科技有限公司"), payload),
        # the genuine file, its page content replaced by the edited page's and re-saved with pypdf
        "content-swap": resave(pdf, lambda w: set_content(w, content(certificate_pdf(dict(fields, lvl=5), payload)))),
        # the content stream edited in place: every text filled white (hidden)
        "whitened": resave(
            pdf, lambda w: set_content(w, re.sub(rb"cs [0-9.]+ [0-9.]+ [0-9.]+ scn", b"cs 1 1 1 scn", content(pdf)))
        ),
        # one byte of the file changed after issue, seal kept
        "byte": pdf[: len(pdf) // 2] + bytes([pdf[len(pdf) // 2] ^ 1]) + pdf[len(pdf) // 2 + 1 :],
        # the seal of the genuine file appended to an edited one
        "moved-seal": certificate_pdf(dict(fields, lvl=5), payload) + pdf[pdf.rfind(b"\n" + SEAL) :],
    }
    assert content(cases["whitened"]) != content(pdf)
    for name, data in cases.items():
        code, out = a.verify(write(tmp_path / f"{name}.pdf", data))
        assert code == 1 and out["status"] == "tampered", (name, out)
    _, out = a.verify(tmp_path / "level.pdf")
    assert any("五级" in p for p in out["problems"]) and any("四级" in p for p in out["problems"]), out["problems"]


def _white_text(values: list[str]) -> bytes:
    """A page with the given values in 1 pt white text (what a forger hides under a forged page)."""
    src = '#set page(paper: "a4")\n#set text(font: "Noto Serif SC", size: 1pt, fill: white)\n' + "\n".join(
        f'#"{v}"' for v in values
    )
    tmp = Path(render.TEMPLATES).parent / "templates"
    import typst

    from reports.fonts import font_paths

    return typst.compile(
        src.encode(), root=str(tmp), font_paths=sorted({str(p.parent) for p in font_paths().values()}), ignore_system_fonts=True
    )


def _qr_over(pdf: bytes, payload: str | None):
    """A transparent page with ``payload``'s QR code (or a white box) exactly over the QR code printed on ``pdf``:
    what a forger pastes onto a genuine certificate."""
    import pypdfium2 as pdfium
    import typst
    import zxingcpp

    doc = pdfium.PdfDocument(pdf)
    scale = 2
    [hit] = zxingcpp.read_barcodes(doc[0].render(scale=scale).to_pil(), formats=zxingcpp.BarcodeFormat.QRCode)
    doc.close()
    corners = [hit.position.top_left, hit.position.top_right, hit.position.bottom_left, hit.position.bottom_right]
    left, top = min(c.x for c in corners) / scale, min(c.y for c in corners) / scale  # in points
    side = (max(c.x for c in corners) - min(c.x for c in corners)) / scale
    if payload is None:
        body = (
            f"#place(top + left, dx: {left - 4}pt, dy: {top - 4}pt, rect(width: {side + 8}pt, height: {side + 8}pt, fill: white))"
        )
        inputs = {}
    else:
        n = len(render.qr_matrix(payload))
        module = side / n  # the symbol covers the original's; the SVG has a 2-module white border
        body = (
            f"#place(top + left, dx: {left - 2 * module}pt, dy: {top - 2 * module}pt, "
            f'image(bytes(sys.inputs.qr), format: "svg", width: {(n + 4) * module}pt))'
        )
        inputs = {"qr": render.qr_svg(payload)}
    src = '#set page(paper: "a4", margin: 0pt, fill: none)\n' + body
    return PdfReader(io.BytesIO(typst.compile(src.encode(), sys_inputs=inputs))).pages[0]


def test_forged_page_with_a_genuine_payload_in_white_text_and_swapped_qr(a, tmp_path):
    n2, p2, f2 = a.issue(a.ids[0])  # a genuine certificate of another factory (level 2)
    n4, p4, f4 = a.issue(a.ids[2])  # the one a forger would like to have (level 4)
    # a page claiming factory 2 reached level 5, carrying certificate 2's payload, with its true values in white 1 pt text
    forged = certificate_pdf(dict(f2, lvl=5, S="4.80", tier="leading"), p2)
    hidden = PdfReader(io.BytesIO(_white_text([str(f2[k]) for k in ("no", "ent", "fac", "S", "iss", "exp")]))).pages[0]

    def overlay(w):
        w.pages[0].merge_page(hidden)

    code, out = a.verify(write(tmp_path / "forged.pdf", resave(forged, overlay)))
    assert code == 1 and out["status"] == "tampered", out
    # certificate 2 unchanged but with white text added: extra text is tampering too
    code, out = a.verify(write(tmp_path / "extra.pdf", resave(a.render(n2), overlay)))
    assert code == 1 and out["status"] == "tampered", out
    # the QR code of certificate 4 on certificate 2's page (what a phone would scan), everything else genuine
    real_qr = render.qr_svg
    try:
        render.qr_svg = lambda payload: real_qr(p4)
        swapped = certificate_pdf(f2, p2)
    finally:
        render.qr_svg = real_qr
    assert swapped != certificate_pdf(f2, p2)
    code, out = a.verify(write(tmp_path / "qr.pdf", swapped))
    assert code == 1 and out["status"] == "tampered" and "QR code on the page does not match" in out["message"], out
    assert any(n4 in p for p in out["problems"]), out["problems"]
    # the same by editing the genuine file: certificate 4's QR code pasted over certificate 2's, re-saved
    pasted = resave(a.render(n2), lambda w: w.pages[0].merge_page(_qr_over(a.render(n2), p4)))
    assert page_qr_codes(pasted) == [p4]
    code, out = a.verify(write(tmp_path / "qr-pasted.pdf", pasted))
    assert code == 1 and out["status"] == "tampered" and "QR code" in out["message"], out
    p = a.cli("certificate", "verify", str(tmp_path / "qr-pasted.pdf"))
    assert p.returncode == 1 and p.stdout.startswith("tampered: ") and "QR code" in p.stdout.splitlines()[0], p.stdout
    # the QR code covered by a white box: no QR code on the page
    blank = resave(a.render(n2), lambda w: w.pages[0].merge_page(_qr_over(a.render(n2), None)))
    code, out = a.verify(write(tmp_path / "qr-blank.pdf", blank))
    assert code == 1 and out["status"] == "tampered" and any("no readable QR code" in p for p in out["problems"]), out
    # a PDF without any payload, and a payload with one changed character
    code, out = a.verify(write(tmp_path / "none.pdf", _white_text(["证书"])))
    assert code == 1 and out["status"] == "invalid"
    head, body, sig = p2.split(".")
    code, out = a.verify(f"{head}.{body[:-3]}{'A' if body[-3] != 'A' else 'B'}{body[-2:]}.{sig}")
    assert code == 1 and out["status"] in ("tampered", "invalid")


def test_expired_and_not_yet_valid(a, tmp_path):
    at = datetime(2024, 3, 1, tzinfo=timezone.utc)
    number, payload, fields = a.issue(a.ids[1], valid_days=30, at=at)
    assert fields["iss"] == "2024-03-01" and fields["exp"] == "2024-03-31"
    f = write(tmp_path / "old.pdf", a.render(number))
    code, out = a.verify(f)
    assert code == 1 and out["status"] == "expired" and "2024-03-31" in out["message"]
    assert a.verify(f, "--at", "2024-03-15")[0] == 0
    assert a.verify(f, "--at", "2024-03-31")[0] == 0  # valid through its last day
    code, out = a.verify(f, "--at", "2024-02-01")
    assert code == 1 and out["status"] == "invalid"
    p = a.cli("certificate", "verify", str(f), "--at", "31/03/2024")
    assert p.returncode == 2 and "YYYY-MM-DD" in p.stderr
    with a.Session.begin() as s, pytest.raises(ValueError, match="positive"):
        certificates.issue_certificate(a.ids[1], session=s, key=KeyStore(a.settings.keys_dir).active(), issuer="x", valid_days=0)
    with pytest.raises(ValueError):
        Settings(certificate_valid_days=-5)


def test_revoked_here_and_elsewhere(a, b, tmp_path):
    number, payload, _ = a.issue(a.ids[0])
    other, _, _ = a.issue(a.ids[1])
    pdf = write(tmp_path / "c.pdf", a.render(number))
    p = a.cli("certificate", "revoke", number, "--reason", "证据不实")
    assert p.returncode == 0, p.stderr
    code, out = a.verify(pdf)
    assert code == 1 and out["status"] == "revoked" and "证据不实" in out["message"]
    # --at before the revocation: valid then, with a note that it was revoked later
    today = date.today().isoformat()
    assert a.verify(pdf, "--at", today)[1]["status"] == "revoked"
    # the signed list, exported and taken to installation B, which trusts A's key
    rev = tmp_path / "a-revocations.json"
    assert a.cli("certificate", "revocations", "--out", str(rev)).returncode == 0
    doc = json.loads(rev.read_text())
    assert doc["format"] == "sfa-revocations/1" and set(doc["signatures"]) == set(doc["keys"])
    assert doc["revoked"][0]["number"] == number and doc["revoked"][0]["kid"] == payload_kid(payload)
    pub = tmp_path / "a.pem"
    assert a.cli("certificate", "keys", "export-public", "--out", str(pub)).returncode == 0
    code, out = b.verify(pdf)
    assert code == 1 and out["status"] == "invalid" and "unknown key" in out["message"]  # B does not know A yet
    p = b.cli("certificate", "trust", "import", str(pub))
    assert p.returncode == 0 and "trusted 1 key" in p.stdout, p.stderr
    code, out = b.verify(write(tmp_path / "other.pdf", a.render(other)))
    assert code == 0 and not out["revocation_checked"] and "trusted: A" in out["key_source"]
    assert any("revocation NOT checked" in n for n in out["notes"])
    p = b.cli("certificate", "trust", "import", str(rev))
    assert p.returncode == 0, p.stderr
    code, out = b.verify(pdf)
    assert code == 1 and out["status"] == "revoked", out
    code, out = b.verify(tmp_path / "other.pdf")
    assert code == 0 and out["revocation_checked"], out
    assert "A 工业和信息化局" in b.cli("certificate", "trust", "list").stdout
    # a list edited after signing (an entry dropped) is refused
    doc["revoked"] = []
    bad = tmp_path / "edited.json"
    bad.write_text(json.dumps(doc))
    p = b.cli("certificate", "trust", "import", str(bad))
    assert p.returncode == 2 and "trusted key" in p.stderr
    p = b.cli("certificate", "verify", str(pdf), "--revocations", str(bad))
    assert p.returncode == 2 and "signed list" in p.stderr


def test_cross_installation_numbers_and_revocations_do_not_mix(a, b, tmp_path):
    na, pa, _ = a.issue(a.ids[0])
    nb, pb, _ = b.issue(b.ids[0])
    assert na != nb and na.rsplit("-", 1)[1] == nb.rsplit("-", 1)[1] == "000001"  # same sequence, different issuer codes
    assert na.split("-")[2] == payload_kid(pa)[:8].upper() and nb.split("-")[2] == payload_kid(pb)[:8].upper()
    # B revokes its own first certificate; its signed list is taken to A along with B's key
    assert b.cli("certificate", "revoke", nb, "--reason", "B 撤销").returncode == 0
    brev, bpub = tmp_path / "b-rev.json", tmp_path / "b.pem"
    assert b.cli("certificate", "revocations", "--out", str(brev)).returncode == 0
    assert b.cli("certificate", "keys", "export-public", "--out", str(bpub)).returncode == 0
    assert a.cli("certificate", "trust", "import", str(bpub)).returncode == 0
    assert a.cli("certificate", "trust", "import", str(brev)).returncode == 0
    fa = write(tmp_path / "a.pdf", a.render(na))
    fb = write(tmp_path / "b.pdf", b.render(nb))
    code, out = a.verify(fa, "--revocations", str(brev))  # B's list never revokes A's certificate
    assert code == 0 and out["status"] == "valid" and "this installation's database" in " ".join(out["notes"])
    code, out = a.verify(fb)
    assert code == 1 and out["status"] == "revoked"
    # a list claiming to be B's but re-signed by A's key does not apply to B's certificates either
    doc = json.loads(brev.read_text())
    from assessment.signing import sign_revocation_list

    forged = sign_revocation_list([], [KeyStore(a.settings.keys_dir).active()], issuer=doc["issuer"], issued_at="2099-01-01")
    (tmp_path / "forged.json").write_text(json.dumps(forged))
    code, out = a.verify(fb, "--revocations", str(tmp_path / "forged.json"))
    assert code == 1 and out["status"] == "revoked"
    # a third installation that trusts nobody: unknown key
    c = Installation(tmp_path, "C")
    code, out = c.verify(fa)
    assert code == 1 and out["status"] == "invalid"
    assert not (c.dir / "keys").exists()  # verification never creates a key


# -- keys ---------------------------------------------------------------------------------------------------------


def test_verification_never_creates_keys_or_a_database(tmp_path, a):
    number, payload, _ = a.issue(a.ids[0])
    fresh = tmp_path / "fresh"
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SFA_DATABASE_URL")}
    p = subprocess.run(
        [sys.executable, "-m", "assessment", "certificate", "verify", payload],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**env, "SFA_DATA_DIR": str(fresh)},
    )
    assert p.returncode == 1 and "unknown key" in p.stdout
    assert not fresh.exists()
    p = subprocess.run(
        [sys.executable, "-m", "assessment", "certificate", "keys", "export-public"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**env, "SFA_DATA_DIR": str(fresh)},
    )
    assert p.returncode == 2 and "no signing key" in p.stderr and not fresh.exists()


def test_rotate_keeps_old_keys_and_rerenders_with_the_original_key(a, tmp_path):
    number, payload, _ = a.issue(a.ids[0])
    old = payload_kid(payload)
    p = a.cli("certificate", "keys", "rotate")
    assert p.returncode == 0 and f"retired {old}" in p.stdout
    listed = json.loads(a.cli("certificate", "keys", "list", "--json").stdout)
    assert [k["status"] for k in listed] == ["active", "retired"] and listed[1]["kid"] == old
    new_number, new_payload, _ = a.issue(a.ids[1])
    assert payload_kid(new_payload) == listed[0]["kid"] != old and new_number.split("-")[2] != number.split("-")[2]
    again = a.render(number)  # the old certificate, sealed again with its own (retired) key
    assert again[again.rfind(SEAL) :].startswith(SEAL + old.encode())
    assert a.verify(write(tmp_path / "old.pdf", again))[0] == 0
    assert a.verify(write(tmp_path / "new.pdf", a.render(new_number)))[0] == 0
    exported = a.cli("certificate", "keys", "export-public").stdout
    assert exported.count("BEGIN PUBLIC KEY") == 2 and old in exported
    # backup, then lose the retired key: rendering the old certificate is refused, restoring brings it back
    backup = tmp_path / "keys.tar.gz"
    assert a.cli("certificate", "keys", "backup", "--out", str(backup)).returncode == 0
    assert backup.stat().st_mode & 0o777 == 0o600
    assert a.cli("certificate", "keys", "backup", "--out", str(backup)).returncode == 2  # never overwritten
    (a.settings.keys_dir / "retired" / f"{old}.pem").unlink()
    p = a.cli("certificate", "render", number, "--out", str(tmp_path / "x.pdf"))
    assert p.returncode == 2 and old in p.stderr and "restore" in p.stderr and not (tmp_path / "x.pdf").exists()
    p = a.cli("certificate", "keys", "restore", str(backup))
    assert p.returncode == 0 and old in p.stdout
    assert a.cli("certificate", "render", number, "--out", str(tmp_path / "x.pdf")).returncode == 0


def test_lost_key_is_not_silently_replaced(a, tmp_path):
    a.issue(a.ids[0])
    shutil.rmtree(a.settings.keys_dir)
    with a.Session.begin() as s, pytest.raises(ValueError, match="restore"):
        service.issue_certificate(a.ids[1], session=s, settings=a.settings)
    assert not (a.settings.keys_dir / "signing-key.pem").exists()
    assert a.cli("certificate", "keys", "rotate").returncode == 0  # starting a new key is an explicit act
    a.issue(a.ids[1])


def test_key_files_open_to_others_are_refused_and_files_are_private(a, tmp_path):
    number, _, _ = a.issue(a.ids[0])
    assert a.dir.stat().st_mode & 0o077 == 0
    assert (a.dir / "assessment.db").stat().st_mode & 0o777 == 0o600
    assert a.settings.keys_dir.stat().st_mode & 0o777 == 0o700
    key = a.settings.keys_dir / "signing-key.pem"
    assert key.stat().st_mode & 0o777 == 0o600
    key.chmod(0o644)
    p = a.cli("certificate", "render", number, "--out", str(tmp_path / "x.pdf"))
    assert p.returncode == 2 and "chmod 600" in p.stderr and "Traceback" not in p.stderr
    with a.Session.begin() as s, pytest.raises(ValueError, match="chmod 600"):
        service.issue_certificate(a.ids[1], session=s, settings=a.settings)


# -- the page -------------------------------------------------------------------------------------------------------


FULL_WIDTH = "（），：；。、“”《》！？　"


@pytest.mark.parametrize("length", [80, 100])
def test_long_names_fit_one_page_in_both_languages(a, tmp_path, length):
    from assessment.store.orm import Assessment

    with a.Session.begin() as s:
        ent = repo.get_assessment(a.ids[2], session=s).factory.enterprise
        name = ("智能装备与工业互联网科技" * 10)[: length - 6] + "股份有限公司"
        assert len(name) == length
        repo.update_enterprise(ent, session=s, name=name)
        assert s.get(Assessment, a.ids[2]).factory.enterprise.name == name
    number, payload, fields = a.issue(a.ids[2])
    for lang in ("zh", "en"):
        pdf = a.render(number, lang)
        assert len(PdfReader(io.BytesIO(pdf)).pages) == 1, (length, lang)
        f = write(tmp_path / f"long-{length}-{lang}.pdf", pdf)
        assert a.verify(f)[0] == 0
        if POPPLER:
            flat = "".join(pdf_text(pdf).split())
            assert name in flat and fields["no"] in flat
            if lang == "en":
                rest = flat.replace(name, "")
                assert not [c for c in rest if c in FULL_WIDTH], [c for c in rest if c in FULL_WIDTH]


def test_certificate_reads_as_official(a):
    number, _, fields = a.issue(a.ids[2])
    assert official_date("2026-11-29", "zh") == "2026年11月29日" and official_date("2026-11-29", "en") == "29 November 2026"
    if not POPPLER:
        if os.environ.get("CI"):
            pytest.fail("pdftotext is required in CI (poppler-utils)")
        pytest.skip("pdftotext not installed")
    zh = "".join(pdf_text(a.render(number, "zh")).split())
    for text in (
        "GB/T39116-2020《智能制造能力成熟度模型》",
        "GB/T39117-2020《智能制造能力成熟度评估方法》",
        "《智能工厂梯度培育要素条件（2025年版）》",
        official_date(fields["iss"], "zh"),
        official_date(fields["exp"], "zh"),
        "A工业和信息化局",
    ):
        assert text in zh, text
    assert "maturity/2020" not in zh and "smart_factory" not in zh and fields["iss"] not in zh
    en = " ".join(pdf_text(a.render(number, "en")).split())
    for text in (
        "GB/T 39116-2020 Maturity model of intelligent manufacturing capability",
        "(2025 edition)",
        official_date(fields["exp"], "en"),
        "Issuer: A bureau",
    ):
        assert text in en, text
    name = fields["ent"]
    assert not [c for c in en.replace(name, "") if c in FULL_WIDTH]


def test_titles_are_set_in_real_bold(a):
    """Titles, headings and the number use a bold weight of a CJK font (Noto Sans CJK at 700), not a stroked outline."""
    number, _, _ = a.issue(a.ids[2])
    with a.Session() as s:
        report = service.render_report(a.ids[2], session=s, root=CRITERIA)
    for pdf in (a.render(number, "zh"), a.render(number, "en"), report):
        reader = PdfReader(io.BytesIO(pdf))
        fonts = {str(f["/BaseFont"]) for p in reader.pages for f in p["/Resources"]["/Font"].values()}
        assert any(f.endswith("+NotoSansCJKsc-Thin") for f in fonts), fonts  # the variable font, set at weight 700
        for page in reader.pages:
            assert b" 2 Tr" not in page.get_contents().get_data() and b"\n2 Tr" not in page.get_contents().get_data()
    if POPPLER:
        listed = subprocess.run(["pdffonts", "-"], input=a.render(number), capture_output=True).stdout.decode()
        assert "NotoSansCJKsc" in listed and "NotoSerifSC-Regular" in listed, listed


def test_characters_the_fonts_cannot_print_are_refused(a):
    for bad in ("示例𠮷科技有限公司", "示例科技😀有限公司", "示例\u202e科技有限公司"):
        with a.Session.begin() as s:
            ent = repo.get_assessment(a.ids[2], session=s).factory.enterprise
            ent.name = bad  # stored by an older version, before input checks
        with a.Session.begin() as s, pytest.raises(ValueError, match="cannot print"):
            service.issue_certificate(a.ids[2], session=s, settings=a.settings)
    from assessment.printable import problems

    assert problems("示例·北方重型装备（天津）股份有限公司 ℃ ±≥①【】鑫翡") == []
    assert "U+20BB7" in problems("𠮷")[0]


def test_verify_library_call_for_the_app(a, b, tmp_path):
    """The app's 证书核验 tab calls service.verify with this installation's settings and session."""
    number, payload, _ = b.issue(b.ids[0])
    pdf = b.render(number)
    with a.Session() as s:
        res = service.verify(pdf, settings=a.settings, session=s)
    assert res.status == "invalid"
    ts = service.truststore(a.settings)
    ts.import_keys(KeyStore(b.settings.keys_dir).export_public("B 局"), own=set(service.keystore(a.settings).public_keys()))
    with b.Session() as s:
        ts.import_revocations(service.signed_revocation_list(session=s, settings=b.settings), service.public_keys(a.settings))
    with a.Session() as s:
        res = service.verify(pdf, settings=a.settings, session=s)
    assert res.ok and res.revocation_checked and "B 局" in res.key_source
    assert verify_certificate(pdf, service.public_keys(a.settings)).ok  # keys alone: revocation not checked, said so
    assert key_id(KeyStore(b.settings.keys_dir).active().public_key()) == res.kid


def test_app_revocation_map_reads_as_numbers_and_stays_bound_to_keys(a, b):
    """The app's certificate table reads revoked_map as {number: reason}; its verify tab passes it on unchanged."""
    na, pa, _ = a.issue(a.ids[0])
    nb, pb, _ = b.issue(b.ids[0])
    with b.Session.begin() as s:
        repo.revoke_certificate(nb, "B 撤销", session=s)
    service.truststore(a.settings).import_keys(KeyStore(b.settings.keys_dir).export_public("B 局"))
    with a.Session.begin() as s:
        repo.revoke_certificate(na, "A 撤销", session=s)
    with a.Session() as s:
        revoked = service.revoked_map(session=s, settings=a.settings)
    assert revoked == {na: "A 撤销"}
    keys = service.public_keys(a.settings)
    assert verify_certificate(pa, keys, revoked).status == "revoked"
    res = verify_certificate(pb, keys, revoked)  # B's revocation is not known here, and A's list never applies to B
    assert res.status == "valid" and not res.revocation_checked
