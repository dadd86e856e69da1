"""Offline verification of a certificate: a PDF, or the QR payload text.

A PDF is checked twice: the signed payload in its metadata must verify, and every certified fact
printed on the page must match the payload, so editing either the QR data or the visible text
is detected. A revoked number is reported as revoked.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from typing import Any

from assessment.signing import PREFIX, VerificationError, unseal, verify

from .render import LEVEL, TIER


@dataclass
class VerifyResult:
    status: str  # valid | revoked | tampered | invalid
    message: str
    fields: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status == "valid"

    def as_dict(self) -> dict:
        return {"status": self.status, "message": self.message, "fields": self.fields, "problems": self.problems}


def _norm(s: str) -> str:
    return re.sub(r"\s+", "", s)


PAYLOAD_RE = re.escape(PREFIX) + r"\.[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+"


def read_pdf(data: bytes) -> tuple[str | None, str]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        meta = reader.metadata or {}
        keywords = meta.get("/Keywords")
        text = "\n".join(page.extract_text() or "" for page in reader.pages)
    except (PdfReadError, ValueError, KeyError) as exc:
        raise VerificationError(f"无法读取 PDF / cannot read the PDF: {exc}") from None
    found = re.findall(PAYLOAD_RE, str(keywords or ""))
    found += [m.decode() for m in re.findall(PAYLOAD_RE.encode(), data)]  # every uncompressed copy (Info, XMP)
    if len(set(found)) > 1:
        raise VerificationError("PDF 中的证书校验码前后不一致：证书已被篡改 / the PDF carries differing payloads: it was altered")
    payload = found[0] if found else None
    if payload is None:
        m = re.search(PAYLOAD_RE, text)
        payload = m.group(0) if m else None
    return payload, text


def visible_mismatches(fields: dict[str, Any], text: str) -> list[str]:
    t = _norm(text)
    problems = []
    checks = [("no", fields.get("no")), ("ent", fields.get("ent")), ("code", fields.get("code")), ("fac", fields.get("fac")),
              ("S", fields.get("S")), ("iss", fields.get("iss")), ("exp", fields.get("exp"))]
    for key, value in checks:
        if value and _norm(str(value)) not in t:
            problems.append(f"证书上的「{key}」与签名内容不符（应为 {value}）/ the printed {key} does not match the signed value {value!r}")
    lvl, tier = fields.get("lvl"), fields.get("tier")
    if lvl is not None and not any(_norm(LEVEL[lang][lvl]) in t for lang in LEVEL):
        problems.append(f"证书上的成熟度等级与签名内容不符 / the printed level does not match the signed level {lvl}")
    if tier is not None and not any(_norm(TIER[lang][tier]) in t for lang in TIER):
        problems.append(f"证书上的层级与签名内容不符 / the printed tier does not match the signed tier {tier}")
    return problems


def verify_certificate(data: bytes | str, public_keys: dict, revoked: dict[str, str] | None = None) -> VerifyResult:
    """Verify a certificate PDF (bytes starting with %PDF) or a payload string."""
    revoked = revoked or {}
    text = None
    notes: list[str] = []
    if isinstance(data, bytes) and data.startswith(b"%PDF"):
        try:
            data, sealed = unseal(data, public_keys)
        except VerificationError as exc:
            return VerifyResult("invalid", str(exc))
        if sealed is False:
            return VerifyResult("tampered", "文件在签发后被修改（整体签名不符）/ the file was changed after it was issued (file seal does not match)")
        if sealed is None:
            notes.append("文件无整体签名（可能被另存过），仅核验了签名内容与页面信息 / no file seal (re-saved?): only the signed "
                         "payload and the printed facts were checked")
        try:
            payload, text = read_pdf(data)
        except VerificationError as exc:
            status = "tampered" if "altered" in str(exc) else "invalid"
            return VerifyResult(status, str(exc))
        if payload is None:
            return VerifyResult("invalid", "PDF 中没有证书校验码 / the PDF carries no certificate payload")
    else:
        payload = data.decode("utf-8", errors="replace") if isinstance(data, bytes) else data
    try:
        v = verify(payload, public_keys)
    except VerificationError as exc:
        status = "tampered" if "altered" in str(exc) else "invalid"
        return VerifyResult(status, str(exc))
    fields = {k: x for k, x in v.fields.items() if k != "kid"}
    if text is not None:
        problems = visible_mismatches(fields, text)
        if problems:
            return VerifyResult("tampered", "证书页面内容已被改动 / the certificate's printed content was altered", fields, problems)
    number = fields.get("no")
    if number in revoked:
        return VerifyResult("revoked", f"证书 {number} 已被撤销：{revoked[number]} / certificate {number} was revoked: {revoked[number]}",
                            fields, notes)
    return VerifyResult("valid", f"证书 {number} 真实有效（签名正确{'，页面内容一致' if text is not None else ''}）/ "
                                 f"certificate {number} is genuine", fields, notes)
