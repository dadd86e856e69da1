"""Signed certificate payloads (Ed25519): a compact text that a QR code carries and anyone can verify offline.

Format: ``SFA1.<base64url(JSON fields)>.<base64url(signature)>``. The signature covers the exact
JSON bytes. The JSON names the signing key by ``kid`` (first 16 hex digits of the sha256 of the
raw public key) so a verifier can hold the public keys of several installations.

Revocation lists are signed too, by every key of the issuing installation (the active one and the
retired ones), so a list applies to a certificate only when the certificate's own key signed it:
one installation's list can never revoke another installation's certificate.
Where keys live on disk is :mod:`assessment.keystore`.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

PREFIX = "SFA1"


class VerificationError(ValueError):
    """The payload is malformed, signed by an unknown key, or its signature does not match."""


def _b64e(b: bytes) -> str:
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode("ascii")


def _b64d(s: str) -> bytes:
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def key_id(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def public_pem(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    pub = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return pub.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


PEM_BLOCK = re.compile(r"-----BEGIN PUBLIC KEY-----[A-Za-z0-9+/=\s]+?-----END PUBLIC KEY-----")


def parse_public_pems(text: str) -> list[Ed25519PublicKey]:
    """Every Ed25519 public key in a text holding one or more PEM blocks (comment lines are ignored)."""
    blocks = PEM_BLOCK.findall(text)
    if not blocks:
        raise ValueError("no PEM public key found (expected -----BEGIN PUBLIC KEY-----)")
    keys = []
    for block in blocks:
        pub = serialization.load_pem_public_key(block.encode())
        if not isinstance(pub, Ed25519PublicKey):
            raise ValueError("not an Ed25519 public key")
        keys.append(pub)
    return keys


def load_public_keys(pems: list[str]) -> dict[str, Ed25519PublicKey]:
    return {key_id(pub): pub for pem in pems for pub in parse_public_pems(pem)}


def sign(fields: dict[str, Any], key: Ed25519PrivateKey) -> str:
    body = dict(fields, kid=key_id(key.public_key()))
    data = json.dumps(body, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")
    return f"{PREFIX}.{_b64e(data)}.{_b64e(key.sign(data))}"


@dataclass(frozen=True)
class Verified:
    fields: dict[str, Any]
    kid: str


def verify(payload: str, public_keys: dict[str, Ed25519PublicKey]) -> Verified:
    text = "".join(payload.split())  # tolerate line breaks from copying
    parts = text.split(".")
    if len(parts) != 3 or parts[0] != PREFIX:
        raise VerificationError("不是本工具的证书校验码 / not a certificate payload (expected SFA1.<data>.<signature>)")
    try:
        data, sig = _b64d(parts[1]), _b64d(parts[2])
        fields = json.loads(data.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        raise VerificationError("校验码已损坏 / the payload is corrupted") from None
    kid = fields.get("kid") if isinstance(fields, dict) else None
    pub = public_keys.get(kid) if isinstance(kid, str) else None
    if pub is None:
        raise VerificationError(f"签发密钥未知（{kid}）/ signed by an unknown key ({kid})")
    assert isinstance(kid, str)  # a key of public_keys
    try:
        pub.verify(sig, data)
    except InvalidSignature:
        raise VerificationError("签名无效：证书内容已被篡改 / invalid signature: the certificate was altered") from None
    return Verified(fields=fields, kid=kid)


SEAL = b"%SFA-SEAL "


def seal(document: bytes, key: Ed25519PrivateKey) -> bytes:
    """Append a signature over the whole file as a PDF comment after %%EOF: any later byte change shows."""
    sig = key.sign(hashlib.sha256(document).digest())
    return document + b"\n" + SEAL + f"{key_id(key.public_key())}.{_b64e(sig)}".encode("ascii") + b"\n"


def unseal(data: bytes, public_keys: dict[str, Ed25519PublicKey]) -> tuple[bytes, bool | None]:
    """(the document without its seal, whether the seal verifies); None when there is no seal."""
    i = data.rfind(b"\n" + SEAL)
    if i < 0:
        return data, None
    body, line = data[:i], data[i + 1 + len(SEAL) :].strip()
    try:
        kid, sig = line.decode("ascii").split(".", 1)
        signature = _b64d(sig)
    except (UnicodeDecodeError, ValueError):
        return body, False
    pub = public_keys.get(kid)
    if pub is None:
        raise VerificationError(f"签发密钥未知（{kid}）/ sealed by an unknown key ({kid})")
    try:
        pub.verify(signature, hashlib.sha256(body).digest())
        return body, True
    except InvalidSignature:
        return body, False


# -- signed revocation lists ----------------------------------------------------------------------------------

REVOCATION_FORMAT = "sfa-revocations/1"


def _canonical(doc: dict) -> bytes:
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")


def sign_revocation_list(entries: list[dict], keys: list[Ed25519PrivateKey], *, issuer: str, issued_at: str) -> dict:
    """A revocation list signed by each of ``keys`` (all keys of one installation)."""
    kids = [key_id(k.public_key()) for k in keys]
    doc = {"format": REVOCATION_FORMAT, "issuer": issuer, "issued_at": issued_at, "keys": kids, "revoked": entries}
    data = _canonical(doc)
    return dict(doc, signatures={kid: _b64e(k.sign(data)) for kid, k in zip(kids, keys)})


def revocation_signers(doc: Any, public_keys: dict[str, Ed25519PublicKey]) -> set[str]:
    """The key ids among ``public_keys`` whose signature on the list verifies (empty: not a list, or no known signer)."""
    if not isinstance(doc, dict) or doc.get("format") != REVOCATION_FORMAT or not isinstance(doc.get("signatures"), dict):
        return set()
    data = _canonical({k: v for k, v in doc.items() if k != "signatures"})
    good = set()
    for kid, sig in doc["signatures"].items():
        pub = public_keys.get(kid)
        if pub is None:
            continue
        try:
            pub.verify(_b64d(str(sig)), data)
            good.add(kid)
        except (InvalidSignature, ValueError):
            continue
    return good


def payload_kid(payload: str) -> str | None:
    """The key id a payload names, without checking its signature (None when it cannot be read)."""
    try:
        fields = json.loads(_b64d(payload.split(".")[1]).decode("utf-8"))
        return fields.get("kid") if isinstance(fields, dict) else None
    except (IndexError, ValueError, UnicodeDecodeError):
        return None
