"""The composition root: one :class:`Services` built from the settings holds everything
plansign is made of (the database and its sessions, the archive's blob store, the link
signers, the PDF converter, the mailer, the finalizer, the announcer and the webhook
deliverer), and every entry point takes it: each CLI command (the group builds it once
from ``--config`` and the environment), the Flask app (``create_app(services)``), the
worker, the demo and the tests. Nothing else builds these parts.

Each part is made on first use, so a command builds only what it needs (``lint`` opens
no database; ``generate`` starts no mailer), and :meth:`Services.close` stops what was
made. A part may be given instead (tests give the session's LibreOffice pool), and is
then not closed here. Each part's modules are imported when it is made, too: the
database, the archive and the migrations take longer to import than ``generate``
takes to start LibreOffice.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import threading
from typing import TYPE_CHECKING, Any

from config import Settings, SettingsError

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session, sessionmaker

    from archive import BlobStore, RetentionPolicy
    from docgen.convert import ConverterPool
    from docgen.generate import PdfConverter
    from docgen.seal import SealingKey
    from signing.branding import Branding, HrContact
    from signing.domain.announce import Announcer
    from signing.domain.case_file_task import CaseFileMaker
    from signing.domain.checkin_record_task import CheckinRecordMaker
    from signing.domain.downloads import DownloadLinks
    from signing.domain.finalize import Finalizer
    from signing.domain.links import LinkSigner
    from signing.domain.notify import Mailer
    from signing.domain.recordlinks import RecordLinks
    from webhooks.delivery import Deliverer


def converter_pool_size(settings: Settings) -> int:
    """LibreOffice instances in a pool: ``converter_pool_size``, else one per CPU but at
    least two, so that one long conversion never holds up every other (instances start
    only when every running one is busy, so a small job pays for one)."""
    return settings.converter_pool_size or max(2, os.cpu_count() or 1)


class Services:
    """Everything plansign is made of, built once from ``settings``."""

    def __init__(self, settings: Settings, *, converter: PdfConverter | None = None,
                 database_pool: tuple[int, int] | None = None) -> None:
        self.settings = settings
        self._lock = threading.Lock()  # web threads ask for parts at once
        self._given_converter = converter
        # Connections kept and opened past them (`plansign serve`'s workers size it to
        # their threads: signing/web/serving.py); None: SQLAlchemy's default.
        self._database_pool = database_pool

    def __repr__(self) -> str:
        return f"Services(instance_path={self.settings.instance_path!r})"

    # -- the company's name and look ---------------------------------------------------

    @functools.cached_property
    def branding(self) -> Branding:
        """The company's name, logo, colour, sender and HR contact, checked (the logo read)
        once: commands that make documents or send email ask for it as they start, so
        a bad logo or colour stops them there, naming the setting."""
        from signing.branding import branding_from_settings

        return branding_from_settings(self.settings)

    # -- the database ------------------------------------------------------------------

    @functools.cached_property
    def engine(self) -> Engine:
        """The configured database, brought up to the newest schema. A failure (the
        database away) is not kept: the next use tries again."""
        from signing import instance

        if self._database_pool is None:
            return instance.database_engine(self.settings)
        pool_size, max_overflow = self._database_pool
        return instance.database_engine(self.settings, pool_size=pool_size,
                                        max_overflow=max_overflow)

    @functools.cached_property
    def sessions(self) -> sessionmaker[Session]:
        """Sessions for writing: each ``sessions.begin()`` is one transaction."""
        from database import make_session_factory

        return make_session_factory(self.engine)

    @functools.cached_property
    def read_engine(self) -> Engine:
        """The database for reading only (``READ ONLY`` on PostgreSQL; no write lock on
        SQLite), for Core statements; the same pool as :attr:`engine`."""
        from database import read_only_engine

        return read_only_engine(self.engine)

    @functools.cached_property
    def readers(self) -> sessionmaker[Session]:
        """Sessions that only read (``READ ONLY`` on PostgreSQL; no write lock on SQLite)."""
        from sqlalchemy.orm import sessionmaker

        return sessionmaker(self.read_engine, expire_on_commit=False)

    @property
    def database_url(self) -> str:
        from signing import instance

        return instance.database_url(self.settings)

    # -- files and keys ----------------------------------------------------------------

    @functools.cached_property
    def store(self) -> BlobStore:
        """The archive's write-once blob store (a folder, or an S3-compatible bucket)."""
        from signing import instance

        return instance.blob_store(self.settings)

    @functools.cached_property
    def secret_keys(self) -> list[str]:
        from signing import instance

        return instance.secret_keys(self.settings)

    @functools.cached_property
    def links(self) -> LinkSigner:
        """Signs and checks the signers' links."""
        from signing.domain.links import LinkSigner

        return LinkSigner(self.secret_keys,
                          max_age=dt.timedelta(days=self.settings.link_max_age_days))

    @functools.cached_property
    def downloads(self) -> DownloadLinks:
        """Signs and checks the final-PDF links that webhooks carry."""
        from signing.domain.downloads import DownloadLinks, link_lifetime

        return DownloadLinks(self.secret_keys,
                             max_age=link_lifetime(self.settings.webhook_download_hours))

    @functools.cached_property
    def record_links(self) -> RecordLinks:
        """Signs and checks links to a person's own records: the copy link of the "your
        copy" email and the short ones the records page mails."""
        from signing.domain.recordlinks import RecordLinks

        settings = self.settings
        days = settings.employee_copy_link_days
        return RecordLinks(
            self.secret_keys, copy_max_age=dt.timedelta(days=days) if days else None,
            access_max_age=dt.timedelta(minutes=settings.records_request_link_minutes))

    @functools.cached_property
    def records_pepper(self) -> bytes:
        """The key of the hash the access log names an unknown address by (records
        page): derived from the newest link key, so a copy of the log alone cannot test
        guesses of who asked."""
        import hashlib

        return hashlib.sha256(b"plansign records request\0"
                              + self.secret_keys[0].encode()).digest()

    @functools.cached_property
    def sealing_key(self) -> SealingKey:
        """The key that seals final documents (configured, or self-signed once)."""
        from signing import instance

        return instance.sealing_key(self.settings)

    # -- the converter -----------------------------------------------------------------

    @property
    def converter(self) -> PdfConverter:
        """The PDF converter: the one given, else a warm LibreOffice pool
        (:func:`converter_pool_size` instances) made on first use, whose instances stop
        after ``converter_idle_timeout`` unused and start again when needed."""
        if self._given_converter is not None:
            return self._given_converter
        return self.converter_pool

    @converter.setter
    def converter(self, converter: PdfConverter) -> None:
        self._given_converter = converter

    @property
    def converter_pool(self) -> ConverterPool:
        """The LibreOffice pool made here (not one given): made once, on first use."""
        with self._lock:
            return self._pool

    @functools.cached_property
    def _pool(self) -> ConverterPool:
        from docgen.convert import ConverterPool

        settings = self.settings
        return ConverterPool(
            converter_pool_size(settings), timeout=settings.converter_timeout,
            retries=settings.converter_retries, max_documents=settings.converter_max_documents,
            soffice=settings.soffice_path or None, uno_python=settings.uno_python,
            idle_timeout=settings.converter_idle_timeout or None)

    # -- the worker's parts ------------------------------------------------------------

    @functools.cached_property
    def mailer(self) -> Mailer:
        from signing import instance
        from signing.domain.mail import backend_from_settings, compose
        from signing.domain.notify import Mailer
        from signing.domain.sending import default_language

        settings = self.settings
        brand = self.branding
        backend = backend_from_settings(
            settings.mail_backend, folder=instance.instance_path(settings) / "mail",
            api_key=settings.sendgrid_api_key, host=settings.sendgrid_host,
            from_email=settings.mail_from, from_name=brand.sender_name)
        look = compose.Look(
            colour=brand.primary_colour if brand.configured_colour
            else compose.NEUTRAL_LINK_COLOUR,
            accent=brand.accent_colour if brand.configured_colour else None,
            logo_png=brand.logo.png if brand.logo else None,
            logo_size=(brand.logo.width_px, brand.logo.height_px) if brand.logo else (0, 0),
            reply_to=brand.reply_to)
        def mail_contact(c: HrContact) -> compose.Contact:
            return compose.Contact(c.name, c.email, c.phone or None)

        contact = mail_contact(brand.hr_contact) if brand.hr_contact else None
        try:
            return Mailer(backend, self.links, settings.base_url, brand.legal_name,
                          copy_delivery=settings.employee_copy_delivery,
                          copy_attachment_bytes=settings.employee_copy_attachment_max_mb
                          * 1_000_000, record_links=self.record_links, look=look,
                          hr_contact=contact,
                          team_contacts={team: mail_contact(c)
                                         for team, c in brand.team_contacts},
                          notify_managers=settings.notify_managers,
                          notify_hr=settings.notify_hr,
                          default_language=default_language(settings))
        except ValueError as exc:
            raise SettingsError(str(exc), "employee_copy_delivery") from None

    @functools.cached_property
    def finalizer(self) -> Finalizer:
        from signing.domain.finalize import Finalizer  # stamping and sealing are slow to import

        settings = self.settings
        return Finalizer(
            self.sessions, self.store, sealing_key=lambda: self.sealing_key,
            company_name=self.branding.legal_name,
            timestamp_url=settings.seal_timestamp_url or None,
            seal_level=settings.seal_level, retention=self.retention_policy)

    @functools.cached_property
    def retention_policy(self) -> RetentionPolicy:
        """How long records are kept (retention_rules, retention_years); checked here."""
        from signing import instance

        return instance.retention_policy(self.settings)

    @functools.cached_property
    def case_file_maker(self) -> CaseFileMaker:
        from signing.domain.case_file_task import CaseFileMaker  # fpdf2, pyHanko: slow

        settings = self.settings
        return CaseFileMaker(
            self.sessions, self.store, sealing_key=lambda: self.sealing_key,
            company_name=self.branding.legal_name,
            timestamp_url=settings.seal_timestamp_url or None,
            seal_level=settings.seal_level)

    @functools.cached_property
    def checkin_record_maker(self) -> CheckinRecordMaker:
        from signing.domain.checkin_record_task import CheckinRecordMaker  # fpdf2, pyHanko

        settings = self.settings
        return CheckinRecordMaker(
            self.sessions, self.store, sealing_key=lambda: self.sealing_key,
            company_name=settings.company_name,
            timestamp_url=settings.seal_timestamp_url or None,
            seal_level=settings.seal_level)

    @functools.cached_property
    def announcer(self) -> Announcer:
        from signing.domain.announce import Announcer

        return Announcer(self.sessions, self.downloads, self.settings.base_url,
                         lease=dt.timedelta(seconds=self.settings.worker_lease_seconds))

    def deliverer(self) -> Deliverer:
        """A new webhook deliverer (a context manager: it runs its own event loop)."""
        from signing.domain import failpoints
        from webhooks.delivery import Deliverer, DeliveryConfig  # aiohttp: slow to import

        settings = self.settings
        return Deliverer(
            self.sessions, before_record=lambda: failpoints.reached("webhook.delivered"),
            config=DeliveryConfig(
                timeout=settings.webhook_timeout, allow_private=settings.webhook_allow_private,
                concurrency=settings.webhook_concurrency,
                per_endpoint=settings.webhook_endpoint_concurrency,
                min_lease=settings.worker_lease_seconds))

    # -- the end -----------------------------------------------------------------------

    def close(self) -> None:
        """Stop what was made here: the LibreOffice pool, the database's connections."""
        made: dict[str, Any] = self.__dict__
        pool = made.pop("_pool", None)
        if pool is not None:
            pool.close()
        engine = made.pop("engine", None)
        if engine is not None:
            engine.dispose()
        for name in ("sessions", "readers", "read_engine"):
            made.pop(name, None)
