"""Command line, certificate: issue, verify, render and revoke certificates; signing keys and the trust store (rendering lives in
the reports package, imported only inside the commands)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .common import UsageError, database, get_settings, print_json

_print_json, _db = print_json, database


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
    from assessment.store import repository as repo
    from reports import service

    settings, Session = _db()
    with Session() as s:
        pdf = service.render_certificate(repo.get_certificate(args.number, session=s), settings, args.lang)
    Path(args.out).write_bytes(pdf)
    print(f"rendered {args.number} → {args.out}")
    return 0


def cmd_certificate_revoke(args) -> int:
    from assessment.store import repository as repo

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
    from assessment.keystore import make_private_dir
    from assessment.signing import key_id
    from reports import service

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
    from assessment.keystore import make_private_dir
    from reports import service

    settings = get_settings()
    make_private_dir(settings.data_dir)
    added = service.keystore(settings).restore(Path(args.archive))
    print(f"restored {len(added)} key(s): {', '.join(added) or '(all were already here)'}")
    return 0


def cmd_trust_import(args) -> int:
    from assessment.keystore import make_private_dir
    from reports import service

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


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``certificate`` commands to the top-level parser's sub-parsers."""
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
