"""Issuing certificates: number, sign and store a certificate for an assessment's current result (with a snapshot)."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy.orm import Session

from .. import printable
from ..config import Settings
from ..editions import DEFAULT_ROOT
from ..keystore import KeyProblem, KeyStore, make_private_dir
from ..signing import key_id, sign
from ..store import repository as repo
from ..store.orm import Certificate, utcnow
from . import evaluation

CERT_PREFIX = {"self_assessed": "SA", "certified": "CT"}


def issuing_key(settings: Settings, session: Session) -> Ed25519PrivateKey:
    """The active signing key. The first certificate of an empty database creates it; when the database already holds
    certificates and the key is missing (a lost or moved data directory), issuing is refused instead of silently
    starting a new key that would orphan every earlier certificate."""
    ks = KeyStore(settings.keys_dir)
    if not ks.has_active():
        held = repo.certificate_count(session=session)
        if held:
            raise KeyProblem(
                f"签名密钥缺失（{ks.active_path}），而数据库中已有 {held} 份证书：请用 certificate keys restore "
                f"恢复密钥备份，或确认丢失后用 certificate keys rotate 新建密钥 / the signing key is missing from "
                f"{ks.dir} but the database holds {held} certificates: restore a key backup with `certificate keys "
                f"restore`, or start a new key deliberately with `certificate keys rotate`"
            )
        make_private_dir(settings.data_dir)
        ks.create()
    return ks.active()


def issue_certificate(
    assessment_id: int,
    *,
    session: Session,
    key,
    issuer: str,
    valid_days: int = 365,
    kind: str = "self_assessed",
    actor: str | None = None,
    root: Path = DEFAULT_ROOT,
    at: datetime | None = None,
    issuer_code: str | None = None,
) -> Certificate:
    """Number, sign and store a certificate for the assessment's current result (with a snapshot).

    Numbers read ``SA-2026-<CODE>-000001``: the issuer code (configured, or the first 8 hex digits of the signing key's
    id) keeps numbers unique across installations, so a number names its issuer. Every printed text is checked
    first: a character the certificate fonts cannot draw is refused with a message.
    """
    if kind not in CERT_PREFIX:
        raise ValueError(f"kind must be one of {', '.join(CERT_PREFIX)}")
    if not isinstance(valid_days, int) or valid_days <= 0:
        raise ValueError(f"有效期须为正数天数 / the validity period must be a positive number of days (got {valid_days!r})")
    a = repo.get_assessment(assessment_id, session=session)
    f, e = a.factory, a.factory.enterprise
    for text, what in (
        (e.name, "企业名称 / enterprise name"),
        (f.name, "工厂名称 / factory name"),
        (e.credit_code, "统一社会信用代码 / credit code"),
        (issuer, "签发方 / issuer"),
    ):
        printable.check(text, what)
    snap = evaluation.snapshot(assessment_id, session=session, actor=actor, root=root, at=at)
    issued = (at or utcnow()).date()
    code = issuer_code or key_id(key.public_key())[:8].upper()
    prefix = f"{CERT_PREFIX[kind]}-{issued.year}-{code}-"
    last = repo.last_certificate_number(prefix, session=session)
    seq = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    number = f"{prefix}{seq:06d}"
    fields = {
        "no": number,
        "kind": kind,
        "ent": e.name,
        "code": e.credit_code,
        "fac": f.name,
        "lvl": snap.level,
        "S": f"{math.floor(snap.score * 100 + 1e-9) / 100:.2f}",
        "tier": snap.tier,  # rounded down:
        # 1.7975 prints 1.79 beside level 1, never 1.80 across the band edge
        "ed": [a.maturity_edition, a.tier_edition],
        "iss": issued.isoformat(),
        "exp": (issued + timedelta(days=valid_days)).isoformat(),
        "h": snap.digest[:32],
        "by": issuer,
    }
    payload = sign(fields, key)
    cert = Certificate(
        number=number,
        kind=kind,
        assessment_id=a.id,
        valid_until=fields["exp"],
        issuer=issuer,
        digest=snap.digest,
        payload=payload,
        fields=fields,
    )
    if at is not None:
        cert.issued_at = at
    session.add(cert)
    session.flush()
    repo.audit(
        session, actor, "issue_certificate", "certificate", number, {"assessment": a.id, "level": snap.level, "tier": snap.tier}
    )
    return cert
