"""The instance folder and what plansign keeps in it: the SQLite database, the file
mail outbox, the archive's blobs, and a generated link key and sealing certificate when
none are configured."""

from __future__ import annotations

import datetime as dt
import os
import secrets
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine

from archive import FolderStore, RetentionPolicy, RetentionRulesError, S3Store, parse_rules
from config import Settings, SettingsError
from database import make_engine
from docgen import write_once
from signing.migrations import upgrade

if TYPE_CHECKING:
    from docgen.seal import SealingKey

KEY_FILE = "secret_key"


def instance_path(settings: Settings) -> Path:
    path = Path(settings.instance_path)
    path.mkdir(parents=True, exist_ok=True)
    return path


def database_url(settings: Settings) -> str:
    """The configured database's URL: ``database_url``, else the instance's SQLite file."""
    return settings.database_url or f"sqlite:///{instance_path(settings) / 'plansign.db'}"


def database_engine(settings: Settings, **pool: int) -> Engine:
    """The configured database, brought up to the newest schema; ``pool``: the pool's
    ``pool_size`` and ``max_overflow`` where not SQLAlchemy's default."""
    engine = make_engine(database_url(settings), **pool)
    upgrade(engine)
    return engine


def secret_keys(settings: Settings) -> list[str]:
    """Link keys, newest first: ``PLANSIGN_SECRET_KEYS``, or else one generated once
    into the instance folder (owner-only), so the embedded default set-up works."""
    if settings.secret_keys:
        return [k.strip() for k in settings.secret_keys.split(",") if k.strip()]
    path = instance_path(settings) / KEY_FILE
    # Written once, never replaced: a web process and a worker starting together must
    # not each keep a key of their own, or links one signs the other refuses.
    if not path.exists() and write_once(path, secrets.token_hex(32).encode()):
        print(f"plansign: no PLANSIGN_SECRET_KEYS set; generated a link key in {path}",
              file=sys.stderr)
    if path.stat().st_mode & 0o077:
        os.chmod(path, 0o600)
    return [path.read_text().strip()]


def blob_store(settings: Settings) -> FolderStore | S3Store:
    """The archive's blob store, by ``archive_backend``: a folder (``archive_path``, else
    ``archive/`` in the instance), or an S3-compatible bucket (``archive_s3_*``)."""
    backend = settings.archive_backend.strip().lower()
    if backend == "folder":
        return FolderStore(Path(settings.archive_path) if settings.archive_path
                           else instance_path(settings) / "archive")
    if backend != "s3":
        raise SettingsError(f"archive_backend is {settings.archive_backend!r}; choose folder "
                            f"(a folder, archive_path) or s3 (a bucket, archive_s3_bucket)",
                            "archive_backend")
    if not settings.archive_s3_bucket.strip():
        raise SettingsError("archive_backend is s3 but no bucket is set: set archive_s3_bucket "
                            "(PLANSIGN_ARCHIVE_S3_BUCKET) to an existing bucket",
                            "archive_s3_bucket")
    key_id = settings.archive_s3_access_key_id.strip()
    secret = settings.archive_s3_secret_access_key or ""
    if bool(key_id) != bool(secret):
        missing = "archive_s3_secret_access_key" if key_id else "archive_s3_access_key_id"
        raise SettingsError(f"{missing} is not set: set both archive_s3_access_key_id and "
                            f"PLANSIGN_ARCHIVE_S3_SECRET_ACCESS_KEY, or neither (then boto3's "
                            f"own credentials are used)", missing)
    return S3Store(settings.archive_s3_bucket.strip(), prefix=settings.archive_s3_prefix,
                   endpoint_url=settings.archive_s3_endpoint_url.strip() or None,
                   region=settings.archive_s3_region.strip() or None,
                   access_key_id=key_id or None, secret_access_key=secret or None,
                   connect_timeout=settings.archive_s3_connect_timeout,
                   read_timeout=settings.archive_s3_read_timeout,
                   max_attempts=settings.archive_s3_max_attempts,
                   path_style=settings.archive_s3_path_style)


def retention_policy(settings: Settings) -> RetentionPolicy:
    """``retention_rules`` over ``retention_years``; a rule that cannot be used is a
    settings error naming it, raised when serve, the worker or an archive command
    starts rather than when a record is first archived."""
    try:
        return parse_rules(settings.retention_rules, default_years=settings.retention_years)
    except RetentionRulesError as exc:
        raise SettingsError(str(exc), "retention_rules") from None


def sealing_key(settings: Settings) -> SealingKey:
    """The configured sealing key, or else a self-signed one made once in the instance
    folder (and said so), so the embedded default set-up seals too."""
    key, notice = _configured_or_self_signed(settings)
    if notice:
        print(f"plansign: {notice}", file=sys.stderr)
    return key


def trusted_seal_certificates(settings: Settings) -> list[Any]:
    """The certificates a seal is checked against: the configured sealing key's, else
    this instance's self-signed one if it has made one, and those of ``seal_trust_path``
    (a timestamp authority's, sealing certificates used before). Never makes a key."""
    from docgen.seal import (
        configured_sealing_key,
        load_certificates,
        load_sealing_key,
        self_signed_path,
    )
    from docgen.seal.selfsigned import SEAL_FOLDER

    further = (load_certificates(Path(settings.seal_trust_path), "seal_trust_path")
               if settings.seal_trust_path else [])
    # Dates are not checked here: a certificate that has expired since still vouches for
    # the seals made while it was valid (verification checks each as of its sealing).
    key = configured_sealing_key(settings, check_dates=False)
    if key is not None:
        return [key.certificate, *key.chain, *further]
    path = self_signed_path(instance_path(settings) / SEAL_FOLDER)
    if not path.exists():
        return further
    return [load_sealing_key(key_path=path, cert_path=path, check_dates=False).certificate,
            *further]


def _configured_or_self_signed(settings: Settings) -> tuple[SealingKey, str | None]:
    # docgen.seal is imported here, not at the top: pyHanko takes 0.4 s to import, which
    # only the commands that seal or verify should pay.
    from docgen.seal import sealing_key_for

    return sealing_key_for(settings, instance_folder=instance_path(settings),
                           organisation=settings.company_name, now=dt.datetime.now(dt.UTC))
