"""Evidence files: checked, sniffed and stored content-addressed (sha256) under the data directory.

The original file name is kept as metadata only; it never becomes part of a path.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import tempfile
import time
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from .text import bad_character

ALLOWED_EXT = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "ppt": "application/vnd.ms-powerpoint",
    "txt": "text/plain",
    "csv": "text/csv",
    "md": "text/markdown",
}
UPLOAD_TYPES = sorted(ALLOWED_EXT)


class EvidenceRejected(ValueError):
    """An upload refused with a reason the user can read (Chinese / English)."""


@dataclass(frozen=True)
class CheckedFile:
    name: str
    data: bytes
    sha256: str
    mime: str
    size: int


_BAD_NAME = re.compile(r"[/\\]|^\.|\.\.|^[A-Za-z]:")


def check_name(name: str) -> str:
    if not isinstance(name, str) or not name or len(name) > 255:
        raise EvidenceRejected("文件名为空或过长 / the file name is empty or longer than 255 characters")
    bad = bad_character(name)
    if bad is not None:
        zh, en = bad
        raise EvidenceRejected(f"文件名不能包含{zh}：{name!r} / the file name must not contain {en}: {name!r}")
    if _BAD_NAME.search(name):
        raise EvidenceRejected(f"文件名不能包含路径：{name!r} / the file name must not contain a path: {name!r}")
    return name


def sniff(data: bytes, ext: str) -> str:
    """The MIME type the content really has, or raise when it does not match the extension."""
    head = data[:16]
    if head.startswith(b"%PDF-"):
        kind = "pdf"
    elif head.startswith(b"\x89PNG\r\n\x1a\n"):
        kind = "png"
    elif head.startswith(b"\xff\xd8\xff"):
        kind = "jpeg"
    elif head[:6] in (b"GIF87a", b"GIF89a"):
        kind = "gif"
    elif head[:4] == b"RIFF" and data[8:12] == b"WEBP":
        kind = "webp"
    elif head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        kind = "ole"
    elif head.startswith(b"PK\x03\x04"):
        kind = _ooxml(data)
    else:
        kind = "text" if _is_text(data) else "unknown"
    expected = {
        "pdf": {"pdf"},
        "png": {"png"},
        "jpg": {"jpeg"},
        "jpeg": {"jpeg"},
        "gif": {"gif"},
        "webp": {"webp"},
        "docx": {"docx"},
        "xlsx": {"xlsx"},
        "pptx": {"pptx"},
        "doc": {"ole"},
        "xls": {"ole"},
        "ppt": {"ole"},
        "txt": {"text"},
        "csv": {"text"},
        "md": {"text"},
    }[ext]
    if kind not in expected:
        raise EvidenceRejected(
            f"文件内容与扩展名 .{ext} 不符（识别为 {kind}）/ the content does not match the .{ext} extension (looks like {kind})"
        )
    problem = _body_problem(data, kind)
    if problem is not None:
        raise EvidenceRejected(f"文件内容不完整或可疑：{problem[0]} / the .{ext} file is incomplete or suspicious: {problem[1]}")
    return ALLOWED_EXT[ext]


def _executable_at(data: bytes, start: int, end: int) -> bool:
    """An ELF or a Windows (MZ … PE) executable beginning between ``start`` and ``end``."""
    window = data[start:end]
    if b"\x7fELF" in window:
        return True
    pos = window.find(b"MZ")
    while pos != -1:
        at = start + pos
        pe = int.from_bytes(data[at + 0x3C : at + 0x40], "little") if len(data) >= at + 0x40 else -1
        if 0 < pe < 1 << 20 and data[at + pe : at + pe + 4] == b"PE\x00\x00":
            return True
        pos = window.find(b"MZ", pos + 1)
    return False


def _body_problem(data: bytes, kind: str) -> tuple[str, str] | None:
    """Cheap checks beyond the header: the file ends the way its type ends, and is not an executable in disguise."""
    tail = data.rstrip(b"\x00\r\n\t ")[-1024:]
    if kind == "pdf":
        if _executable_at(data, 5, 1024):
            return "PDF 头之后是可执行程序", "an executable follows the PDF header"
        if b"%%EOF" not in tail:
            return "PDF 末尾缺少 %%EOF", "no %%EOF near the end of the PDF"
    elif kind == "png" and b"IEND" not in data[-64:]:
        return "PNG 缺少结束块 IEND", "the PNG has no IEND chunk at its end"
    elif kind == "jpeg" and b"\xff\xd9" not in data[-64:]:
        return "JPEG 缺少结束标记 FFD9", "the JPEG has no FFD9 end marker"
    elif kind == "webp" and int.from_bytes(data[4:8], "little") + 8 > len(data):
        return "WEBP 长度与文件不符（文件被截断）", "the WEBP is shorter than its header says (truncated)"
    return None


OOXML_MAIN_PART = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml", "pptx": "ppt/presentation.xml"}


def _ooxml(data: bytes) -> str:
    """docx / xlsx / pptx when the file opens as a zip with ``[Content_Types].xml`` and the main part of that type."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = set(z.namelist())
            ct = z.getinfo("[Content_Types].xml") if "[Content_Types].xml" in names else None
            if ct is None or ct.file_size > 1024 * 1024 or b"<Types" not in z.read(ct):
                return "zip"
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        NotImplementedError,
        RuntimeError,
        ValueError,
        OSError,
        EOFError,
        zlib.error,
    ):
        return "unknown"
    for kind, part in OOXML_MAIN_PART.items():
        if part in names:
            return kind
    return "zip"


def _is_text(data: bytes) -> bool:
    if b"\x00" in data[:8192]:
        return False
    for enc in ("utf-8", "gb18030"):
        try:
            data[:65536].decode(enc)
            return True
        except UnicodeDecodeError:
            continue
    return False


def check_upload(name: str, data: bytes, max_bytes: int) -> CheckedFile:
    check_name(name)
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in ALLOWED_EXT:
        raise EvidenceRejected(
            f"不支持的文件类型 .{ext or '(无)'}；允许：PDF、图片、Office 文档、纯文本 / type .{ext or '(none)'} is not allowed"
        )
    if len(data) == 0:
        raise EvidenceRejected("文件为空 / the file is empty")
    if len(data) > max_bytes:
        raise EvidenceRejected(
            f"文件过大：{len(data) / 1e6:.1f} MB，上限 {max_bytes / 1e6:.0f} MB / the file is too big ({len(data)} bytes, limit {max_bytes})"
        )
    mime = sniff(data, ext)
    return CheckedFile(name=name, data=data, sha256=hashlib.sha256(data).hexdigest(), mime=mime, size=len(data))


class BlobStore:
    """Files under ``root/ab/cd/<sha256>``; writes are atomic (temporary file, then rename).

    A process killed in the middle of :meth:`put` leaves a ``.tmp-`` file behind; :meth:`sweep` (called once
    when the app's backend is built) removes those.
    """

    TMP_PREFIX = ".tmp-"

    def __init__(self, root: Path):
        self.root = Path(root)

    def sweep(self, older_than: float = 60.0) -> int:
        """Remove temporary files older than ``older_than`` seconds (younger ones may be a write in progress
        in another process); return how many were removed."""
        if not self.root.is_dir():
            return 0
        removed = 0
        limit = time.time() - older_than
        for tmp in self.root.rglob(self.TMP_PREFIX + "*"):
            try:
                if tmp.is_file() and tmp.stat().st_mtime < limit:
                    tmp.unlink()
                    removed += 1
            except FileNotFoundError:  # removed meanwhile by another sweep
                continue
        return removed

    def path(self, sha256: str) -> Path:
        if not re.fullmatch(r"[0-9a-f]{64}", sha256):
            raise ValueError("not a sha256 digest")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, data: bytes, sha256: str | None = None) -> str:
        digest = hashlib.sha256(data).hexdigest()
        if sha256 is not None and sha256 != digest:
            raise EvidenceRejected("文件校验值不符 / the file's sha256 does not match")
        target = self.path(digest)
        if target.exists():
            return digest
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=self.TMP_PREFIX)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, target)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        return digest

    def get(self, sha256: str) -> bytes:
        data = self.path(sha256).read_bytes()
        if hashlib.sha256(data).hexdigest() != sha256:
            raise ValueError(f"stored evidence {sha256} is corrupt")
        return data

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).exists()

    def discard(self, sha256: str) -> None:
        """Remove a stored file (only for content no database row refers to)."""
        self.path(sha256).unlink(missing_ok=True)
