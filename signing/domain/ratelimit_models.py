"""The rate limiter's counters, when they are kept in the plansign database (PostgreSQL):
one row per client and limit, shared by every web process.

A module of its own, importing nothing but SQLAlchemy, so that registering the table on
``Base.metadata`` (from :mod:`signing.domain.models`) does not import Flask-Limiter.
"""

from __future__ import annotations

from sqlalchemy import Double, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from database import Base

KEY_LENGTH = 255


class RateLimitRow(Base):
    """A fixed window's count of requests: ``hits`` so far in the window that ends at
    ``expires_at``. A row past its end counts as empty, and is deleted now and then."""

    __tablename__ = "rate_limits"

    key: Mapped[str] = mapped_column(String(KEY_LENGTH), primary_key=True)
    hits: Mapped[int] = mapped_column(Integer)
    # Seconds since the epoch, as the limits library counts time; a float keeps the
    # window's end exact to the millisecond on both databases, without time zones.
    expires_at: Mapped[float] = mapped_column(Double, index=True)
