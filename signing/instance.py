"""The instance folder and what plansign keeps in it: the SQLite database, the file
mail outbox, and a generated link key when none is configured."""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

from sqlalchemy import Engine

from config import Settings
from database import make_engine
from docgen import write_atomic
from signing.migrate import upgrade

KEY_FILE = "secret_key"


def instance_path(settings: Settings) -> Path:
    path = Path(settings.instance_path)
    path.mkdir(parents=True, exist_ok=True)
    return path


def database_engine(settings: Settings) -> Engine:
    """The configured database, brought up to the newest schema."""
    url = settings.database_url or f"sqlite:///{instance_path(settings) / 'plansign.db'}"
    engine = make_engine(url)
    upgrade(engine)
    return engine


def secret_keys(settings: Settings) -> list[str]:
    """Link keys, newest first: ``PLANSIGN_SECRET_KEYS``, or else one generated once
    into the instance folder (owner-only), so the embedded default set-up works."""
    if settings.secret_keys:
        return [k.strip() for k in settings.secret_keys.split(",") if k.strip()]
    path = instance_path(settings) / KEY_FILE
    if not path.exists():
        write_atomic(path, secrets.token_hex(32).encode())
        print(f"plansign: no PLANSIGN_SECRET_KEYS set; generated a link key in {path}",
              file=sys.stderr)
    if path.stat().st_mode & 0o077:
        os.chmod(path, 0o600)
    return [path.read_text().strip()]
