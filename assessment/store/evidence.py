"""Evidence files: checked, sniffed and stored content-addressed (sha256) under the data directory.

The original file name is kept as metadata only; it never becomes part of a path.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

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


_BAD_NAME = re.compile(r"[\x00-\x1f/\\]|^\.|\.\.|^[A-Za-z]:")


def check_name(name: str) -> str:
    if not name or len(name) > 255:
        raise EvidenceRejected("文件名为空或过长 / the file name is empty or longer than 255 characters")
    if _BAD_NAME.search(name):
        raise EvidenceRejected(f"文件名不能包含路径或控制字符：{name!r} / the file name must not contain a path: {name!r}")
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
        "pdf": {"pdf"}, "png": {"png"}, "jpg": {"jpeg"}, "jpeg": {"jpeg"}, "gif": {"gif"}, "webp": {"webp"},
        "docx": {"docx"}, "xlsx": {"xlsx"}, "pptx": {"pptx"}, "doc": {"ole"}, "xls": {"ole"}, "ppt": {"ole"},
        "txt": {"text"}, "csv": {"text"}, "md": {"text"},
    }[ext]
    if kind not in expected:
        raise EvidenceRejected(
            f"文件内容与扩展名 .{ext} 不符（识别为 {kind}）/ the content does not match the .{ext} extension (looks like {kind})")
    return ALLOWED_EXT[ext]


def _ooxml(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = set(z.namelist())
    except zipfile.BadZipFile:
        return "unknown"
    if "[Content_Types].xml" not in names:
        return "zip"
    for prefix, kind in (("word/", "docx"), ("xl/", "xlsx"), ("ppt/", "pptx")):
        if any(n.startswith(prefix) for n in names):
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
            f"不支持的文件类型 .{ext or '(无)'}；允许：PDF、图片、Office 文档、纯文本 / type .{ext or '(none)'} is not allowed")
    if len(data) == 0:
        raise EvidenceRejected("文件为空 / the file is empty")
    if len(data) > max_bytes:
        raise EvidenceRejected(
            f"文件过大：{len(data) / 1e6:.1f} MB，上限 {max_bytes / 1e6:.0f} MB / the file is too big ({len(data)} bytes, limit {max_bytes})")
    mime = sniff(data, ext)
    return CheckedFile(name=name, data=data, sha256=hashlib.sha256(data).hexdigest(), mime=mime, size=len(data))


class BlobStore:
    """Files under ``root/ab/cd/<sha256>``; writes are atomic (temporary file, then rename)."""

    def __init__(self, root: Path):
        self.root = Path(root)

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
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
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
