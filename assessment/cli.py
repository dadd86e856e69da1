"""Command line: ``python -m assessment …`` (a stable contract, documented in the README).

Exit codes: 0 success; 1 ``criteria check`` found problems; 2 bad input (one line on stderr).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, Callable

import yaml

from .cli_common import UsageError, criteria_root, database, get_settings, print_json
from .cli_planning import add_commands  # issue 14: plan, maturity rescore, portfolio, demo population

_root, _print_json = criteria_root, print_json


# -- criteria ------------------------------------------------------------------------------


def cmd_criteria_check(args) -> int:
    from .checks import check_all
    from .editions import check_maturity_folder, load_registry

    root = Path(args.dir) if args.dir else _root(args)
    if (root / "editions.yaml").exists():
        problems, ok = check_all(root), lambda: f"{len(load_registry(root))} editions in {root}"
        if not problems:  # edition mappings (criteria/mappings) refer to the editions: checked once they load
            from .mappings import check_mappings

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
    from .editions import load_maturity, load_registry

    root = _root(args)
    reg = load_registry(root)
    if args.edition not in reg:
        raise UsageError(f"unknown edition {args.edition!r}; known: {', '.join(reg)}")
    kind = reg[args.edition].kind
    if kind == "maturity":
        rows = _maturity_rows(load_maturity(args.edition, root))
        cols = ("id", "level", "subdomain", "text_zh")
    elif kind == "scenarios":
        from .scenarios import load_catalogue

        rows = load_catalogue(args.edition, root).rows()
        cols = ("id", "link", "dimension", "name")
    elif kind == "smart_factory":
        from .tiers import load_tier_edition

        rows = load_tier_edition(args.edition, root).rows()
        cols = ("id", "tier", "kind", "message_zh")
    else:
        from .declarations import load_declarations

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
    from .diff import diff
    from .editions import load_maturity, load_registry
    from .mappings import mapping_summary, render_mapping

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

    from reports.review_sheet import read_review_sheet, write_review_sheet

    from .editions import load_maturity, load_registry
    from .loader import read_input_bytes
    from .review import record_reviews
    from .schema import Review
    from .store.text import check_text

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


# -- maturity ------------------------------------------------------------------------------


def cmd_maturity_template(args) -> int:
    from .answers import template
    from .editions import load_maturity

    ed = load_maturity(args.edition, _root(args))
    if args.industry not in ed.industry_types():
        raise UsageError(f"industry {args.industry!r} is not one of {', '.join(ed.industry_types())}")
    if args.format == "xlsx":
        from .answer_sheet import write_sheet

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
    from . import labels
    from .answer_sheet import read_answers_path
    from .maturity import score

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


# -- tiers and declarations (issue 3) -------------------------------------------------------


def cmd_tier_evaluate(args) -> int:
    from .engine import evaluate
    from .explain import render_tiers
    from .registry import editions_for, read_inputs

    inputs = read_inputs(Path(args.profile), root=_root(args))
    res = evaluate(inputs, editions_for(inputs, tier_edition=args.edition, root=_root(args))).tiers
    if args.json:
        _print_json(res.model_dump(mode="json"))
    else:
        print(render_tiers(res, root=_root(args)))
    return 0


def cmd_declare_check(args) -> int:
    from .editions import DECLARATIONS_EDITION
    from .engine import evaluate
    from .explain import render_declarations
    from .registry import editions_for, read_inputs

    inputs = read_inputs(Path(args.profile), root=_root(args))
    editions = editions_for(inputs, declarations=args.edition or DECLARATIONS_EDITION, root=_root(args))
    if args.programme and args.programme not in editions.declarations.programmes:
        raise UsageError(f"unknown programme {args.programme!r}; known: {', '.join(editions.declarations.programmes)}")
    res = evaluate(inputs, editions).declarations
    if args.programme:
        res = res.model_copy(update={"programmes": {args.programme: res.programmes[args.programme]}})
    if args.json:
        _print_json(res.model_dump(mode="json"))
    else:
        print(render_declarations(res, root=_root(args)))
    return 0


# -- certificates and reports (rendering lives in the reports package, imported only here) -----------


_db = database


def _verify_date(text: str | None):
    from datetime import date

    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"--at {text!r}: expected a date YYYY-MM-DD") from None


def cmd_certificate_verify(args) -> int:
    from reports import service

    path = Path(args.file)
    if args.file == "-":
        data: bytes | str = sys.stdin.read()
    elif args.file.startswith("SFA1."):
        data = args.file
    elif path.is_file():
        data = path.read_bytes()
        if not data.startswith(b"%PDF"):
            data = data.decode("utf-8", errors="replace")
    else:
        raise UsageError(f"{args.file}: no such file (give a PDF, a file with the payload text, or the payload itself)")
    at = _verify_date(args.at)
    settings = get_settings()
    pems = [Path(p).read_text(encoding="utf-8") for p in args.public_key]
    docs = []
    for f in args.revocations:
        try:
            docs.append(json.loads(Path(f).read_text(encoding="utf-8")))
        except (OSError, ValueError) as exc:
            raise UsageError(f"{f}: not a revocation list ({exc})") from None
    if service.keystore(settings).public_keys():  # this installation has issued: its database holds its revocations
        _, Session = _db()
        with Session() as s:
            res = service.verify(data, settings=settings, session=s, at=at, extra_pems=pems, revocation_docs=docs)
    else:  # never create a database or a key just to verify
        res = service.verify(data, settings=settings, at=at, extra_pems=pems, revocation_docs=docs)
    if args.json:
        _print_json(res.as_dict())
    else:
        print(f"{res.status}: {res.message}")
        for p in res.problems:
            print(f"  ✗ {p}")
        for n in res.notes:
            print(f"  · {n}")
        for k, v in res.fields.items():
            print(f"  {k}: {v}")
    return 0 if res.ok else 1


def cmd_certificate_issue(args) -> int:
    from reports import service

    settings, Session = _db()
    with Session.begin() as s:
        cert = service.issue_certificate(args.assessment, session=s, settings=settings, actor=args.actor)
        pdf = service.render_certificate(cert, settings, args.lang)
        number = cert.number
    Path(args.out).write_bytes(pdf)
    print(f"issued {number} → {args.out}")
    return 0


def cmd_certificate_render(args) -> int:
    from reports import service

    from .store import repository as repo

    settings, Session = _db()
    with Session() as s:
        pdf = service.render_certificate(repo.get_certificate(args.number, session=s), settings, args.lang)
    Path(args.out).write_bytes(pdf)
    print(f"rendered {args.number} → {args.out}")
    return 0


def cmd_certificate_revoke(args) -> int:
    from .store import repository as repo

    _, Session = _db()
    with Session.begin() as s:
        repo.revoke_certificate(args.number, args.reason, session=s, actor=args.actor)
    print(f"revoked {args.number}")
    return 0


def cmd_certificate_revocations(args) -> int:
    from reports import service

    settings, Session = _db()
    with Session() as s:
        doc = service.signed_revocation_list(session=s, settings=settings)
    text = json.dumps(doc, ensure_ascii=False, indent=2)
    if args.out:
        Path(args.out).write_text(text + "\n", encoding="utf-8")
        print(f"wrote {args.out}: {len(doc['revoked'])} revoked, signed by {', '.join(doc['keys'])}")
    else:
        print(text)
    return 0


def cmd_keys_list(args) -> int:
    from reports import service

    infos = service.keystore(get_settings()).list()
    if args.json:
        _print_json([{"kid": i.kid, "status": i.status, "created": i.created} for i in infos])
    elif not infos:
        print("本机尚无签名密钥（签发第一份证书时创建）/ no signing key yet (created with the first certificate)")
    for i in infos if not args.json else ():
        print(f"{i.kid}  {i.status:<8} {i.created}")
    return 0


def cmd_keys_rotate(args) -> int:
    from reports import service

    from .keystore import make_private_dir
    from .signing import key_id

    settings = get_settings()
    make_private_dir(settings.data_dir)
    old, key = service.keystore(settings).rotate()
    new = key_id(key.public_key())
    if old:
        print(f"retired {old} (kept: it still verifies and renders the certificates it signed); active {new}")
    else:
        print(f"created {new} (no active key before: certificates signed by a missing key cannot be rendered again)")
    print("export the new public key to those who verify your certificates: certificate keys export-public", file=sys.stderr)
    return 0


def cmd_keys_export_public(args) -> int:
    from reports import service

    settings = get_settings()
    text = service.keystore(settings).export_public(settings.issuer_name)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
        print(f"wrote {args.out}")
    else:
        print(text, end="")
    return 0


def cmd_keys_backup(args) -> int:
    from reports import service

    n = service.keystore(get_settings()).backup(Path(args.out))
    print(f"wrote {args.out}: {n} key(s), mode 0600 — keep it offline; anyone holding it can issue certificates in your name")
    return 0


def cmd_keys_restore(args) -> int:
    from reports import service

    from .keystore import make_private_dir

    settings = get_settings()
    make_private_dir(settings.data_dir)
    added = service.keystore(settings).restore(Path(args.archive))
    print(f"restored {len(added)} key(s): {', '.join(added) or '(all were already here)'}")
    return 0


def cmd_trust_import(args) -> int:
    from reports import service

    from .keystore import make_private_dir

    settings = get_settings()
    path = Path(args.file)
    if not path.is_file():
        raise UsageError(f"{args.file}: no such file")
    text = path.read_text(encoding="utf-8")
    make_private_dir(settings.data_dir)
    ts = service.truststore(settings)
    if "-----BEGIN PUBLIC KEY-----" in text:
        added = ts.import_keys(text, args.name, own=set(service.keystore(settings).public_keys()))
        print(f"trusted {len(added)} key(s): {', '.join(added) or '(these are this installation’s own keys)'}")
        return 0
    try:
        doc = json.loads(text)
    except ValueError:
        raise UsageError(f"{args.file}: neither a PEM public key nor a revocation list (JSON)") from None
    stored = ts.import_revocations(doc, service.public_keys(settings))
    print(
        f"imported the revocation list of {doc.get('issuer')} issued {doc.get('issued_at')} ({len(doc.get('revoked', []))} "
        f"revoked) for key(s) {', '.join(stored)}"
    )
    return 0


def cmd_trust_list(args) -> int:
    from reports import service

    settings = get_settings()
    ts = service.truststore(settings)
    lists = ts.revocation_lists()
    rows = [
        {
            "kid": k.kid,
            "name": k.name,
            "imported_at": k.imported_at,
            "revocations_issued_at": lists.get(k.kid, {}).get("issued_at"),
        }
        for k in ts.keys()
    ]
    if args.json:
        _print_json(rows)
    elif not rows:
        print("信任库为空 / the trust store is empty")
    for r in rows if not args.json else ():
        print(f"{r['kid']}  {r['name']}  imported {r['imported_at']}  revocation list: {r['revocations_issued_at'] or 'none'}")
    return 0


def cmd_trust_remove(args) -> int:
    from reports import service

    service.truststore(get_settings()).remove(args.kid)
    print(f"removed {args.kid} from the trust store")
    return 0


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


# -- parser ---------------------------------------------------------------------------------


# -- accounts and the audit trail (issue 12) ---------------------------------------------------------------------


def _cli_actor() -> str:
    import getpass

    try:
        return f"cli:{getpass.getuser()}"[:80]
    except Exception:  # noqa: BLE001 - no login name in this environment
        return "cli"


def cmd_users_add(args) -> int:
    from .accounts import create_user

    _, Session = _db()
    with Session.begin() as s:
        user, password = create_user(
            args.name,
            args.role,
            session=s,
            province=args.province,
            enterprise_id=args.enterprise,
            display_name=args.display_name,
            actor=_cli_actor(),
        )
        line = (
            f"created {user.username} ({user.role}{', ' + user.province if user.province else ''}"
            f"{', enterprise ' + str(user.enterprise_id) if user.enterprise_id else ''})"
        )
    print(line)
    print(f"one-time password: {password}")
    print("一次性密码仅显示这一次，首次登录后必须修改 / shown only this once; it must be changed at the first login")
    return 0


def cmd_users_list(args) -> int:
    from .accounts import list_users

    _, Session = _db()
    with Session() as s:
        rows = list_users(session=s)
    if args.json:
        _print_json(rows)
        return 0
    for r in rows:
        flags = [
            f
            for f, on in (
                ("locked", r["locked"]),
                ("disabled", r["disabled"]),
                ("must-change-password", r["must_change_password"]),
                ("no-password", not r["has_password"]),
            )
            if on
        ]
        scope = r["province"] or (f"enterprise {r['enterprise_id']}" if r["enterprise_id"] else "")
        print("  ".join(x for x in (r["username"], r["role"], scope, ",".join(flags)) if x))
    print(f"{len(rows)} 个用户 / users")
    return 0


def cmd_users_reset(args) -> int:
    from .accounts import reset_password

    _, Session = _db()
    with Session.begin() as s:
        password = reset_password(args.name, session=s, actor=_cli_actor())
    print(f"one-time password for {args.name}: {password}")
    return 0


def cmd_users_disable(args) -> int:
    from .accounts import set_disabled

    _, Session = _db()
    with Session.begin() as s:
        set_disabled(args.name, not args.enable, session=s, actor=_cli_actor())
    print(f"{'enabled' if args.enable else 'disabled'} {args.name}")
    return 0


def cmd_audit_verify(args) -> int:
    from .store.chain import verify

    _, Session = _db()
    with Session() as s:
        report = verify(s)
    if args.json:
        _print_json(
            {
                "ok": report.ok,
                "entries": report.entries,
                "first_bad_id": report.first_bad_id,
                "first_bad_seq": report.first_bad_seq,
                "problem": report.problem,
            }
        )
    else:
        print(report.message(), file=sys.stdout if report.ok else sys.stderr)
    return 0 if report.ok else 1


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m assessment", description="智能制造成熟度与智能工厂梯度评估 / maturity and smart-factory tier assessment"
    )
    p.add_argument("--criteria", help="criteria directory (default: the shipped criteria/)")
    sub = p.add_subparsers(dest="group", required=True)

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

    m = sub.add_parser("maturity", help="answers templates and scoring").add_subparsers(dest="cmd", required=True)
    maturity_group = m
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

    t = sub.add_parser("tier", help="smart-factory tiers").add_subparsers(dest="cmd", required=True)
    x = t.add_parser("evaluate", help="the tier a profile reaches, with reasons")
    x.add_argument("profile")
    x.add_argument("--edition", help="tier edition (default: the profile's tier_edition)")
    x.add_argument("--json", action="store_true")
    x.set_defaults(func=cmd_tier_evaluate)

    d = sub.add_parser("declare", help="declaration eligibility").add_subparsers(dest="cmd", required=True)
    x = d.add_parser("check", help="eligibility for each programme, with reasons")
    x.add_argument("profile")
    x.add_argument("--programme")
    x.add_argument("--edition", help="declarations edition (default: the one new assessments record)")
    x.add_argument("--json", action="store_true")
    x.set_defaults(func=cmd_declare_check)

    c = sub.add_parser("certificate", help="issue, verify and revoke certificates; keys and trust store").add_subparsers(
        dest="cmd", required=True
    )
    x = c.add_parser("verify", help="verify a certificate PDF or its QR payload (exit 0 genuine and valid, 1 not)")
    x.add_argument("file", help="a PDF, a text file with the payload, the payload itself, or - for standard input")
    x.add_argument(
        "--public-key",
        action="append",
        default=[],
        help="PEM of another issuer to trust for this check (this installation's keys and the trust store are always used)",
    )
    x.add_argument("--revocations", action="append", default=[], help="a signed revocation list (JSON) to check against")
    x.add_argument("--at", help="verify as of this date (YYYY-MM-DD; default today)")
    x.add_argument("--json", action="store_true")
    x.set_defaults(func=cmd_certificate_verify)
    x = c.add_parser("public-key", help="print this installation's public keys (same as keys export-public)")
    x.add_argument("--out")
    x.set_defaults(func=cmd_keys_export_public)
    x = c.add_parser("issue", help="issue a self-assessment certificate for an assessment")
    x.add_argument("assessment", type=int)
    x.add_argument("--out", required=True)
    x.add_argument("--lang", choices=["zh", "en"], default="zh")
    x.add_argument("--actor")
    x.set_defaults(func=cmd_certificate_issue)
    x = c.add_parser("render", help="render an issued certificate again (with the key that signed it)")
    x.add_argument("number")
    x.add_argument("--out", required=True)
    x.add_argument("--lang", choices=["zh", "en"], default="zh")
    x.set_defaults(func=cmd_certificate_render)
    x = c.add_parser("revoke", help="revoke a certificate")
    x.add_argument("number")
    x.add_argument("--reason", required=True)
    x.add_argument("--actor")
    x.set_defaults(func=cmd_certificate_revoke)
    x = c.add_parser("revocations", help="export the revocation list, signed by every key of this installation (JSON)")
    x.add_argument("--out")
    x.set_defaults(func=cmd_certificate_revocations)
    k = c.add_parser("keys", help="signing keys: list, rotate, export, back up, restore").add_subparsers(
        dest="keys_cmd", required=True
    )
    x = k.add_parser("list", help="the active and retired keys")
    x.add_argument("--json", action="store_true")
    x.set_defaults(func=cmd_keys_list)
    x = k.add_parser("rotate", help="retire the active key (kept for verification) and start a new one")
    x.set_defaults(func=cmd_keys_rotate)
    x = k.add_parser("export-public", help="every public key (PEM) with the issuer's name, for others' trust stores")
    x.add_argument("--out")
    x.set_defaults(func=cmd_keys_export_public)
    x = k.add_parser("backup", help="write every private key to a new archive (tar.gz, mode 0600)")
    x.add_argument("--out", required=True)
    x.set_defaults(func=cmd_keys_backup)
    x = k.add_parser("restore", help="add the keys of a backup archive")
    x.add_argument("archive")
    x.set_defaults(func=cmd_keys_restore)
    t = c.add_parser("trust", help="other issuers' public keys and revocation lists").add_subparsers(
        dest="trust_cmd", required=True
    )
    x = t.add_parser("import", help="trust a public key file (PEM) or import a signed revocation list (JSON)")
    x.add_argument("file")
    x.add_argument("--name", help="the issuer's name (default: the file's '# issuer:' line)")
    x.set_defaults(func=cmd_trust_import)
    x = t.add_parser("list", help="trusted keys and the date of each one's revocation list")
    x.add_argument("--json", action="store_true")
    x.set_defaults(func=cmd_trust_list)
    x = t.add_parser("remove", help="stop trusting a key")
    x.add_argument("kid")
    x.set_defaults(func=cmd_trust_remove)

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

    u = sub.add_parser("users", help="accounts for server mode (SFA_AUTH=required)").add_subparsers(dest="cmd", required=True)
    x = u.add_parser("add", help="create an account and print its one-time password")
    x.add_argument("name")
    x.add_argument("--role", required=True, choices=["system_admin", "province_admin", "expert", "enterprise"])
    x.add_argument("--province", help="province admins (required) and experts (optional): the province served")
    x.add_argument("--enterprise", type=int, help="enterprise users: the enterprise's id")
    x.add_argument("--display-name")
    x.set_defaults(func=cmd_users_add)
    x = u.add_parser("list", help="every account with its role, scope and state")
    x.add_argument("--json", action="store_true")
    x.set_defaults(func=cmd_users_list)
    x = u.add_parser("reset-password", help="a new one-time password (also unlocks the account and ends its sessions)")
    x.add_argument("name")
    x.set_defaults(func=cmd_users_reset)
    x = u.add_parser("disable", help="disable an account (its sessions end); --enable to enable it again")
    x.add_argument("name")
    x.add_argument("--enable", action="store_true")
    x.set_defaults(func=cmd_users_disable)

    a = sub.add_parser("audit", help="the hash-chained audit trail").add_subparsers(dest="cmd", required=True)
    x = a.add_parser("verify", help="check the chain; exit 1 and name the first bad entry when a row was edited or removed")
    x.add_argument("--json", action="store_true")
    x.set_defaults(func=cmd_audit_verify)

    add_commands(sub, maturity_group)
    return p


def main(argv: list[str] | None = None) -> int:
    from .answers import AnswersError
    from .loader import CriteriaError
    from .maturity import ScoringError

    args = build_parser().parse_args(argv)
    handler: Callable[[Any], int] = args.func
    try:
        return handler(args)
    except CriteriaError as exc:
        for p in exc.problems:
            print(p, file=sys.stderr)
        return 1
    except (UsageError, AnswersError, ScoringError, KeyError, LookupError) as exc:
        msg = exc.args[0] if exc.args else str(exc)
        print(f"error: {msg}", file=sys.stderr)
        return 2
    except (ValueError, OSError) as exc:  # profile errors, unreadable files and other one-line input problems
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
