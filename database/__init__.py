"""The shared database base: the declarative base every package's tables derive from,
and the engine and session set-up. Imports nothing else of ours, so ``signing``,
``archive`` and ``webhooks`` can all build on it."""

from database.base import Base, UTCDateTime
from database.engine import (
    make_engine,
    make_session_factory,
    read_only_engine,
    read_only_problem,
    refuses_writes,
    statement_reader,
)

__all__ = ["Base", "UTCDateTime", "make_engine", "make_session_factory", "read_only_engine",
           "read_only_problem", "refuses_writes", "statement_reader"]
