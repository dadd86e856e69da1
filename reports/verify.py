"""Offline verification of a certificate: a PDF, or the QR payload text.

"Valid" means the document shows exactly what was signed. For a PDF:

1. the signed payload it carries (document metadata) must verify against a known key;
2. the QR code printed on the page is read back from the page's image (rendered with pdfium, decoded with zxing-cpp)
   and must equal the payload: no QR code, a second one, or one that decodes to anything else is tampering;
3. the page is rendered again from that payload and compared with the file's page object by object: every content
   stream, font program, image and annotation, decoded. An edited, added, hidden, tiny or white text, a swapped
   QR code (the QR is drawn from the payload, module by module), a replaced font or an overlay all differ. A copy
   re-saved without changes still matches; the file seal (a signature over the whole file) is then missing and the
   result says so;
4. the certificate must be within its validity period on the date checked (today, or ``at``);
5. its number must not be on its issuer's revocation list: a list applies only when the certificate's own key
   signed it, and the result always says whether revocation was checked and against which list.

A payload alone (a scanned QR code) is checked for 1, 4 and 5, and the result says that only the payload was checked.
"""

from __future__ import annotations

import difflib
import hashlib
import io
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypedDict

from assessment.signing import PREFIX, VerificationError, revocation_signers, unseal, verify


@dataclass
class RevocationSource:
    label: str  # which list, from whom, of when
    entries: dict[str, dict]  # number -> {"reason", "revoked_at"}
    issued_at: str = ""


@dataclass
class Revocations:
    """Revocation lists by the key id they apply to."""

    by_kid: dict[str, RevocationSource] = field(default_factory=dict)

    def add_signed(self, doc: dict, public_keys: dict, label: str | None = None) -> set[str]:
        """Use a signed list for each key among ``public_keys`` that signed it; returns those key ids."""
        signers = revocation_signers(doc, public_keys)
        entries = {str(e.get("number")): e for e in doc.get("revoked", []) if isinstance(e, dict)}
        issued = str(doc.get("issued_at", ""))
        for kid in signers:
            held = self.by_kid.get(kid)
            if held is not None and held.issued_at > issued:
                continue  # an older list never replaces a newer one
            own = {n: e for n, e in entries.items() if e.get("kid") in (None, kid)}
            self.by_kid[kid] = RevocationSource(
                label
                or f"「{doc.get('issuer', '?')}」签署的撤销列表（{issued}）/ "
                f"revocation list signed by {doc.get('issuer', '?')}, issued {issued}",
                own,
                issued,
            )
        return signers


class RevocationMap(dict):
    """``{number: reason}`` for every revocation this installation knows (what a table of certificates shows), carrying
    the per-key :class:`Revocations` that verification uses, so that a list only revokes its own issuer's numbers."""

    def __init__(self, sources: Revocations):
        super().__init__({n: e.get("reason") for src in sources.by_kid.values() for n, e in src.entries.items()})
        self.sources = sources


class _ResultBase(TypedDict, total=False):
    """The fields every result after the payload's signature shares (passed on as keywords)."""

    fields: dict[str, Any]
    kid: str | None
    key_source: str | None
    revocation_checked: bool
    checked: str


@dataclass
class VerifyResult:
    status: str  # valid | revoked | expired | tampered | invalid
    message: str
    fields: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # why it is not valid
    notes: list[str] = field(default_factory=list)  # what was and was not checked
    kid: str | None = None
    key_source: str | None = None
    revocation_checked: bool = False
    checked: str = "page"  # page | payload

    @property
    def ok(self) -> bool:
        return self.status == "valid"

    def as_dict(self) -> dict:
        return {
            "status": self.status,
            "message": self.message,
            "fields": self.fields,
            "problems": self.problems,
            "notes": self.notes,
            "issuer": self.fields.get("by"),
            "kid": self.kid,
            "key_source": self.key_source,
            "revocation_checked": self.revocation_checked,
            "checked": self.checked,
        }


PAYLOAD_RE = re.escape(PREFIX) + r"\.[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+"


def _reader(data: bytes):
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        return PdfReader(io.BytesIO(data))
    except (PdfReadError, ValueError, KeyError, OSError) as exc:
        raise VerificationError(f"无法读取 PDF / cannot read the PDF: {exc}") from None


def read_pdf(data: bytes) -> str | None:
    """The payload the PDF carries (every copy must agree)."""
    from pypdf.errors import PdfReadError

    reader = _reader(data)
    try:
        keywords = (reader.metadata or {}).get("/Keywords")
    except (PdfReadError, ValueError, KeyError) as exc:
        raise VerificationError(f"无法读取 PDF / cannot read the PDF: {exc}") from None
    found = re.findall(PAYLOAD_RE, str(keywords or ""))
    found += [m.decode() for m in re.findall(PAYLOAD_RE.encode(), data)]  # every uncompressed copy (Info, XMP)
    if len(set(found)) > 1:
        raise VerificationError("PDF 中的证书校验码前后不一致：证书已被篡改 / the PDF carries differing payloads: it was altered")
    return found[0] if found else None


SKIP_KEYS = {"/Parent", "/Length", "/Filter", "/DecodeParms"}


def _canon(obj, depth: int = 0):
    """A comparable form of a PDF object tree: references resolved, streams decoded and hashed, numbers rounded."""
    from pypdf.generic import ArrayObject, DictionaryObject, FloatObject, IndirectObject, NumberObject, StreamObject

    if depth > 40:
        raise VerificationError("PDF 结构过深 / the PDF's structure is too deep")
    if isinstance(obj, IndirectObject):
        obj = obj.get_object()
    if isinstance(obj, StreamObject):
        head = tuple(sorted((k, _canon(v, depth + 1)) for k, v in obj.items() if k not in SKIP_KEYS))
        return ("stream", head, hashlib.sha256(obj.get_data()).hexdigest())
    if isinstance(obj, DictionaryObject):
        return ("dict", tuple(sorted((k, _canon(v, depth + 1)) for k, v in obj.items() if k not in SKIP_KEYS)))
    if isinstance(obj, ArrayObject):
        return ("array", tuple(_canon(x, depth + 1) for x in obj))
    if isinstance(obj, (FloatObject, NumberObject)):
        return ("num", round(float(obj), 4))
    return (type(obj).__name__, str(obj))


def page_forms(data: bytes) -> list:
    try:
        return [_canon(p) for p in _reader(data).pages]
    except VerificationError:
        raise
    except Exception as exc:  # noqa: BLE001 - a malformed PDF is reported, never a traceback
        raise VerificationError(f"无法读取 PDF 页面 / cannot read the PDF's page: {type(exc).__name__}") from None


def _lines(data: bytes) -> list[str]:
    try:
        text = "\n".join(p.extract_text() or "" for p in _reader(data).pages)
    except Exception:  # noqa: BLE001
        return []
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


def page_differences(shown: bytes, expected: bytes, limit: int = 6) -> list[str]:
    """The text lines that differ between the file's page and the page rendered from the payload."""
    out = []
    for line in difflib.unified_diff(_lines(expected), _lines(shown), lineterm="", n=0):
        if line.startswith(("---", "+++", "@@")):
            continue
        kind = "页面多出 / extra on the page" if line.startswith("+") else "页面缺少 / missing from the page"
        out.append(f"{kind}: {line[1:][:120]}")
        if len(out) >= limit:
            break
    return out or [
        "页面的图形、二维码、字体或隐藏内容与签名内容不符 / the page's graphics, QR code, fonts or hidden content "
        "differ from what was signed"
    ]


def check_page(pdf: bytes, fields: dict[str, Any], payload: str) -> tuple[bool, list[str]]:
    """Whether the file's pages are exactly the certificate rendered from the payload (in either language)."""
    from .render import certificate_pdf

    shown = page_forms(pdf)
    best = None
    for lang in ("zh", "en"):
        expected = certificate_pdf(fields, payload, lang)
        if page_forms(expected) == shown:
            return True, []
        if best is None or (lang == "en" and "Certificate" in " ".join(_lines(pdf))):
            best = expected
    assert best is not None  # set on the first language
    return False, page_differences(pdf, best)


def page_qr_codes(pdf: bytes) -> list[str]:
    """The text of every QR code on the file's pages, read from the rendered image (as a phone would read it).

    Each page is rendered at twice 72 dpi (a 5.4 cm QR code is about 300 pixels); a page where nothing is found is
    tried again at four times, for QR codes shrunk to fit long names."""
    import pypdfium2 as pdfium
    import zxingcpp

    found: list[str] = []
    try:
        doc = pdfium.PdfDocument(pdf)
    except pdfium.PdfiumError as exc:
        raise VerificationError(f"无法读取 PDF 页面 / cannot read the PDF's page: {exc}") from None
    try:
        for page in doc:
            for scale in (2, 4):
                image = page.render(scale=scale, grayscale=True).to_pil()
                codes = [
                    r.text for r in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode))
                ]
                if codes:
                    found += codes
                    break
            page.close()
    finally:
        doc.close()
    return found


def check_qr(pdf: bytes, payload: str, public_keys: dict) -> list[str]:
    """Why the QR codes on the page are not exactly the signed payload (empty when there is one and it is)."""
    try:
        codes = page_qr_codes(pdf)
    except VerificationError as exc:
        return [str(exc)]
    if not codes:
        return ["页面上没有可读取的二维码 / no readable QR code on the page"]
    out = []
    for text in dict.fromkeys(codes):
        if text == payload:
            continue
        try:
            other = verify(text, public_keys).fields.get("no")
        except VerificationError:
            other = None
        if other:
            out.append(
                f"二维码是另一份证书（{other}）的校验码 / the QR code is that of another certificate ({other}): a phone "
                "scanning this page would be shown that certificate"
            )
        else:
            out.append(
                f"二维码内容不是本证书的签名内容：{text[:48]}… / the QR code decodes to something other than this "
                f"certificate's signed payload: {text[:48]}…"
            )
    if len(codes) > 1 and not out:
        out.append(f"页面上有 {len(codes)} 个二维码，应只有一个 / the page carries {len(codes)} QR codes, not one")
    return out


def _parse_date(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def verify_certificate(
    data: bytes | str,
    public_keys: dict,
    revocations: Revocations | dict | None = None,
    *,
    at: date | None = None,
    key_sources: dict[str, str] | None = None,
) -> VerifyResult:
    """Verify a certificate PDF (bytes starting with %PDF) or a payload string as of ``at`` (default today).

    ``key_sources`` names where each key came from (this installation, the trust store, the command line). A plain
    ``{number: reason}`` dict for ``revocations`` is accepted as an unsigned list that applies to any key."""
    at = at or date.today()
    notes: list[str] = []
    pdf = None
    sealed = None
    if isinstance(data, bytes) and data.startswith(b"%PDF"):
        try:
            pdf, sealed = unseal(data, public_keys)
        except VerificationError as exc:
            return VerifyResult("invalid", str(exc))
        if sealed is False:
            return VerifyResult(
                "tampered",
                "文件在签发后被修改（整体签名不符）/ the file was changed after it was issued (file seal does not match)",
            )
        try:
            payload = read_pdf(pdf)
        except VerificationError as exc:
            return VerifyResult("tampered" if "altered" in str(exc) else "invalid", str(exc))
        if payload is None:
            return VerifyResult("invalid", "PDF 中没有证书校验码 / the PDF carries no certificate payload")
    else:
        payload = data.decode("utf-8", errors="replace") if isinstance(data, bytes) else data
    try:
        v = verify(payload, public_keys)
    except VerificationError as exc:
        return VerifyResult("tampered" if "altered" in str(exc) else "invalid", str(exc))
    fields = {k: x for k, x in v.fields.items() if k != "kid"}
    source = (key_sources or {}).get(v.kid, "")
    base = _ResultBase(fields=fields, kid=v.kid, key_source=source)
    number = fields.get("no")
    notes.append(f"签发方 / issuer: {fields.get('by')}；签名密钥 / signing key {v.kid}" + (f"（{source}）" if source else ""))

    if pdf is not None:
        if sealed and isinstance(data, bytes) and data.rfind(b"%SFA-SEAL " + v.kid.encode()) < 0:
            return VerifyResult(
                "tampered", "文件整体签名与证书签名的密钥不同 / the file seal and the payload name different keys", **base
            )
        qr_problems = check_qr(pdf, payload, public_keys)
        if qr_problems:
            return VerifyResult(
                "tampered",
                "页面上的二维码与签名内容不符：证书已被改动 / QR code on the page does not match the signed payload: "
                "the certificate was altered",
                problems=qr_problems,
                **base,
            )
        notes.append("已读取页面上的二维码，与签名内容一致 / QR code on the page decoded: it equals the signed payload")
        same, diffs = check_page(pdf, fields, payload)
        if not same and not sealed:
            return VerifyResult(
                "tampered",
                "证书页面与签名内容不一致：证书已被改动 / the page does not show exactly what was signed: "
                "the certificate was altered",
                problems=diffs,
                **base,
            )
        if sealed:
            notes.append("整体签名正确：文件自签发后未被改动 / file seal verifies: the file is unchanged since it was issued")
            if not same:
                notes.append(
                    "页面版式与当前版本的渲染不同（较早版本签发），由整体签名证明未被改动 / the page was rendered by an "
                    "earlier version; the file seal proves it unchanged"
                )
        else:
            notes.append(
                "文件无整体签名（可能被另存过）；页面与签名内容逐项一致 / no file seal (re-saved?); the page matches "
                "what was signed, object by object"
            )
        if same:
            notes.append("页面文字、二维码与签名内容一致 / the printed text and QR code are exactly what was signed")
    else:
        notes.append(
            "仅核验了校验码（签名、有效期、撤销），未核验证书页面 / only the payload was checked (signature, validity, "
            "revocation), not a certificate page"
        )

    iss, exp = _parse_date(fields.get("iss")), _parse_date(fields.get("exp"))
    if iss is None or exp is None or exp <= iss:
        return VerifyResult("invalid", "证书的有效期无效 / the certificate's validity period is invalid", notes=notes, **base)

    if isinstance(revocations, RevocationMap):
        revocations = revocations.sources
    elif isinstance(revocations, dict):  # an unsigned {number: reason} map, applying to every key
        revocations = Revocations(
            {
                v.kid: RevocationSource(
                    "未签名的撤销列表 / an unsigned revocation list", {n: {"reason": r} for n, r in revocations.items()}
                )
            }
        )
    src = (revocations or Revocations()).by_kid.get(v.kid)
    checked = src is not None
    if src is not None:
        notes.append(f"已核对撤销状态 / revocation checked against: {src.label}")
    else:
        notes.append(
            "未核对撤销状态：没有该签发方签署的撤销列表（可用 certificate trust import 导入）/ revocation NOT checked: "
            "no revocation list signed by this issuer is held (import one with `certificate trust import`)"
        )
    base["revocation_checked"] = checked
    base["checked"] = "page" if pdf is not None else "payload"
    entry = src.entries.get(number) if src and number is not None else None
    if entry is not None:
        when = _parse_date(str(entry.get("revoked_at", ""))[:10])
        if when is None or when <= at:
            return VerifyResult(
                "revoked",
                f"证书 {number} 已被撤销：{entry.get('reason')} / certificate {number} was revoked: {entry.get('reason')}",
                notes=notes,
                **base,
            )
        notes.append(f"该证书已于 {when} 被撤销（晚于核验日期）/ revoked on {when}, after the date checked")
    if at < iss:
        return VerifyResult(
            "invalid",
            f"证书 {number} 在 {at} 尚未生效（发证日期 {iss}）/ certificate {number} was not yet issued on {at} (issued {iss})",
            notes=notes,
            **base,
        )
    if at > exp:
        return VerifyResult(
            "expired",
            f"证书 {number} 已于 {exp} 过期（核验日期 {at}）/ certificate {number} expired on {exp} (checked as of {at})",
            notes=notes,
            **base,
        )
    what = "页面与签名一致" if pdf is not None else "仅核验校验码"
    rev = "" if checked else "；未核对撤销状态 / revocation not checked"
    return VerifyResult(
        "valid",
        f"证书 {number} 真实有效（{what}，有效期至 {exp}，核验日期 {at}）/ certificate {number} is genuine "
        f"and valid on {at}{rev}",
        notes=notes,
        **base,
    )
