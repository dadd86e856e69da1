"""Command line, maturity: answers templates and scoring (``maturity rescore`` is registered by :mod:`cli.planning`)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

from .common import UsageError, criteria_root, print_json

_root, _print_json = criteria_root, print_json


def cmd_maturity_template(args) -> int:
    from assessment.answers import template
    from assessment.editions import load_maturity

    ed = load_maturity(args.edition, _root(args))
    if args.industry not in ed.industry_types():
        raise UsageError(f"industry {args.industry!r} is not one of {', '.join(ed.industry_types())}")
    if args.format == "xlsx":
        from assessment.answer_sheet import write_sheet

        if not args.output:
            raise UsageError("--format xlsx needs -o FILE.xlsx")
        Path(args.output).write_bytes(write_sheet(ed, args.industry))
        print(f"wrote {args.output}: {len(ed.applicable_requirements(args.industry))} requirements")
        return 0
    doc = template(ed, args.industry)
    header = f"# 自评估答题模板 {ed.id} ({args.industry}); grades: 1 | 0.8 | 0.5 | 0 | na; leave null for not assessed\n"
    text = header + yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"wrote {args.output}: {len(doc['answers'])} requirements")
    else:
        sys.stdout.write(text)
    return 0


def cmd_maturity_score(args) -> int:
    from assessment import labels
    from assessment.answer_sheet import read_answers_path
    from assessment.maturity import score

    answers, ed = read_answers_path(Path(args.answers), root=_root(args))
    if args.target is not None and not 1 <= args.target <= len(ed.levels):
        raise UsageError(f"--target must be a level from 1 to {len(ed.levels)}")
    res = score(answers, ed, target_level=args.target)
    if args.json:
        _print_json(res.model_dump(mode="json"))
        return 0
    print(f"标准版本 Edition: {res.edition}    行业类型 Industry: {res.industry}")
    print(
        f"总分 S = {labels.score_text(res.score)}    成熟度等级 Level: {labels.level(res.level, 'zh', edition=res.edition, root=_root(args))}"
        + (f"   (逐级门控 gate: {res.gate_level}，临界 borderline)" if res.borderline else "")
    )
    print(
        f"完整性: {'完整' if res.complete else '不完整 incomplete'} — 已答 {res.answered}/{res.total}，"
        f"未评 {res.not_assessed}，不适用 {res.not_applicable}"
    )
    print("\n等级  得分 X_n  达标(≥{:.1f})  计入S".format(res.threshold))
    for n, x in res.level_scores.items():
        counted = int(n) <= res.levels_counted
        print(f"  {n}    {x:6.3f}     {'是' if res.level_passed(n) else '否'}         {'是' if counted else '—'}")
    print("\n子域 Sub-domain            " + "  ".join(f"L{n}   " for n in res.level_scores))
    for sd in res.subdomains:
        cells = "  ".join(f"{labels.node_score(v):>5}" for v in sd.level_scores.values())
        print(f"  {sd.name_zh:<10}{'':<{max(0, 14 - len(sd.name_zh))}}{cells}")
    if res.gaps:
        print(
            f"\n升至{labels.level(res.target_level, 'zh', edition=res.edition, root=_root(args))}的主要差距（按对 S 的提升排序，前 10 项）:"
        )
        for g in res.gaps[:10]:
            print(f"  +{g.gain_s:.3f}  L{g.level}  {g.id}  {g.text_zh}")
    prov = ", ".join(f"{k} {v}" for k, v in sorted(res.provenance.items()))
    print(f"\n条款来源 Provenance: {prov}（非官方条款，结果仅供参考 / indicative, not a CMMM grade）")
    return 0


def register(sub: argparse._SubParsersAction) -> argparse._SubParsersAction:
    """Add the ``maturity`` commands to the top-level parser's sub-parsers."""
    m = sub.add_parser("maturity", help="answers templates and scoring").add_subparsers(dest="cmd", required=True)
    x = m.add_parser("template", help="write a blank answers file")
    x.add_argument("edition")
    x.add_argument("--industry", required=True, choices=["discrete", "process"])
    x.add_argument(
        "--format",
        choices=["yaml", "xlsx"],
        default="yaml",
        help="yaml (default) or xlsx: the questionnaire sheet with requirement texts and a grade drop-down",
    )
    x.add_argument("-o", "--output")
    x.set_defaults(func=cmd_maturity_template)
    x = m.add_parser("score", help="score an answers file (YAML, JSON or the .xlsx questionnaire)")
    x.add_argument("answers")
    x.add_argument("--target", type=int, help="list the gaps toward this level (default: the next level)")
    x.add_argument("--json", action="store_true")
    x.set_defaults(func=cmd_maturity_score)
    return m
