"""The worker: one process that keeps the deadlines and carries out the outbox."""

from signing.worker.loop import DELIVERY_WAIT, DatabaseOutage, patience, run

__all__ = ["DELIVERY_WAIT", "DatabaseOutage", "patience", "run"]
