"""How `plansign serve` is laid out on a machine, decided in one place: worker processes,
threads in each, and the database connections and LibreOffice instances each worker
keeps. Pure: the CLI passes the settings' values and the CPU count in.

- **Processes, not threads, use the cores**: Python runs one thread at a time per
  process, so ``serve_workers`` 0 means one worker per CPU.
- **Threads** (``serve_threads``) let a worker go on computing while a request waits on
  the database or the network.
- **Database connections, per worker, follow its threads.** A request thread holds one
  connection at a time on the hot paths (a page's read, an acknowledgement's read and
  then its write) and two at most (an ORM read beside a write); the pool opens
  connections only as they are first needed, so ``2 x threads`` is what a worker can
  ever use at once, and what it keeps once used. SQLAlchemy's default (5, and 10 more
  opened and closed again) served 4 threads, but with 6 or 8 threads the overflow
  connections were opened and closed again request after request (a PostgreSQL
  connection's start is several milliseconds of both sides' CPU). A few more may be
  opened past that (``database_overflow``) and are closed when given back, so a
  burst from something unforeseen waits for no one.
- **LibreOffice** instances (``converter_pool_size``, 0: one per CPU, at least two) are
  shared out between the workers, each starting its own on its first conversion.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class ServingPlan:
    workers: int  # processes
    threads: int  # request threads in each
    database_pool: int  # connections each worker keeps once it has used them
    database_overflow: int  # more it may open at once, closed when given back
    converters: int  # LibreOffice instances each worker may start

    @property
    def database_connections(self) -> int:
        """Connections the whole of `plansign serve` may hold at once (against the
        database server's ``max_connections``)."""
        return self.workers * (self.database_pool + self.database_overflow)


def serving_plan(*, cpus: int, workers: int, threads: int, converters: int) -> ServingPlan:
    """The layout for a machine of ``cpus`` CPUs; ``workers`` 0 means one per CPU, and
    ``converters`` is the LibreOffice instances for the whole server."""
    if threads < 1:
        raise ValueError("serve_threads must be at least 1")
    processes = workers or max(1, cpus)
    return ServingPlan(workers=processes, threads=threads, database_pool=2 * threads,
                       database_overflow=threads,
                       converters=max(1, math.ceil(converters / processes)))
