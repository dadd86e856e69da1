"""The app's backend: one engine per database URL (migrated, demo data on first start), sessions, evidence store."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import streamlit as st
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from assessment.config import Settings, get_settings
from assessment.services import demo
from assessment.store.blobs import DatabaseBlobStore, make_blob_store
from assessment.store.db import make_engine, session_factory, upgrade
from assessment.store.evidence import BlobStore


@dataclass(frozen=True)
class Backend:
    settings: Settings
    engine: Engine
    Session: sessionmaker[Session]
    store: BlobStore | DatabaseBlobStore

    @property
    def max_bytes(self) -> int:
        return self.settings.max_upload_mb * 1024 * 1024


@st.cache_resource(show_spinner="正在准备数据库… / Preparing the database…")
def _backend(db_url: str, data_dir: str, load_demo: bool) -> Backend:
    settings = get_settings()
    engine = make_engine(db_url)
    upgrade(engine)
    Session = session_factory(engine)
    if load_demo:
        with Session.begin() as s:
            if not demo.has_data(s):
                latest = demo.load_demo(s)
                from reports.service import (
                    issue_certificate,  # a certificate per demo factory, to look at and verify
                )

                for aid in latest:
                    issue_certificate(aid, session=s, settings=settings, actor="demo")
    store = make_blob_store(settings, engine, Path(data_dir))  # the database on PostgreSQL: shared by every app process
    store.sweep()  # temporary files left by a process killed in the middle of an upload
    return Backend(settings, engine, Session, store)


def backend() -> Backend:
    s = get_settings()
    return _backend(s.db_url, str(s.data_dir), s.load_demo)
