"""Crash points for the fault tests: with ``PLANSIGN_FAILPOINT=NAME`` in its environment,
a process kills itself with SIGKILL the moment it reaches the point called NAME, as a
power cut or the kernel's OOM killer would stop it there. Nothing else changes: the
point is an ordinary line of the code under test, so what the tests restart from is
exactly what a real crash leaves.

The points: ``finalize.sealed`` (the final PDF made, not yet stored), ``finalize.staged``
(stored with the envelope, not yet archived), ``finalize.blobs_written`` (the archive's
blobs written, its index not yet committed), ``outbox.email.done`` (the provider has
the message, the outbox row is not yet marked sent), ``webhook.delivered`` (the receiver
has answered, the attempt is not yet recorded), ``casefile.sealed`` (a closed case's case
file built and sealed, nothing of it kept yet), ``purge.committed`` (a purge's tombstones
committed, none of its blobs deleted yet), ``purge.swept`` (a purge's blobs deleted,
their tombstones not yet marked swept), ``purge.erased`` (the signing database's copy
erased and committed, its check-in records' blobs not yet deleted).

Read from the environment only, once, never from settings: it is for tests, and a
deployment's configuration cannot switch it on by mistake.
"""

from __future__ import annotations

import os
import signal

ARMED = os.environ.get("PLANSIGN_FAILPOINT", "")


def reached(name: str) -> None:
    if ARMED and name == ARMED:
        os.kill(os.getpid(), signal.SIGKILL)
