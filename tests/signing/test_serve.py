"""`plansign serve` is a real HTTP server: a bad link gets the friendly page over HTTP,
and nothing of the token reaches the server's output."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request

from testsupport.net import free_port


def test_serve_answers_over_http(tmp_path, database_url):
    port = free_port()
    env = {**os.environ, "PLANSIGN_INSTANCE_PATH": str(tmp_path),
           "PLANSIGN_DATABASE_URL": database_url,
           "PLANSIGN_SECRET_KEYS": "k" * 40}
    server = subprocess.Popen(
        [sys.executable, "-c", "from signing.cli import main; main()", "serve",
         "--port", str(port)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
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
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.2)
    finally:
        server.terminate()
        output = server.communicate(timeout=10)[0].decode()
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
        deadline = time.monotonic() + 30
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
        server.communicate(timeout=10)
    assert (configured / "secret_key").is_file()
    assert not (tmp_path / "instance").exists()
