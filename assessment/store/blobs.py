"""Where evidence content is kept: files under the data directory (:class:`BlobStore`) or the database
(:class:`DatabaseBlobStore`, table ``evidence_blob_data``), chosen by ``Settings.evidence_store``. With PostgreSQL the
default is the database, so several app processes behind one database serve the same files.

Both have the same methods (``put``, ``get``, ``exists``, ``discard``, ``sweep``). As with files, content is written
in a transaction of its own before the row that refers to it: a failure leaves an unreferenced blob, never a
dangling row.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from sqlalchemy import Engine, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from .evidence import BlobStore, EvidenceRejected
from .orm import StoredBlob


class DatabaseBlobStore:
    """Evidence content in the database, content-addressed by sha256 like :class:`BlobStore`."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self._Session = sessionmaker(engine)

    def put(self, data: bytes, sha256: str | None = None) -> str:
        digest = hashlib.sha256(data).hexdigest()
        if sha256 is not None and sha256 != digest:
            raise EvidenceRejected("文件校验值不符 / the file's sha256 does not match")
        if self.exists(digest):
            return digest
        try:
            with self._Session.begin() as s:
                s.add(StoredBlob(sha256=digest, data=bytes(data)))
        except IntegrityError:  # stored meanwhile by another process: same content
            pass
        return digest

    def get(self, sha256: str) -> bytes:
        with self._Session() as s:
            data = s.scalar(select(StoredBlob.data).where(StoredBlob.sha256 == sha256))
        if data is None:
            raise FileNotFoundError(f"stored evidence {sha256} is missing")
        data = bytes(data)
        if hashlib.sha256(data).hexdigest() != sha256:
            raise ValueError(f"stored evidence {sha256} is corrupt")
        return data

    def exists(self, sha256: str) -> bool:
        with self._Session() as s:
            return s.scalar(select(StoredBlob.sha256).where(StoredBlob.sha256 == sha256)) is not None

    def discard(self, sha256: str) -> None:
        """Remove stored content (only for content no evidence row refers to)."""
        with self._Session.begin() as s:
            s.execute(delete(StoredBlob).where(StoredBlob.sha256 == sha256))

    def sweep(self, older_than: float = 60.0) -> int:
        return 0  # a transaction never leaves a half-written row behind


def make_blob_store(settings, engine: Engine, data_dir: Path | None = None) -> BlobStore | DatabaseBlobStore:
    """The evidence store the settings choose for this database."""
    if settings.evidence_in_database:
        return DatabaseBlobStore(engine)
    return BlobStore(Path(data_dir or settings.data_dir) / "evidence")
