"""Render certificates (and optionally reports) for many factories: resumable, with a progress bar.

Each factory gets a folder ``<out>/<factory id>/`` with ``certificate.pdf`` (and ``report.pdf``) and
a ``manifest.json`` naming the assessment digest and certificate number. A factory whose manifest
matches its current assessment digest is skipped unless ``force`` is set; re-rendering reuses the
certificate already issued for that digest instead of numbering a new one.
"""

from __future__ import annotations

import json
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from assessment.config import Settings
from assessment.store import repository as repo
from assessment.store.orm import Assessment, Certificate, Revocation

from . import service


@dataclass
class BatchStats:
    rendered: int = 0
    skipped: int = 0
    failed: list[tuple[int, str]] = field(default_factory=list)
    seconds: float = 0.0


def latest_assessments(Session: sessionmaker) -> list[int]:
    with Session() as s:
        sub = select(Assessment.factory_id, func.max(Assessment.id).label("aid")).group_by(Assessment.factory_id).subquery()
        return list(s.scalars(select(sub.c.aid).order_by(sub.c.aid)))


def _write(path: Path, data: bytes) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def progress_bar(done: int, total: int, started: float, stream=sys.stderr) -> None:
    width = 30
    filled = int(width * done / total) if total else width
    rate = done / max(time.perf_counter() - started, 1e-9)
    eta = (total - done) / rate if rate else 0
    stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}  {rate:5.1f}/s  ETA {eta:5.0f}s")
    if done == total:
        stream.write("\n")
    stream.flush()


def run_batch(
    out: Path,
    *,
    Session: sessionmaker,
    settings: Settings,
    assessment_ids: list[int] | None = None,
    force: bool = False,
    reports: bool = False,
    lang: str = "zh",
    progress: Callable[[int, int, float], None] | None = progress_bar,
) -> BatchStats:
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    ids = assessment_ids or latest_assessments(Session)
    stats = BatchStats()
    started = time.perf_counter()
    for i, aid in enumerate(ids, 1):
        try:
            with Session.begin() as s:
                a = repo.get_assessment(aid, session=s)
                digest = repo.assessment_digest(a)
                folder = out / str(a.factory_id)
                manifest = folder / "manifest.json"
                done = (
                    manifest.exists()
                    and json.loads(manifest.read_text(encoding="utf-8")).get("digest") == digest
                    and (folder / "certificate.pdf").exists()
                    and (not reports or (folder / "report.pdf").exists())
                )
                if done and not force:
                    stats.skipped += 1
                else:
                    revoked = select(Revocation.number)
                    cert = s.scalar(
                        select(Certificate)
                        .where(Certificate.assessment_id == aid, Certificate.digest == digest, Certificate.number.not_in(revoked))
                        .order_by(Certificate.id.desc())
                        .limit(1)
                    )
                    if cert is None:
                        cert = service.issue_certificate(aid, session=s, settings=settings, actor="batch")
                    folder.mkdir(parents=True, exist_ok=True)
                    _write(folder / "certificate.pdf", service.render_certificate(cert, settings, lang))
                    if reports:
                        _write(
                            folder / "report.pdf", service.render_report(aid, session=s, root=settings.criteria_dir, lang=lang)
                        )
                    _write(
                        manifest,
                        json.dumps(
                            {
                                "assessment_id": aid,
                                "factory": a.factory.name,
                                "digest": digest,
                                "certificate": cert.number,
                                "lang": lang,
                            },
                            ensure_ascii=False,
                        ).encode(),
                    )
                    stats.rendered += 1
        except Exception as exc:  # noqa: BLE001 - one bad factory must not stop the batch; it is reported
            stats.failed.append((aid, f"{type(exc).__name__}: {exc}"))
        if progress:
            progress(i, len(ids), started)
    stats.seconds = time.perf_counter() - started
    return stats
