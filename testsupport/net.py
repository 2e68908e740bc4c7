"""Ports on this machine."""

from __future__ import annotations

import socket


def free_port() -> int:
    """A TCP port of 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


#: How long a test waits for a server it started to answer. Generous on purpose: a
#: shared test machine under load has been seen to take more than 30 s to start
#: `plansign serve`'s processes, and a server that never starts still fails the test
#: (each wait also checks that the process is alive).
STARTUP_SECONDS = 180
