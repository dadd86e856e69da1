"""Signed certificate payloads (Ed25519): a compact text that a QR code carries and anyone can verify offline.

Format: ``SFA1.<base64url(JSON fields)>.<base64url(signature)>``. The signature covers the exact
JSON bytes. The JSON names the signing key by ``kid`` (first 16 hex digits of the sha256 of the
raw public key) so a verifier can hold the public keys of several installations.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

PREFIX = "SFA1"
KEY_FILE = "signing-key.pem"


class VerificationError(ValueError):
    """The payload is malformed, signed by an unknown key, or its signature does not match."""


def _b64e(b: bytes) -> str:
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode("ascii")


def _b64d(s: str) -> bytes:
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def key_id(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def load_or_create_key(keys_dir: Path) -> Ed25519PrivateKey:
    """The installation's signing key, created on first use (file mode 0600, written atomically)."""
    keys_dir = Path(keys_dir)
    path = keys_dir / KEY_FILE
    if path.exists():
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError(f"{path} is not an Ed25519 key")
        return key
    keys_dir.mkdir(parents=True, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(pem)
    try:
        os.link(tmp, path)  # fails if another process created the key meanwhile: keep theirs
    except FileExistsError:
        os.unlink(tmp)
        return load_or_create_key(keys_dir)
    os.unlink(tmp)
    return key


def public_pem(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    pub = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return pub.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def load_public_keys(pems: list[str]) -> dict[str, Ed25519PublicKey]:
    out = {}
    for pem in pems:
        pub = serialization.load_pem_public_key(pem.encode())
        if not isinstance(pub, Ed25519PublicKey):
            raise ValueError("not an Ed25519 public key")
        out[key_id(pub)] = pub
    return out


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
    pub = public_keys.get(kid)
    if pub is None:
        raise VerificationError(f"签发密钥未知（{kid}）/ signed by an unknown key ({kid})")
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
    body, line = data[:i], data[i + 1 + len(SEAL):].strip()
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
