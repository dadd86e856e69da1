"""The evidence store: file names, content checks beyond the header, and the sweep of stale temporary files."""

from __future__ import annotations

import hashlib
import io
import os
import re
import time
import zipfile

import docx
import openpyxl
import pytest
from PIL import Image

from assessment.store.evidence import BlobStore, EvidenceRejected, check_name, check_upload
from assessment.store.text import BIDI_CONTROLS

MAX = 1024 * 1024
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + b"\x00" * 100


def image(fmt: str) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buf, fmt)
    return buf.getvalue()


def pe_executable() -> bytes:
    """The start of a Windows executable: an MZ header whose e_lfanew points at 'PE\\0\\0'."""
    head = bytearray(b"MZ" + b"\x90\x00" + b"\x00" * 0x38 + (0x80).to_bytes(4, "little"))
    head += b"\x00" * (0x80 - len(head)) + b"PE\x00\x00" + b"\x00" * 64
    return bytes(head)


def office(kind: str) -> bytes:
    buf = io.BytesIO()
    if kind == "docx":
        d = docx.Document()
        d.add_paragraph("数据管理制度")
        d.save(buf)
    else:
        wb = openpyxl.Workbook()
        wb.active["A1"] = "指标"
        wb.save(buf)
    return buf.getvalue()


def zipped(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


# -- accepted ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, make, mime",
    [
        ("制度.pdf", lambda: PDF, "application/pdf"),
        ("trailing-newlines.pdf", lambda: PDF + b"\r\n\r\n\x00\x00", "application/pdf"),
        ("mentions MZ.pdf", lambda: b"%PDF-1.4\n% MZ is just text here\n" + PDF[9:], "application/pdf"),
        ("现场照片.png", lambda: image("PNG"), "image/png"),
        ("现场照片.jpg", lambda: image("JPEG"), "image/jpeg"),
        ("动图.gif", lambda: image("GIF"), "image/gif"),
        ("照片.webp", lambda: image("WEBP"), "image/webp"),
        ("制度.docx", lambda: office("docx"), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("台账.xlsx", lambda: office("xlsx"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("说明.txt", lambda: "中文说明\n第二行".encode("gb18030"), "text/plain"),
    ],
)
def test_real_files_accepted(name, make, mime):
    data = make()
    checked = check_upload(name, data, MAX)
    assert checked.mime == mime and checked.sha256 == hashlib.sha256(data).hexdigest()


# -- refused: content beyond the header ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, make, fragment",
    [
        ("report.pdf", lambda: b"%PDF-1.4\n" + ELF, "an executable follows the PDF header"),
        ("report.pdf", lambda: b"%PDF-1.4\n" + ELF + b"\n%%EOF\n", "an executable follows the PDF header"),
        ("report.pdf", lambda: b"%PDF-1.4\n" + pe_executable() + b"\n%%EOF\n", "an executable follows the PDF header"),
        ("report.pdf", lambda: PDF[:-7], "no %%EOF near the end"),
        ("report.pdf", lambda: PDF.replace(b"%%EOF", b"") + b"x" * 2000 + b"%%EOF" + b"y" * 2000, "no %%EOF near the end"),
        ("photo.png", lambda: image("PNG")[:-20], "no IEND chunk"),
        ("photo.png", lambda: image("PNG") + ELF * 3, "no IEND chunk"),
        ("photo.jpg", lambda: image("JPEG")[:-10], "no FFD9 end marker"),
        ("photo.webp", lambda: image("WEBP")[:-8], "truncated"),
        ("doc.docx", lambda: zipped({"[Content_Types].xml": b"<Types/>", "word/other.xml": b"<x/>"}), "looks like zip"),
        ("doc.docx", lambda: zipped({"word/document.xml": b"<w:document/>"}), "looks like zip"),
        ("doc.docx", lambda: zipped({"[Content_Types].xml": b"not xml", "word/document.xml": b"<x/>"}), "looks like zip"),
        ("doc.docx", lambda: office("docx")[:200], "looks like unknown"),
        ("sheet.xlsx", lambda: office("docx"), "looks like docx"),
        ("doc.docx", lambda: office("xlsx"), "looks like xlsx"),
    ],
)
def test_content_checked_beyond_the_header(name, make, fragment):
    with pytest.raises(EvidenceRejected, match=re.escape(fragment)) as exc:
        check_upload(name, make(), MAX)
    assert "\n" not in str(exc.value) and "/ the " in str(exc.value)


# -- refused: file names ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        *[f"制度{ch}fdp.exe.pdf" for ch in sorted(BIDI_CONTROLS)],
        "report\x00.pdf",
        "report\x1b.pdf",
        "report\x7f.pdf",
        "report\x85x.pdf",
        "report\ud800.pdf",
    ],
)
def test_names_with_control_or_bidi_characters_refused(name):
    with pytest.raises(EvidenceRejected, match="the file name must not contain") as exc:
        check_name(name)
    assert "U+" in str(exc.value) or "NUL" in str(exc.value)


def test_ordinary_names_accepted():
    for name in ("数据管理制度（2025 版）.pdf", "Plant $^$ report.pdf", "a b-c_d.e.pdf", "Müller–Ωmega.pdf"):
        assert check_name(name) == name
    # the report's evidence index prints every name: what no shipped font draws is refused, naming the character
    for name, ch in (("ملف.pdf", "م (U+0645)"), ("📄.pdf", "📄 (U+1F4C4)"), ("𠮷野家.pdf", "𠮷 (U+20BB7)")):
        with pytest.raises(EvidenceRejected, match=re.escape(f"文件名不能包含字符 {ch}：") + ".*无法打印"):
            check_name(name)


# -- the store -----------------------------------------------------------------------------------------------------


def test_sweep_removes_stale_temporary_files_only(tmp_path):
    store = BlobStore(tmp_path / "evidence")
    sha = store.put(PDF)
    folder = store.path(sha).parent
    stale, fresh, other = folder / ".tmp-abc123", folder / ".tmp-def456", tmp_path / "evidence" / ".tmp-top"
    for p in (stale, fresh, other):
        p.write_bytes(b"half a file")
    old = time.time() - 3600
    os.utime(stale, (old, old))
    os.utime(other, (old, old))
    assert store.sweep() == 2
    assert not stale.exists() and not other.exists()
    assert fresh.exists()  # may be a write in progress in another process
    assert store.get(sha) == PDF
    assert store.sweep(older_than=-1) == 1 and not fresh.exists()
    assert BlobStore(tmp_path / "missing").sweep() == 0


def test_put_leaves_no_temporary_file_and_discard(tmp_path):
    store = BlobStore(tmp_path / "evidence")
    sha = store.put(PDF)
    assert [p.name for p in store.root.rglob("*") if p.is_file()] == [sha]
    with pytest.raises(EvidenceRejected, match="sha256"):
        store.put(PDF, "0" * 64)
    store.discard(sha)
    store.discard(sha)  # already gone: nothing to do
    assert not store.exists(sha)


def test_backend_sweeps_at_start(tmp_path):
    from ui.services import _backend

    stale = tmp_path / "data" / "evidence" / "ab" / "cd" / ".tmp-killed-mid-upload"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"half a file")
    old = time.time() - 3600
    os.utime(stale, (old, old))
    be = _backend(f"sqlite:///{tmp_path / 'app.db'}", str(tmp_path / "data"), False)
    try:
        assert be.store.root == tmp_path / "data" / "evidence" and not stale.exists()
    finally:
        be.engine.dispose()
