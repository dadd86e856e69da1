"""Command line, criteria: validate, list, compare and review criteria editions."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .common import UsageError, criteria_root, print_json

_root, _print_json = criteria_root, print_json


def cmd_criteria_check(args) -> int:
    from assessment.checks import check_all
    from assessment.editions import check_maturity_folder, load_registry

    root = Path(args.dir) if args.dir else _root(args)
    if (root / "editions.yaml").exists():
        problems, ok = check_all(root), lambda: f"{len(load_registry(root))} editions in {root}"
        if not problems:  # edition mappings (criteria/mappings) refer to the editions: checked once they load
            from assessment.mappings import check_mappings

            problems = check_mappings(root)
    elif (root / "model.yaml").exists():  # a single maturity edition folder, checked on its own
        problems, ok = check_maturity_folder(root), lambda: str(root)
    else:
        raise UsageError(f"{root}: no editions.yaml here (is this a criteria directory or a maturity edition folder?)")
    for p in problems:
        print(p)
    if problems:
        print(f"{len(problems)} problem(s)", file=sys.stderr)
        return 1
    print(f"criteria OK: {ok()}")
    return 0


def _maturity_rows(ed) -> list[dict]:
    rows = []
    for r in ed.requirements:
        if r.withdrawn:
            continue
        element, domain, sub = ed.path(r.id)
        rows.append(
            {
                "id": r.id,
                "level": r.level,
                "subdomain": sub,
                "domain": domain,
                "element": element,
                "industry_types": [t.value for t in ed.req_industries(r)],
                "text_zh": r.text_zh,
                "text_en": r.text_en,
                "evidence_zh": r.evidence_zh,
                "evidence_en": r.evidence_en,
                "provenance": r.provenance.kind.value,
                "provenance_ref": r.provenance.ref,
                "review": r.review.model_dump(mode="json", exclude_none=True) if r.review else None,
            }
        )
    return rows


def cmd_criteria_list(args) -> int:
    from assessment.editions import load_maturity, load_registry

    root = _root(args)
    reg = load_registry(root)
    if args.edition not in reg:
        raise UsageError(f"unknown edition {args.edition!r}; known: {', '.join(reg)}")
    kind = reg[args.edition].kind
    if kind == "maturity":
        rows = _maturity_rows(load_maturity(args.edition, root))
        cols = ("id", "level", "subdomain", "text_zh")
    elif kind == "scenarios":
        from assessment.scenarios import load_catalogue

        rows = load_catalogue(args.edition, root).rows()
        cols = ("id", "link", "dimension", "name")
    elif kind == "smart_factory":
        from assessment.tiers import load_tier_edition

        rows = load_tier_edition(args.edition, root).rows()
        cols = ("id", "tier", "kind", "message_zh")
    else:
        from assessment.declarations import load_declarations

        rows = load_declarations(args.edition, root).rows()
        cols = ("id", "programme", "kind", "message_zh")
    if args.json:
        _print_json(rows)
    else:
        for row in rows:
            print("  ".join(str(row.get(c, "")) for c in cols))
        print(f"{len(rows)} 条 / items")
    return 0


def cmd_criteria_diff(args) -> int:
    from assessment.diff import diff
    from assessment.editions import load_maturity, load_registry
    from assessment.mappings import mapping_summary, render_mapping

    root = _root(args)
    reg = load_registry(root)
    for e in (args.a, args.b):
        if e not in reg:
            raise UsageError(f"unknown edition {e!r}; known: {', '.join(reg)}")
    mapping = mapping_summary(args.a, args.b, root)
    if reg[args.a].kind != "maturity" or reg[args.b].kind != "maturity":  # tier editions: the rule mapping only
        if mapping is None:
            raise UsageError(
                f"criteria diff compares maturity editions, or editions with a mapping; none from {args.a} to {args.b}"
            )
        if args.json:
            _print_json({"from": args.a, "to": args.b, "mapping": mapping})
        else:
            print(render_mapping(args.a, args.b, mapping))
        return 0
    d = diff(load_maturity(args.a, root), load_maturity(args.b, root))
    d["mapping"] = mapping
    if args.json:
        _print_json(d)
        return 0
    print(f"{d['from']} → {d['to']}")
    for section in ("subdomains", "requirements"):
        part = d[section]
        print(f"\n[{section}] added {len(part['added'])}, removed {len(part['removed'])}, changed {len(part['changed'])}")
        for k in ("added", "removed"):
            for item in part[k]:
                print(f"  {'+' if k == 'added' else '-'} {item}")
        for item in part["changed"]:
            print(f"  ~ {item['id']}: {', '.join(item['fields'])}")
    print(f"\n[weights] changed {len(d['weights'])}")
    for w in d["weights"]:
        print(f"  ~ {w['node']}: {w['from']} → {w['to']}")
    if mapping is not None:
        print("\n" + render_mapping(args.a, args.b, mapping))
    return 0


def cmd_criteria_review(args) -> int:
    """Export a maturity edition for an expert's review (``-o``), or record the verdicts of a filled-in sheet."""
    from datetime import date

    from assessment.editions import load_maturity, load_registry
    from assessment.loader import read_input_bytes
    from assessment.review import record_reviews
    from assessment.schema import Review
    from assessment.store.text import check_text
    from reports.review_sheet import read_review_sheet, write_review_sheet

    root = _root(args)
    reg = load_registry(root)
    if args.edition not in reg or reg[args.edition].kind != "maturity":
        known = ", ".join(k for k, v in reg.items() if v.kind == "maturity")
        raise UsageError(f"{args.edition!r} is not a maturity edition; known: {known}")
    if bool(args.output) == bool(args.import_file):
        raise UsageError("give -o FILE.xlsx to export the review sheet, or --import FILE.xlsx to record its verdicts")
    ed = load_maturity(args.edition, root)
    if args.output:
        if args.by or args.date:
            raise UsageError("--by and --date go with --import")
        Path(args.output).write_bytes(write_review_sheet(ed))
        counts = ed.review_counts()
        print(
            f"wrote {args.output}: {sum(counts.values())} requirements of {ed.id} "
            f"(reviewed {sum(counts.values()) - counts['none']}, not reviewed {counts['none']})"
        )
        return 0
    prefixes = {load_maturity(e, root).model.id_prefix: e for e, v in reg.items() if v.kind == "maturity"}
    sheet = read_review_sheet(read_input_bytes(Path(args.import_file)), ed, prefixes)
    for row, problem in sheet.problems:
        print(f"{args.import_file}: row {row}: {problem}", file=sys.stderr)
    if sheet.problems:
        raise UsageError(f"{len(sheet.problems)} row(s) refused; nothing written (fix them and import again)")
    try:
        by = check_text(args.by, field=("审核人", "reviewer"), max_len=80)
    except ValueError as exc:
        raise UsageError(f"--by: {exc}") from None
    if by and sheet.reviewer and by != sheet.reviewer:
        raise UsageError(f"the sheet names the reviewer {sheet.reviewer!r} (row 2) but --by says {by!r}; nothing written")
    by = by or sheet.reviewer
    if not by:
        raise UsageError("no reviewer: fill in row 2 of the sheet or give --by NAME; nothing written")
    when = sheet.date
    if args.date:
        try:
            given = date.fromisoformat(args.date)
        except ValueError:
            raise UsageError(f"--date {args.date!r}: expected a date YYYY-MM-DD") from None
        if when and when != given:
            raise UsageError(f"the sheet is dated {when} (row 3) but --date says {given}; nothing written")
        when = given
    when = when or date.today()
    if not sheet.rows:
        raise UsageError(f"{args.import_file}: no verdicts filled in; nothing written")
    reviews = {rid: Review(status=s, by=by, date=when, comment=c) for rid, (s, c) in sheet.rows.items()}
    done = record_reviews(ed.id, reviews, root)
    c = done.counts
    print(
        f"recorded {len(reviews)} review(s) of {ed.id} by {by}, {when}: approved {c['approved']}, changes requested "
        f"{c['changes_requested']}, rejected {c['rejected']}; {len(done.files)} file(s) changed, {done.replaced} earlier "
        "review(s) replaced"
    )
    counts = load_maturity(ed.id, root).review_counts()
    print(
        f"{ed.id} now: approved {counts['approved']}, changes requested {counts['changes_requested']}, rejected "
        f"{counts['rejected']}, not reviewed {counts['none']}"
    )
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``criteria`` commands to the top-level parser's sub-parsers."""
    c = sub.add_parser("criteria", help="validate, list and compare criteria editions").add_subparsers(dest="cmd", required=True)
    x = c.add_parser("check", help="validate shipped (or given) criteria")
    x.add_argument("dir", nargs="?")
    x.set_defaults(func=cmd_criteria_check)
    x = c.add_parser("list", help="list an edition's requirements, scenarios or rules")
    x.add_argument("edition")
    x.add_argument("--json", action="store_true")
    x.set_defaults(func=cmd_criteria_list)
    x = c.add_parser("diff", help="compare two maturity editions")
    x.add_argument("a")
    x.add_argument("b")
    x.add_argument("--json", action="store_true")
    x.set_defaults(func=cmd_criteria_diff)
    x = c.add_parser(
        "review",
        help="expert review: export a maturity edition's requirements (-o FILE.xlsx) or record a filled-in sheet's "
        "verdicts into the criteria files (--import FILE.xlsx)",
    )
    x.add_argument("edition")
    x.add_argument("-o", "--output", help="write the review sheet (.xlsx)")
    x.add_argument("--import", dest="import_file", metavar="FILE", help="a filled-in review sheet to record")
    x.add_argument("--by", help="the reviewer's name (default: row 2 of the sheet)")
    x.add_argument("--date", help="the review date YYYY-MM-DD (default: row 3 of the sheet, else today)")
    x.set_defaults(func=cmd_criteria_review)
