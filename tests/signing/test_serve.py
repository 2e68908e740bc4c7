"""`plansign serve` is a real HTTP server: a bad link gets the friendly page over HTTP,
and nothing of the token reaches the server's output."""

from __future__ import annotations

import contextlib
import http.client
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from testsupport.net import STARTUP_SECONDS, free_port


def test_serve_answers_over_http(tmp_path, database_url):
    port = free_port()
    env = {**os.environ, "PLANSIGN_INSTANCE_PATH": str(tmp_path),
           "PLANSIGN_DATABASE_URL": database_url,
           "PLANSIGN_SECRET_KEYS": "k" * 40}
    server = subprocess.Popen(
        [sys.executable, "-c", "from signing.cli import main; main()", "serve",
         "--port", str(port)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/s/not-a-real-token-abc")
            except urllib.error.HTTPError as exc:
                assert exc.code == 403
                body = exc.read().decode()
                assert "ask HR for a new link" in body
                assert exc.headers["Content-Security-Policy"].startswith("default-src 'none'")
                break
            except urllib.error.URLError:
                assert server.poll() is None, server.communicate()[0].decode()
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.2)
    finally:
        # The stop is not what is tested here: a worker still importing when the signal
        # comes (a loaded machine) stops only once it has started, so allow what start allows.
        server.terminate()
        output = server.communicate(timeout=STARTUP_SECONDS)[0].decode()
    assert "not-a-real-token-abc" not in output


def test_serve_takes_its_settings_from_config(tmp_path, database_url):
    """`plansign --config FILE serve` serves with FILE's settings: its instance folder and
    link key, not the defaults (before, serve read the environment only and made a key
    of its own in ./instance, so its links and a worker's disagreed)."""
    port, configured = free_port(), tmp_path / "configured"
    config = tmp_path / "plansign.toml"
    config.write_text(f'instance_path = "{configured}"\n'
                      f'database_url = "{database_url}"\n'
                      'company_name = "Brändli Logistics AG"\n', encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLANSIGN_")}
    server = subprocess.Popen(
        [sys.executable, "-c", "from signing.cli import main; main()", "--config", str(config),
         "serve", "--port", str(port)], env=env, cwd=tmp_path, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/openapi.json").read()
                break
            except urllib.error.URLError:
                assert server.poll() is None, server.communicate()[0].decode()
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.2)
    finally:
        server.terminate()
        server.communicate(timeout=STARTUP_SECONDS)
    assert (configured / "secret_key").is_file()
    assert not (tmp_path / "instance").exists()


def _workers_of(master: int) -> list[int]:
    return [int(pid) for task in Path(f"/proc/{master}/task").iterdir()
            for pid in (task / "children").read_text().split()]


def _server_side_inode(server_port: int, client_port: int) -> str | None:
    """The inode of the server's end of the connection from ``client_port``."""
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote = fields[1].split(":")[1], fields[2].split(":")[1]
        if int(local, 16) == server_port and int(remote, 16) == client_port:
            return fields[9]
    return None


def _holder(workers: list[int], inode: str) -> int | None:
    for pid in workers:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            with contextlib.suppress(OSError):
                if os.readlink(fd) == f"socket:[{inode}]":
                    return pid
    return None


def test_rate_limits_hold_across_two_worker_processes(tmp_path, database_url):
    """`plansign serve --workers 2`: requests answered by both worker processes count
    against one limit (on SQLite in the shared counts file, on PostgreSQL in the
    database), not a limit per process."""
    port = free_port()
    env = {**os.environ, "PLANSIGN_INSTANCE_PATH": str(tmp_path),
           "PLANSIGN_DATABASE_URL": database_url, "PLANSIGN_SECRET_KEYS": "k" * 40,
           "PLANSIGN_RATE_LIMIT_SIGNER": "10 per minute"}
    server = subprocess.Popen(
        [sys.executable, "-c", "from signing.cli import main; main()", "serve",
         "--port", str(port), "--workers", "2", "--threads", "2"], env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    connections: dict[int, list[http.client.HTTPConnection]] = {}
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while len(_workers_of(server.pid)) < 2 or not _answers(port):
            assert server.poll() is None and time.monotonic() < deadline, "no server"
            time.sleep(0.2)
        workers = _workers_of(server.pid)
        # New connections until each worker holds some (which worker accepts one is
        # the kernel's choice); each answered once, by a page that counts nothing.
        for _ in range(200):
            if len(connections) == 2 and all(len(c) >= 2 for c in connections.values()):
                break
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            connection.request("GET", "/static/sign.css")
            connection.getresponse().read()
            inode = _server_side_inode(port, connection.sock.getsockname()[1])
            holder = _holder(workers, inode) if inode else None
            assert holder is not None, "the server's end of a kept-alive connection"
            connections.setdefault(holder, []).append(connection)
        assert len(connections) == 2, "one worker took every connection"
        statuses = []
        for turn in range(24):  # alternating between the two processes
            mine = list(connections.values())[turn % 2]
            connection = mine[turn // 2 % len(mine)]
            connection.request("GET", "/sign")
            response = connection.getresponse()
            response.read()
            statuses.append(response.status)
        assert statuses == [403] * 10 + [429] * 14, statuses  # 403: no signer's session
    finally:
        for held in connections.values():
            for connection in held:
                connection.close()
        server.terminate()
        output = server.communicate(timeout=30)[0].decode()
    assert server.returncode == 0, output
    assert "Traceback" not in output


def _answers(port: int) -> bool:
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/static/sign.css", timeout=5).read()
    except (urllib.error.URLError, ConnectionError):
        return False
    return True
