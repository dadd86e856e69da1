"""Command line, report: render reports, exports, the recommendation summary and batches."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .common import UsageError, database

_db = database


def cmd_report_render(args) -> int:
    from reports import service

    settings, Session = _db()
    with Session() as s:
        if args.format == "pdf":
            data = service.render_report(args.assessment, session=s, root=settings.criteria_dir, lang=args.lang)
        elif args.format == "xlsx":
            data = service.workbook(args.assessment, session=s, root=settings.criteria_dir)
        else:
            data = service.declaration_draft(args.assessment, args.programme, session=s, root=settings.criteria_dir)
    Path(args.out).write_bytes(data)
    print(f"wrote {args.out} ({len(data)} bytes)")
    return 0


def cmd_report_summary(args) -> int:
    from reports import service

    region = {"kind": args.region_kind}
    if args.cumulative_provincial_pilots is not None:
        if args.cumulative_provincial_pilots < 0:
            raise UsageError("--cumulative-provincial-pilots: expected a count of 0 or more")
        region["cumulative_provincial_pilots"] = args.cumulative_provincial_pilots
    settings, Session = _db()
    with Session() as s:
        p = service.recommendation_plan(
            args.assessment or None, args.recommender or "", args.programme, session=s, root=settings.criteria_dir, region=region
        )
    from reports.summary import FACTORIES, SCENARIOS, summary_xlsx

    data = summary_xlsx(p)
    Path(args.out).write_bytes(data)
    print(
        f"wrote {args.out}: 优秀场景 {len(p.listed[SCENARIOS])}/{p.quota[SCENARIOS]}, 示范工厂 {len(p.listed[FACTORIES])}/"
        f"{p.quota[FACTORIES]} (listed/quota), 未列入 not listed {len(p.left_out)}"
    )
    return 0


def cmd_report_batch(args) -> int:
    from reports.batch import run_batch

    settings, Session = _db()
    stats = run_batch(
        Path(args.out),
        Session=Session,
        settings=settings,
        assessment_ids=args.assessment or None,
        force=args.force,
        reports=args.reports,
        lang=args.lang,
    )
    print(
        f"rendered {stats.rendered}, skipped {stats.skipped} (already up to date), failed {len(stats.failed)} "
        f"in {stats.seconds:.1f} s → {args.out}"
    )
    for aid, err in stats.failed:
        print(f"  assessment {aid}: {err}", file=sys.stderr)
    return 1 if stats.failed else 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``report`` commands to the top-level parser's sub-parsers."""
    r = sub.add_parser("report", help="render reports and exports").add_subparsers(dest="cmd", required=True)
    x = r.add_parser("render", help="render one assessment's report (pdf), workbook (xlsx) or declaration draft (docx)")
    x.add_argument("assessment", type=int)
    x.add_argument("--out", required=True)
    x.add_argument("--format", choices=["pdf", "xlsx", "docx"], default="pdf")
    x.add_argument("--programme", default="demo_factory_2023", help="for docx: the programme whose form to follow")
    x.add_argument("--lang", choices=["zh", "en"], default="zh")
    x.set_defaults(func=cmd_report_render)
    x = r.add_parser(
        "summary",
        help="推荐汇总表 (annex 4): eligible applicants, one row per enterprise, ranked and cut to "
        "the recommender's quota (A4 landscape .xlsx)",
    )
    x.add_argument("--programme", required=True, help="a programme of the call, e.g. demo_factory_2023")
    x.add_argument("--out", required=True)
    x.add_argument(
        "--assessment",
        type=int,
        action="append",
        help="only these assessments (default: each factory's latest, archived ones left out)",
    )
    x.add_argument("--recommender", help="the recommender's name, printed after 推荐单位（盖章）")
    x.add_argument(
        "--region-kind",
        choices=["province", "separately_planned_city", "bingtuan", "central_soe"],
        default="province",
        help="the recommender: province (default), separately planned city, 兵团, central SOE group",
    )
    x.add_argument(
        "--cumulative-provincial-pilots",
        type=int,
        help="省级智能制造试点示范项目累计数量 (the 2023 provincial quota depends on it: more than 300 raises it)",
    )
    x.set_defaults(func=cmd_report_summary)
    x = r.add_parser("batch", help="certificates (and reports) for many factories; resumable")
    x.add_argument("--out", required=True)
    x.add_argument("--assessment", type=int, action="append", help="only these assessments (default: each factory's latest)")
    x.add_argument("--force", action="store_true", help="render again even when up to date")
    x.add_argument("--reports", action="store_true", help="also render the assessment report")
    x.add_argument("--lang", choices=["zh", "en"], default="zh")
    x.set_defaults(func=cmd_report_batch)
