"""Command line for issue 14: ``plan``, ``maturity rescore``, ``portfolio …`` and ``demo population``.

Registered by :func:`cli.build_parser`; errors follow the CLI contract (one line, exit code 2).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .common import UsageError, criteria_root, database, print_json

_root, _print_json = criteria_root, print_json


def _usage(msg: str) -> UsageError:
    return UsageError(msg)


# -- plan ---------------------------------------------------------------------------------------------------------


def cmd_plan(args) -> int:
    from assessment.planner import PlanError, load_costs, plan, read_plan_input, render_plan, write_planned

    root = _root(args)
    try:
        source, edition = read_plan_input(Path(args.profile), root)
        costs = load_costs(Path(args.costs)) if args.costs else load_costs()
        p, doc = plan(source, args.target, costs=costs, root=root, edition=edition)
    except PlanError as exc:
        raise _usage(str(exc)) from None
    if args.out_profile:
        if not p.reachable:
            raise _usage(
                "the target cannot be reached ("
                + "; ".join(f"{b.rule}: {b.message_en}" for b in p.blockers)
                + "); no profile written"
            )
        if not p.verified:  # never write a profile that would not reach the target under the engine
            raise _usage(
                f"the planned profile does not reach {p.target} under the engine (method: {p.method}); no profile written"
            )
        write_planned(doc, Path(args.out_profile), p)
    if args.json:
        _print_json(p.model_dump(mode="json"))
    else:
        print(render_plan(p))
        if args.out_profile:
            print(f"\n计划后的画像 Planned profile: {args.out_profile}")
    return 0


# -- rescore ------------------------------------------------------------------------------------------------------


def cmd_rescore(args) -> int:
    from assessment.answer_sheet import read_answers_path
    from assessment.mappings import render_rescore, rescore, retier
    from assessment.profile import ProfileError

    root = _root(args)
    path = Path(args.answers)
    from assessment.loader import YamlError, read_document

    profile = None
    data = None
    if path.suffix.lower() != ".xlsx":
        try:
            data = read_document(path)
        except YamlError as exc:
            raise _usage(str(exc)) from None
    if isinstance(data, dict) and "enterprise" in data:
        from assessment.registry import read_profile

        try:
            profile = read_profile(path)
        except ProfileError as exc:
            raise _usage(str(exc)) from None
        from assessment.editions import load_registry

        kind = load_registry(root).get(args.to)
        if kind is not None and kind.kind == "smart_factory":
            out = retier(profile, args.to, root=root)
            if args.json:
                _print_json(out)
            else:
                print(
                    f"{out['from']} → {out['to']}: 层级 tier {out['before']} → {out['after']}"
                    + ("（变化 changed）" if out["changed"] else "（不变 unchanged）")
                )
                r = out["rules"]
                print(
                    f"规则 rules: 可映射 maps {len(r['maps'])}，不可映射 does not map {len(r['does_not_map'])}，新增 new {len(r['new'])}"
                )
                for c in r["changed"]:
                    print(f"  ~ {c['from']} → {c['to']}: {c['before']} → {c['after']}")
                for x in r["does_not_map"]:
                    print(f"  - {x}")
                for x in r["new"]:
                    print(f"  + {x}")
            return 0
        from assessment.planner import _maturity_of

        mat = _maturity_of(profile, None, None, root)
        if mat.kind != "answers":
            raise _usage(f"{path}: the profile has no maturity answers to re-score")
        assert mat.answers is not None  # kind "answers" carries them
        answers = mat.answers
    else:
        answers, _ = read_answers_path(path, root=root)
    out = rescore(answers, args.to, root=root, profile=profile)
    if args.out:
        import yaml

        Path(args.out).write_text(
            "# 版本映射后的答案（未评项为新增要求）/ answers carried to "
            + args.to
            + "\n"
            + yaml.safe_dump(out["answers"], allow_unicode=True, sort_keys=False),
            encoding="utf-8",
        )
    if args.json:
        _print_json(out)
    else:
        print(render_rescore(out))
    return 0


# -- portfolio and demo -------------------------------------------------------------------------------------------


def _session():
    _, Session = database()
    return Session


def cmd_portfolio_summary(args) -> int:
    from assessment.services import portfolio as portfolio_svc
    from assessment.store import portfolio

    Session = _session()
    synthetic = {"all": None, "real": False, "synthetic": True}[args.data]
    with Session.begin() as s:
        portfolio_svc.reindex(s, root=_root(args))
    with Session() as s:
        out = portfolio.summary(s, synthetic=synthetic, root=_root(args))
    if args.json:
        _print_json(out)
        return 0
    print(
        f"工厂 Factories: {out['factories']}（企业 enterprises {out['enterprises']}）"
        + (f"；其中合成 synthetic {out['synthetic_factories']} — {out['synthetic_note']}" if out["synthetic_factories"] else "")
    )
    if out["mean_score"] is not None:
        print(f"平均总分 Mean S: {out['mean_score']:.2f}")
    print("等级 Levels: " + "，".join(f"{k}级 {v}" for k, v in out["levels"].items()))
    print("层级 Tiers: " + "，".join(f"{k} {v}" for k, v in out["tiers"].items()))
    print(f"最常见的阻碍规则 Top rule blocker: {out['top_rule_blocker']}")
    print(f"最常见的差距要求 Top requirement gap: {out['top_requirement_blocker']}")
    ref = out["national_reference"][-1]
    print(
        f"全国参考（{ref['year']}，c3mep 自评估，{ref['confidence']}）: ≤L1 {ref['le1']:.0%}，L2 {ref['l2']:.0%}，"
        f"L3 {ref['l3']:.0%}，≥L4 {ref['ge4']:.0%}"
    )
    return 0


def cmd_portfolio_export(args) -> int:
    from assessment.services import portfolio as portfolio_svc
    from assessment.store import portfolio

    Session = _session()
    synthetic = {"all": None, "real": False, "synthetic": True}[args.data]
    out = Path(args.out)
    with Session.begin() as s:
        portfolio_svc.reindex(s, root=_root(args))
    with Session() as s:
        tables = portfolio.all_tables(s, synthetic=synthetic, root=_root(args))
    if args.format == "xlsx":
        out.write_bytes(portfolio.to_xlsx(tables, args.lang))
        print(f"{out}: {len(tables)} sheets")
    else:
        out.mkdir(parents=True, exist_ok=True)
        for t in tables:
            (out / f"{t.name}.csv").write_bytes(portfolio.to_csv(t, args.lang))
        print(f"{out}: {len(tables)} CSV files")
    return 0


def cmd_demo_population(args) -> int:
    from assessment.services import population

    if args.factories < 1 or args.factories > 1_000_000:
        raise _usage("--factories must be between 1 and 1000000")
    if not 1 <= args.years <= 10:
        raise _usage("--years must be between 1 and 10")
    Session = _session()

    def progress(done, total):
        print(f"year {done}/{total}", file=sys.stderr)

    with Session.begin() as s:
        out = population.generate(
            s, factories=args.factories, years=args.years, seed=args.seed, root=_root(args), progress=progress
        )
    out["note"] = "合成数据（企业名以“合成·”开头，is_demo 与 synthetic 标记）/ synthetic data, flagged is_demo and synthetic"
    _print_json(out)
    return 0


def register(sub: argparse._SubParsersAction, maturity_group: argparse._SubParsersAction) -> None:
    """Register the commands on the top-level parser's subparsers and on the ``maturity`` group."""
    x = sub.add_parser("plan", help="the cheapest improvements reaching a level, tier or programme (with milestones)")
    x.add_argument("profile", help="a profile (YAML/JSON), or an answers file for an L1..L5 target")
    x.add_argument("--target", required=True, help="L1..L5, basic|advanced|excellent|leading, or a programme id")
    x.add_argument("--costs", help="costs file (YAML/JSON) overriding the default efforts")
    x.add_argument("--json", action="store_true")
    x.add_argument("--out-profile", help="write the profile (or answers) as it would be after the plan")
    x.set_defaults(func=cmd_plan)

    x = maturity_group.add_parser("rescore", help="re-score answers (or a profile) under another edition, with the impact")
    x.add_argument("answers", help="an answers file, or a profile (its answers; a smart_factory edition re-evaluates the tier)")
    x.add_argument("--to", required=True, help="the edition to move to, e.g. maturity/2024-draft")
    x.add_argument("--out", help="write the carried answers (YAML)")
    x.add_argument("--json", action="store_true")
    x.set_defaults(func=cmd_rescore)

    p = sub.add_parser("portfolio", help="portfolio figures over the stored assessments").add_subparsers(
        dest="cmd", required=True
    )
    x = p.add_parser("summary", help="headline figures")
    x.add_argument("--data", choices=["all", "real", "synthetic"], default="all")
    x.add_argument("--json", action="store_true")
    x.set_defaults(func=cmd_portfolio_summary)
    x = p.add_parser("export", help="every portfolio table as CSV files (a folder) or one XLSX workbook")
    x.add_argument("--out", required=True)
    x.add_argument("--format", choices=["csv", "xlsx"], default="xlsx")
    x.add_argument("--data", choices=["all", "real", "synthetic"], default="all")
    x.add_argument("--lang", choices=["zh", "en"], default="zh")
    x.set_defaults(func=cmd_portfolio_export)

    d = sub.add_parser("demo", help="demo data").add_subparsers(dest="cmd", required=True)
    x = d.add_parser("population", help="a synthetic population of factories (labelled synthetic)")
    x.add_argument("--factories", type=int, default=50000)
    x.add_argument("--years", type=int, default=3)
    x.add_argument("--seed", type=int, default=14)
    x.set_defaults(func=cmd_demo_population)
