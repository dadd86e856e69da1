"""The one settings object. Read from the environment (prefix ``SFA_``) and ``DATABASE_URL``."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, PositiveInt
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SFA_", extra="ignore")

    criteria_dir: Path = ROOT / "criteria"
    data_dir: Path = ROOT / "data"
    # SQLite under data_dir unless DATABASE_URL (or SFA_DATABASE_URL) names another database
    database_url: str | None = Field(default=None, validation_alias=AliasChoices("DATABASE_URL", "SFA_DATABASE_URL"))
    max_upload_mb: int = 20
    load_demo: bool = True
    issuer_name: str = "本工具自评估（未经认定）/ toolkit self-assessment (not certified)"
    certificate_valid_days: PositiveInt = 365  # provisional: official validity is not known
    # short code in certificate numbers (SA-2026-<CODE>-000001); default: derived from the active signing key
    issuer_code: str | None = Field(default=None, pattern=r"^[A-Z0-9]{2,12}$")

    # accounts and the provincial workflow (issue 12). local: one user on this machine, no login; required: every
    # page needs a login (server mode)
    auth: Literal["local", "required"] = "local"
    login_max_failures: PositiveInt = 5  # failed logins in a row before the account is locked
    lockout_minutes: PositiveInt = 15
    session_idle_minutes: PositiveInt = 30  # a session unused this long has expired
    session_max_hours: PositiveInt = 12  # and none lasts longer than this
    min_experts: PositiveInt = 3  # experts an application needs before review starts
    # where evidence content is kept: files under data_dir, the database, or auto (the database on PostgreSQL, so
    # several app processes behind one database serve the same files)
    evidence_store: Literal["auto", "filesystem", "database"] = "auto"
    # the issuer printed on certified (CT-) certificates, e.g. 某某省工业和信息化厅; required to issue them
    province_issuer_name: str | None = None

    @property
    def keys_dir(self) -> Path:
        return self.data_dir / "keys"

    @property
    def trust_dir(self) -> Path:
        return self.data_dir / "trust"

    @property
    def evidence_in_database(self) -> bool:
        if self.evidence_store == "auto":
            return self.db_url.startswith("postgresql")
        return self.evidence_store == "database"

    @property
    def db_url(self) -> str:
        if self.database_url:
            url = self.database_url
            if url.startswith("postgresql://") or url.startswith("postgres://"):
                url = "postgresql+psycopg://" + url.split("://", 1)[1]
            return url
        return f"sqlite:///{self.data_dir / 'assessment.db'}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
