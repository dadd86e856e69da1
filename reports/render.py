"""PDF rendering with typst: certificates and assessment reports, in Chinese (and English).

Fonts come from the pip package; typst ignores system fonts, and any typst warning (a missing
font gives one) is a hard error, so a PDF never ships with tofu boxes.
"""

from __future__ import annotations

import json
import re
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

import typst

from assessment import labels

from .fonts import BOLD_FAMILY, font_paths

TEMPLATES = Path(__file__).resolve().parent / "templates"
_LOCK = threading.Lock()  # one typst compiler per template, not safe to share across threads


class RenderError(RuntimeError):
    pass


@lru_cache(maxsize=8)
def _compiler(template: str) -> typst.Compiler:
    dirs = sorted({str(p.parent) for p in font_paths().values()})
    return typst.Compiler(input=str(TEMPLATES / template), root=str(TEMPLATES), font_paths=dirs, ignore_system_fonts=True)


def compile_pdf(template: str, data: dict[str, Any], **svgs: str) -> bytes:
    inputs = {"data": json.dumps(data, ensure_ascii=False), **svgs}
    with _LOCK:
        try:
            # pdf_tags=False: poppler (pdffonts, pdftotext) reports typst's /MarkInfo as a syntax error
            pdf, warnings = _compiler(template).compile_with_warnings(format="pdf", sys_inputs=inputs, pdf_tags=False)
        except typst.TypstError as exc:
            raise RenderError(f"{template}: {exc}") from None
    assert isinstance(pdf, bytes)  # format="pdf" gives one document
    if warnings:
        raise RenderError(
            f"{template}: typst warnings (fonts or layout): " + "; ".join(str(getattr(w, "message", w)) for w in warnings)
        )
    # typst falls back to its bundled fonts without a warning when a glyph is missing: refuse that too
    foreign = sorted(
        {f.decode() for f in re.findall(rb"/BaseFont\s*/[A-Z]{6}\+([A-Za-z0-9-]+)", pdf) if not f.startswith(b"Noto")}
    )
    if foreign:
        raise RenderError(f"{template}: text fell back to {', '.join(foreign)}: a character is missing from the CJK font")
    return pdf


def qr_matrix(payload: str):
    """The QR code's modules (True = dark), error correction M, encoded by zxing-cpp (C++, with its own choice of
    mask): a few milliseconds, where a pure-Python encoder took most of a certificate's time."""
    import numpy as np
    import zxingcpp

    code = zxingcpp.create_barcode(payload, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
    return np.asarray(code.to_image(scale=1, add_quiet_zones=False)) == 0


def qr_svg(payload: str) -> str:
    """The QR code as a compact SVG: one path of horizontal runs of dark modules, with a 2-module white border."""
    import numpy as np

    dark = qr_matrix(payload)
    border = 2
    padded = np.pad(dark.astype(np.int8), ((0, 0), (1, 1)))
    rows = []
    for y, row in enumerate(np.diff(padded, axis=1)):
        starts, ends = np.flatnonzero(row == 1), np.flatnonzero(row == -1)
        rows += [f"M{a + border} {y + border}h{b - a}v1h{a - b}z" for a, b in zip(starts.tolist(), ends.tolist())]
    size = dark.shape[0] + 2 * border
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" width="{size * 4}" height="{size * 4}" '
        f'shape-rendering="crispEdges"><rect width="{size}" height="{size}" fill="#fff"/>'
        f'<path fill="#000" d="{"".join(rows)}"/></svg>'
    )


# Level and tier names for certificates and reports: from assessment.labels (the criteria data), in the words a
# certificate prints (its page is re-derived from the signed payload, so these must stay stable).
LEVEL = {lang: {n: labels.level(n, lang) for n in range(0, 6)} for lang in ("zh", "en")}
TIER = {
    lang: {tid: labels.tier(tid, lang) for tid in ("none", "basic", "advanced", "excellent", "leading")} for lang in ("zh", "en")
}


MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def official_date(iso: str, lang: str) -> str:
    """2026-11-29 → 2026年11月29日 / 29 November 2026."""
    y, m, d = (int(x) for x in iso.split("-"))
    return f"{y}年{m}月{d}日" if lang == "zh" else f"{d} {MONTHS[m - 1]} {y}"


def standard_names(edition: str, lang: str) -> str:
    """The official names behind an edition id (maturity/2020 → GB/T 39116-2020《智能制造能力成熟度模型》…)."""
    return labels.edition_title(edition, lang)


FULL_WIDTH = str.maketrans(
    {
        "（": "(",
        "）": ")",
        "，": ", ",
        "：": ": ",
        "；": "; ",
        "。": ". ",
        "、": ", ",
        "“": '"',
        "”": '"',
        "‘": "'",
        "’": "'",
        "《": "",
        "》": "",
        "！": "!",
        "？": "?",
        "　": " ",
    }
)


def english(text: str) -> str:
    """English text without full-width punctuation (names keep their characters, their brackets become ASCII)."""
    return re.sub(r" +", " ", text.translate(FULL_WIDTH)).replace(" )", ")").strip()


def issuer_name(by: str, lang: str) -> str:
    """An issuer configured as 「中文 / English」 prints in the certificate's language."""
    parts = re.split(r"\s*/\s+", by, maxsplit=1)
    return (parts[0] if lang == "zh" else parts[1]) if len(parts) == 2 else by


def certificate_pdf(fields: dict[str, Any], payload: str, lang: str = "zh") -> bytes:
    """Render a certificate from its signed fields (the same fields the QR payload carries), and nothing else: the
    verifier renders it again from the payload and compares the pages."""
    from assessment.signing import payload_kid

    zh = lang == "zh"
    L = (lambda a, b: a) if zh else (lambda a, b: english(b))
    self_ = fields["kind"] == "self_assessed"
    lvl, tier_id = fields["lvl"], fields["tier"]
    level, tier = LEVEL[lang][lvl], TIER[lang][tier_id]
    maturity_std, tier_std = standard_names(fields["ed"][0], lang), standard_names(fields["ed"][1], lang)
    ent, fac, S = fields["ent"], fields["fac"], fields["S"]
    if zh:
        result = (
            f"智能制造能力成熟度为{level}，总分 S\u00a0=\u00a0{S}"
            if lvl
            else f"智能制造能力成熟度未达到一级（总分 S\u00a0=\u00a0{S}）"
        )
        reached = f"达到{tier}智能工厂要求" if tier_id != "none" else "未达到基础级智能工厂要求"
        statement = f"{ent}（{fac}）按 {maturity_std}评估，{result}；按{tier_std}判定，{reached}。"
        if self_:
            statement += "本证书记录企业自评估结果，由本工具按公开资料整理的条款计算，未经评估机构认定。"
    else:
        result = f"at {level}, total score S\u00a0=\u00a0{S}" if lvl else f"below Level 1 (total score S\u00a0=\u00a0{S})"
        reached = (
            f"meets the {tier} smart-factory tier" if tier_id != "none" else "does not yet meet the Basic smart-factory tier"
        )
        statement = f"{ent} ({fac}) was assessed under {maturity_std} {result}, and under {tier_std} {reached}."
        if self_:
            statement += (
                " This certificate records a self-assessment computed by this toolkit; no assessment body has certified it."
            )
    issued, valid = official_date(fields["iss"], lang), official_date(fields["exp"], lang)
    rows = [
        (L("企业名称", "Enterprise"), ent),
        (L("统一社会信用代码", "Unified social credit code"), fields.get("code") or "—"),
        (L("评估对象", "Factory assessed"), fac),
        (L("成熟度等级", "Maturity level"), level),
        (L("成熟度总分", "Maturity score"), f"S\u00a0=\u00a0{S}"),
        (L("智能工厂层级", "Smart-factory tier"), tier),
        (L("评估依据", "Assessed under"), f"{maturity_std}；{tier_std}" if zh else f"{maturity_std}; {tier_std}"),
        (L("发证日期", "Date of issue"), issued),
        (L("有效期至", "Valid until"), valid),
    ]
    data = {
        "lang": lang,
        "region": "cn" if zh else "gb",
        "font": "Noto Serif SC",
        "bold_font": BOLD_FAMILY,
        "colon": "：" if zh else ": ",
        "title_size": 26 if zh else 22,
        "watermark_size": 64 if zh else 50,
        "kind": fields["kind"],
        "payload": payload,
        "header": L("智能制造能力成熟度与智能工厂梯度评估", "Smart-manufacturing maturity and smart-factory tiers"),
        "title": L("智能制造能力成熟度评估证书", "Certificate of Smart-Manufacturing Maturity"),
        "badge": L("自评估 · 未经认定", "SELF-ASSESSED · not certified") if self_ else L("评估认定", "CERTIFIED"),
        "watermark": L("自评估", "SELF-ASSESSED"),
        "number_label": L("证书编号", "Certificate No."),
        "number": fields["no"],
        "statement": statement if zh else english(statement),
        "rows": [(a, b if zh else english(b)) for a, b in rows],
        "verify_note": L(
            "扫描二维码，或在本工具“证书核验”页上传本证书或粘贴二维码内容，即可离线核验；证书内容的任何改动都会被发现。",
            "Scan the QR code, or upload this certificate or paste the QR content on the toolkit's Verify page, "
            "to verify it offline; any change to its content is detected.",
        ),
        "issuer_label": L("签发方", "Issuer"),
        "issuer": L(issuer_name(fields["by"], "zh"), issuer_name(fields["by"], "en")),
        "key_label": L("签发密钥", "Signing key"),
        "key": payload_kid(payload) or "—",
        "digest_label": L("评估数据摘要", "Assessment digest"),
        "digest": fields["h"],
        "footer": L(
            "条款为本工具依据公开资料自拟（非标准原文），权重为暂定值；成熟度结果为参考性结果，不等同于 CMMM 正式评估等级。有效期为本工具默认值（暂定）。",
            "Requirement statements are the toolkit's own wording (not the standard's text) and weights are provisional; "
            "the maturity result is indicative, not a CMMM grade. The validity period is a toolkit default (provisional).",
        ),
    }
    return compile_pdf("certificate.typ", data, qr=qr_svg(payload))
