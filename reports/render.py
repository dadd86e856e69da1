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

import segno
import typst

from .fonts import font_paths

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
    if warnings:
        raise RenderError(f"{template}: typst warnings (fonts or layout): " + "; ".join(str(getattr(w, 'message', w)) for w in warnings))
    # typst falls back to its bundled fonts without a warning when a glyph is missing: refuse that too
    foreign = sorted({f.decode() for f in re.findall(rb"/BaseFont\s*/[A-Z]{6}\+([A-Za-z0-9-]+)", pdf)
                      if not f.startswith(b"Noto")})
    if foreign:
        raise RenderError(f"{template}: text fell back to {', '.join(foreign)}: a character is missing from the CJK font")
    return pdf


def qr_svg(payload: str) -> str:
    qr = segno.make(payload, error="m", micro=False)
    import io

    buf = io.BytesIO()
    qr.save(buf, kind="svg", scale=4, border=2, xmldecl=False, svgns=True)
    return buf.getvalue().decode("utf-8")


LEVEL = {"zh": {0: "未达到一级", 1: "一级（规划级）", 2: "二级（规范级）", 3: "三级（集成级）", 4: "四级（优化级）", 5: "五级（引领级）"},
         "en": {0: "no level reached", 1: "Level 1 (Planning)", 2: "Level 2 (Standardised)", 3: "Level 3 (Integrated)",
                4: "Level 4 (Optimised)", 5: "Level 5 (Leading)"}}
TIER = {"zh": {"none": "未达到基础级", "basic": "基础级", "advanced": "先进级", "excellent": "卓越级", "leading": "领航级"},
        "en": {"none": "no tier reached", "basic": "Basic", "advanced": "Advanced", "excellent": "Excellent", "leading": "Leading"}}


def certificate_pdf(fields: dict[str, Any], payload: str, lang: str = "zh") -> bytes:
    """Render a certificate from its signed fields (the same fields the QR payload carries)."""
    zh = lang == "zh"
    self_ = fields["kind"] == "self_assessed"
    level = LEVEL[lang][fields["lvl"]]
    tier = TIER[lang][fields["tier"]]
    if zh:
        statement = (f"{fields['ent']}（{fields['fac']}）按 {fields['ed'][0]} 评估，智能制造能力成熟度为{level}，总分 S = {fields['S']}；"
                     f"按 {fields['ed'][1]} 判定，达到{tier}智能工厂要求。")
        if self_:
            statement += "本证书记录企业自评估结果，由本工具按公开资料整理的条款计算，未经评估机构认定。"
    else:
        statement = (f"{fields['ent']} ({fields['fac']}) was assessed under {fields['ed'][0]} at {level}, total score "
                     f"S = {fields['S']}, and under {fields['ed'][1]} meets the {tier} smart-factory tier.")
        if self_:
            statement += " This certificate records a self-assessment computed by this toolkit; no assessment body has certified it."
    L = (lambda a, b: a) if zh else (lambda a, b: b)
    rows = [
        (L("企业名称", "Enterprise"), fields["ent"]),
        (L("统一社会信用代码", "Credit code"), fields.get("code") or "—"),
        (L("评估对象", "Factory"), fields["fac"]),
        (L("成熟度等级", "Maturity level"), f"{level}　S = {fields['S']}"),
        (L("智能工厂层级", "Smart-factory tier"), tier),
        (L("标准版本", "Editions"), " / ".join(fields["ed"])),
        (L("发证日期", "Issued"), fields["iss"]),
        (L("有效期至", "Valid until"), fields["exp"]),
    ]
    data = {
        "lang": lang, "region": "cn" if zh else "gb", "font": "Noto Serif SC",
        "kind": fields["kind"], "payload": payload,
        "header": L("智能制造能力成熟度与智能工厂梯度评估", "Smart-manufacturing maturity and smart-factory tiers"),
        "title": L("智能制造能力成熟度评估证书", "Certificate of Smart-Manufacturing Maturity"),
        "badge": L("自评估 · 未经认定", "SELF-ASSESSED · not certified") if self_ else L("评估认定", "CERTIFIED"),
        "watermark": L("自评估", "SELF-ASSESSED"),
        "number_label": L("证书编号", "Certificate No."), "number": fields["no"],
        "statement": statement, "rows": rows,
        "verify_note": L("扫描二维码，或在本工具“报告”页粘贴二维码内容，即可离线核验本证书；证书内容的任何改动都会被发现。",
                         "Scan the QR code, or paste its content on the toolkit's Reports page, to verify this certificate offline; "
                         "any change to its content is detected."),
        "issuer_label": L("签发", "Issuer"), "issuer": fields["by"],
        "issued_label": L("发证", "Issued"), "issued": fields["iss"],
        "valid_label": L("有效期至", "Valid until"), "valid_until": fields["exp"],
        "digest_label": L("评估数据摘要", "Assessment digest"), "digest": fields["h"],
        "footer": L("条款为本工具依据公开资料自拟（非标准原文），权重为暂定值；成熟度结果为参考性结果，不等同于 CMMM 正式评估等级。有效期为本工具默认值（暂定）。",
                    "Requirement statements are the toolkit's own wording (not the standard's text) and weights are provisional; "
                    "the maturity result is indicative, not a CMMM grade. The validity period is a toolkit default (provisional)."),
    }
    return compile_pdf("certificate.typ", data, qr=qr_svg(payload))
