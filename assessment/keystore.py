"""Where an installation's signing keys and its trust store live, and how they are handled.

Layout under the data directory (every directory 0700, every file 0600)::

    keys/signing-key.pem          the active key: signs new certificates and revocation lists
    keys/retired/<kid>.pem        earlier keys: they still verify, re-render and revoke what they signed
    trust/keys/<kid>.pem          public keys of other issuers, imported (with their name in <kid>.json)
    trust/revocations/<kid>.json  the latest signed revocation list imported for each of their keys

Nothing here creates a key as a side effect of reading: only :meth:`KeyStore.create`, :meth:`KeyStore.rotate`
and :meth:`KeyStore.restore` write keys. A private key file that group or others can read is refused.
"""

from __future__ import annotations

import builtins
import io
import json
import os
import stat
import tarfile
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from .signing import key_id, parse_public_pems, public_pem, revocation_signers

ACTIVE = "signing-key.pem"
RETIRED = "retired"


class KeyProblem(ValueError):
    """A key problem the user must fix (missing, unreadable, too open): the message says how."""


def make_private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) as 0700; an existing directory open to group/others is tightened."""
    path = Path(path)
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if path.stat().st_mode & 0o077:
        os.chmod(path, 0o700)
    return path


def write_private(path: Path, data: bytes, *, exclusive: bool = True) -> None:
    """Write a 0600 file atomically; with ``exclusive`` an existing file is never replaced (FileExistsError)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    try:
        if exclusive:
            os.link(tmp, path)
        else:
            os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def _pem(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())


def read_private_key(path: Path) -> Ed25519PrivateKey:
    mode = path.stat().st_mode
    if mode & 0o077:
        raise KeyProblem(
            f"密钥文件 {path} 对其他用户可读（权限 {stat.filemode(mode)}），拒绝使用；请执行 chmod 600 {path} / "
            f"key file {path} is accessible to group or others (mode {oct(mode & 0o777)}): refused; run chmod 600 {path}"
        )
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except ValueError as exc:
        raise KeyProblem(f"{path}: not a readable private key ({exc})") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyProblem(f"{path} is not an Ed25519 key")
    return key


@dataclass(frozen=True)
class KeyInfo:
    kid: str
    status: str  # active | retired
    created: str  # file modification time, UTC ISO
    path: Path


class KeyStore:
    def __init__(self, keys_dir: Path):
        self.dir = Path(keys_dir)

    @property
    def active_path(self) -> Path:
        return self.dir / ACTIVE

    def has_active(self) -> bool:
        return self.active_path.exists()

    def active(self) -> Ed25519PrivateKey:
        if not self.active_path.exists():
            raise KeyProblem(
                f"本机尚无签名密钥（{self.active_path}）/ this installation has no signing key yet ({self.active_path})"
            )
        return read_private_key(self.active_path)

    def create(self) -> Ed25519PrivateKey:
        """A new active key (refused when one exists). Returns the key that is active afterwards."""
        make_private_dir(self.dir)
        key = Ed25519PrivateKey.generate()
        try:
            write_private(self.active_path, _pem(key))
        except FileExistsError:  # another process created it meanwhile: keep theirs
            return self.active()
        return key

    def retired(self) -> list[Ed25519PrivateKey]:
        folder = self.dir / RETIRED
        return [read_private_key(p) for p in sorted(folder.glob("*.pem"))] if folder.is_dir() else []

    def private_keys(self) -> list[Ed25519PrivateKey]:
        """Active key first, then the retired ones."""
        return ([self.active()] if self.has_active() else []) + self.retired()

    def by_kid(self) -> dict[str, Ed25519PrivateKey]:
        return {key_id(k.public_key()): k for k in self.private_keys()}

    def public_keys(self) -> dict[str, Ed25519PublicKey]:
        return {kid: k.public_key() for kid, k in self.by_kid().items()}

    def list(self) -> list[KeyInfo]:
        def info(path: Path, status: str) -> KeyInfo:
            key = read_private_key(path)
            created = datetime.fromtimestamp(path.stat().st_mtime, timezone.utc).isoformat(timespec="seconds")
            return KeyInfo(key_id(key.public_key()), status, created, path)

        out = [info(self.active_path, "active")] if self.has_active() else []
        folder = self.dir / RETIRED
        if folder.is_dir():
            out += [info(p, "retired") for p in sorted(folder.glob("*.pem"), key=lambda p: p.stat().st_mtime, reverse=True)]
        return out

    def rotate(self) -> tuple[str | None, Ed25519PrivateKey]:
        """Retire the active key (kept for verification and re-rendering) and create a new one."""
        old = None
        if self.has_active():
            key = self.active()
            old = key_id(key.public_key())
            make_private_dir(self.dir / RETIRED)
            target = self.dir / RETIRED / f"{old}.pem"
            if not target.exists():
                write_private(target, _pem(key))
            self.active_path.unlink()
        return old, self.create()

    def export_public(self, issuer: str) -> str:
        """Every public key (active first) with comment lines naming the issuer, for another installation's trust store."""
        infos = self.list()
        if not infos:
            raise KeyProblem("本机尚无签名密钥 / this installation has no signing key yet")
        out = []
        for i in infos:
            out.append(f"# issuer: {issuer}\n# kid: {i.kid} ({i.status})\n{public_pem(read_private_key(i.path))}")
        return "".join(out)

    def backup(self, out: Path) -> int:
        """Write every private key to a new 0600 tar.gz archive; returns the number of keys. Never overwrites."""
        infos = self.list()
        if not infos:
            raise KeyProblem("本机尚无签名密钥，无可备份 / no signing key to back up")
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w:gz") as tar:
            for i in infos:
                data = i.path.read_bytes()
                ti = tarfile.TarInfo(ACTIVE if i.status == "active" else f"{RETIRED}/{i.kid}.pem")
                ti.size, ti.mode = len(data), 0o600
                tar.addfile(ti, io.BytesIO(data))
        out = Path(out)
        try:
            write_private(out, buf.getvalue())
        except FileExistsError:
            raise KeyProblem(f"{out} already exists: not overwritten") from None
        return len(infos)

    def restore(self, archive: Path) -> builtins.list[str]:
        """Add the keys of a backup that this store lacks. The backup's active key becomes active only when there is
        none; otherwise it is kept as retired. Returns the key ids added."""
        found: list[tuple[str, Ed25519PrivateKey]] = []
        try:
            with tarfile.open(archive, mode="r:gz") as tar:
                for m in tar.getmembers():
                    if not m.isfile() or not m.name.endswith(".pem"):
                        continue
                    pem = tar.extractfile(m)
                    assert pem is not None  # a regular file (isfile above)
                    key = serialization.load_pem_private_key(pem.read(), password=None)
                    if isinstance(key, Ed25519PrivateKey):
                        found.append((m.name, key))
        except (tarfile.TarError, OSError, ValueError) as exc:
            raise KeyProblem(f"{archive}: not a key backup ({exc})") from None
        if not found:
            raise KeyProblem(f"{archive}: no keys in this backup")
        have = self.by_kid()
        added = []
        for name, key in sorted(found, key=lambda x: x[0] != ACTIVE):  # the active one first
            kid = key_id(key.public_key())
            if kid in have:
                continue
            make_private_dir(self.dir)
            if name == ACTIVE and not self.has_active():
                write_private(self.active_path, _pem(key))
            else:
                make_private_dir(self.dir / RETIRED)
                write_private(self.dir / RETIRED / f"{kid}.pem", _pem(key))
            have[kid] = key
            added.append(kid)
        return added


# -- trust store -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrustedKey:
    kid: str
    name: str
    imported_at: str


class TrustStore:
    """Other issuers' public keys and their signed revocation lists, imported by the user."""

    def __init__(self, trust_dir: Path):
        self.dir = Path(trust_dir)

    def keys(self) -> list[TrustedKey]:
        folder = self.dir / "keys"
        out = []
        for meta in sorted(folder.glob("*.json")) if folder.is_dir() else []:
            m = json.loads(meta.read_text(encoding="utf-8"))
            out.append(TrustedKey(meta.stem, m.get("name", ""), m.get("imported_at", "")))
        return out

    def public_keys(self) -> dict[str, Ed25519PublicKey]:
        folder = self.dir / "keys"
        if not folder.is_dir():
            return {}
        return {key_id(pub): pub for p in folder.glob("*.pem") for pub in parse_public_pems(p.read_text(encoding="utf-8"))}

    def names(self) -> dict[str, str]:
        return {k.kid: k.name for k in self.keys()}

    def import_keys(self, text: str, name: str | None = None, *, own: AbstractSet[str] = frozenset()) -> builtins.list[str]:
        """Trust the public keys in a PEM text (several blocks allowed). The name defaults to the ``# issuer:`` line."""
        pubs = parse_public_pems(text)
        if not name:
            name = next((line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("# issuer:")), "")
        if not name:
            raise ValueError("请用 --name 说明这是谁的公钥 / give the issuer's name with --name (the file does not say)")
        folder = make_private_dir(self.dir / "keys")
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        added = []
        for pub in pubs:
            kid = key_id(pub)
            if kid in own:
                continue
            write_private(folder / f"{kid}.pem", public_pem(pub).encode(), exclusive=False)
            write_private(
                folder / f"{kid}.json",
                json.dumps({"name": name, "imported_at": now}, ensure_ascii=False).encode(),
                exclusive=False,
            )
            added.append(kid)
        return added

    def remove(self, kid: str) -> None:
        folder = self.dir / "keys"
        if not (folder / f"{kid}.pem").exists():
            raise LookupError(f"key {kid} is not in the trust store")
        for p in (folder / f"{kid}.pem", folder / f"{kid}.json", self.dir / "revocations" / f"{kid}.json"):
            if p.exists():
                p.unlink()

    def import_revocations(self, doc: dict, known: dict[str, Ed25519PublicKey]) -> list[str]:
        """Keep a signed revocation list for each known key that signed it (a newer list replaces an older one; an
        older one is refused). Returns the key ids it was stored for."""
        signers = revocation_signers(doc, known)
        if not signers:
            raise ValueError(
                "撤销列表没有可信的签名：请先导入签发方的公钥 / the revocation list carries no signature by a "
                "trusted key: import the issuer's public key first"
            )
        folder = make_private_dir(self.dir / "revocations")
        stored = []
        for kid in sorted(signers):
            path = folder / f"{kid}.json"
            if path.exists():
                held = json.loads(path.read_text(encoding="utf-8"))
                if str(held.get("issued_at", "")) > str(doc.get("issued_at", "")):
                    raise ValueError(f"a newer revocation list (issued {held.get('issued_at')}) is already held for key {kid}")
            write_private(path, json.dumps(doc, ensure_ascii=False).encode(), exclusive=False)
            stored.append(kid)
        return stored

    def revocation_lists(self) -> dict[str, dict]:
        folder = self.dir / "revocations"
        if not folder.is_dir():
            return {}
        return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in folder.glob("*.json")}
