"""``plansign demo``: the whole job, once, on the embedded defaults, where one can watch it.

It generates the example plans, starts the signing service and the worker as the
separate processes they are in production, sends one plan, reads the signing link from
the file outbox (which stands in for the employee's mailbox), and either acknowledges
the plan over HTTP as the employee would, through the same pages a browser gets, or
waits for a person to do it. Then it waits for the worker to stamp, seal and archive the
record, writes the archived documents out, and runs ``plansign verify`` on it.

Every step is an ordinary ``plansign`` command in a child process, so what the demo
shows is exactly what those commands do.
"""

from __future__ import annotations

import contextlib
import email
import html
import http.cookiejar
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email import policy
from pathlib import Path

import click

from docgen.sample import EXAMPLES
from signing.domain.errors import SigningError

DEFAULT_PLAN = EXAMPLES / "support-agent-30d.yaml"
DEMO_COMMENT = ("I accept the goals. I would like the first coaching session moved to "
                "Tuesday mornings, when queue volume is lower.")
PLANSIGN = [sys.executable, "-c", "from signing.cli import main; main()"]


class DemoFailed(SigningError):
    """A step of the demo did not do what it should; the message says which."""


@dataclass(frozen=True)
class Demo:
    out: Path
    port: int
    plan: Path

    @property
    def instance(self) -> Path:
        return self.out / "instance"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        """The embedded defaults, in a folder of the demo's own: SQLite, the file outbox,
        the folder archive, a generated link key and a self-signed seal."""
        keep = {k: v for k, v in os.environ.items() if not k.startswith("PLANSIGN_")}
        return {**keep, "PLANSIGN_INSTANCE_PATH": str(self.instance),
                "PLANSIGN_BASE_URL": self.base_url, "PLANSIGN_MAIL_BACKEND": "file",
                "PYTHONUNBUFFERED": "1"}

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        done = subprocess.run([*PLANSIGN, *args], env=self.env(), capture_output=True,
                              text=True)
        if check and done.returncode != 0:
            raise DemoFailed(f"`plansign {' '.join(args)}` failed:\n"
                             f"{(done.stderr or done.stdout).strip()}")
        return done

    @contextlib.contextmanager
    def started(self, *args: str, log: str) -> Iterator[subprocess.Popen[bytes]]:
        """A long-running ``plansign`` command, its output in a log file, stopped after."""
        with open(self.out / log, "ab") as output:
            process = subprocess.Popen([*PLANSIGN, *args], env=self.env(), stdout=output,
                                       stderr=subprocess.STDOUT)
        try:
            yield process
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def free_port(preferred: int = 8000) -> int:
    for port in (preferred, 0):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            bound: int = s.getsockname()[1]
            return bound
    raise DemoFailed("no free port on 127.0.0.1")


def wait_until_serving(demo: Demo, server: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if server.poll() is not None:
            raise DemoFailed(f"`plansign serve` stopped; see {demo.out / 'serve.log'}")
        try:
            urllib.request.urlopen(f"{demo.base_url}/sign", timeout=2)
            return
        except urllib.error.HTTPError:
            return  # it answers (403: no session yet)
        except OSError:
            if time.monotonic() > deadline:
                raise DemoFailed(f"`plansign serve` did not answer on {demo.base_url}") \
                    from None
            time.sleep(0.2)


def invitation_link(mail: Path, base_url: str, timeout: float = 60) -> str:
    """The employee's link, from the invitation in the file outbox (``send`` or the
    worker, whichever claims it first, puts it there)."""
    deadline = time.monotonic() + timeout
    while True:
        for path in sorted(mail.glob("*.eml")):
            message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
            body = message.get_body(("plain",))
            if body is None:  # not one of ours: each has a plain-text part
                continue
            text = body.get_content()
            found = re.search(re.escape(base_url) + r"/s/\S+", text)
            if found:
                return found.group(0)
        if time.monotonic() > deadline:
            raise DemoFailed(f"no invitation with a signing link reached {mail}")
        time.sleep(0.2)


def acknowledge_as_employee(link: str, name: str, comment: str) -> None:
    """Open the link and acknowledge, as the employee's browser would: the token is
    exchanged for a session cookie, then the form is posted with its CSRF token."""
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    # The audit trail and the certificate name the browser; say plainly who this was.
    opener.addheaders = [("User-Agent", "plansign demo (acting as the employee over HTTP)")]
    with opener.open(link, timeout=30) as page:
        text = page.read().decode()
        action_base = page.geturl()
    token = re.search(r'name="csrf_token" value="([^"]+)"', text)
    if token is None:
        raise DemoFailed("the plan page has no form to acknowledge it")
    form = urllib.parse.urlencode({"csrf_token": html.unescape(token.group(1)),
                                   "typed_name": name, "consent": "on",
                                   "comment": comment}).encode()
    target = urllib.parse.urljoin(action_base, "/sign/acknowledge")
    with opener.open(urllib.request.Request(target, data=form, headers={
            "Content-Type": "application/x-www-form-urlencoded"}), timeout=30) as answer:
        result = answer.read().decode()
    if "Your acknowledgement has been recorded" not in result:
        raise DemoFailed("the acknowledgement was not recorded")


def wait_until_archived(demo: Demo, envelope_id: str, worker: subprocess.Popen[bytes], *,
                        timeout: float | None) -> None:
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        status = demo.run("status", envelope_id).stdout.splitlines()[0]
        if status.startswith(f"envelope {envelope_id}: archived"):
            return
        if worker.poll() is not None:
            raise DemoFailed(f"`plansign worker` stopped; see {demo.out / 'worker.log'}")
        if deadline is not None and time.monotonic() > deadline:
            raise DemoFailed(f"the record was not archived within {timeout:.0f} s ({status}); "
                             f"see {demo.out / 'worker.log'}")
        time.sleep(0.5)


@click.command("demo")
@click.option("--out", default="out", show_default=True,
              type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the generated examples and the demo's own instance.")
@click.option("--plan", "plan", default=str(DEFAULT_PLAN), show_default=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The plan to send.")
@click.option("--port", default=0, type=click.IntRange(0, 65535),
              help="Port for the signing pages [default: 8000, or any free one].")
@click.option("--wait", is_flag=True,
              help="Keep the service running for a person to open the link and respond; "
                   "stop it with Ctrl+C.")
def demo_cmd(out: Path, plan: Path, port: int, wait: bool) -> None:
    """The whole flow on the embedded defaults: generate the examples, start the service
    and the worker, send a plan, acknowledge it as the employee (or wait for a person
    to), then show the sealed record and verify it."""
    demo = Demo(out.resolve(), port or free_port(), plan.resolve())
    if demo.instance.exists():
        shutil.rmtree(demo.instance)  # a fresh start each time: the demo's own data only
    demo.instance.mkdir(parents=True)
    step = _steps()

    step("Generating the example plans (lint, render with docxtpl, convert with LibreOffice)")
    generated = demo.run("generate", *map(str, sorted(EXAMPLES.glob("*.yaml"))),
                         "--out", str(demo.out / "examples"))
    click.echo(_indent(generated.stdout))

    with demo.started("serve", "--port", str(demo.port), log="serve.log") as server, \
            demo.started("worker", log="worker.log") as worker:
        step(f"Started `plansign serve` on {demo.base_url} and `plansign worker` "
             f"(logs in {demo.out})")
        wait_until_serving(demo, server)

        step(f"Sending {demo.plan.name}")
        sent = demo.run("send", str(demo.plan))
        envelope_id = sent.stdout.splitlines()[0].strip()
        click.echo(_indent(sent.stdout))
        link = invitation_link(demo.instance / "mail", demo.base_url)
        step("The employee's signing link, from the invitation in the file outbox")
        click.echo(f"    {link}")

        name = _employee_name(demo, envelope_id)
        if wait:
            step("Waiting for you: open the link above in a browser, read the plan, and "
                 "acknowledge it, refuse to sign, or comment (Ctrl+C to stop)")
        else:
            step(f"Acknowledging as {name} would, over HTTP (open the link, post the form)")
            acknowledge_as_employee(link, name, DEMO_COMMENT)
            click.echo(f"    recorded, with the comment: {DEMO_COMMENT}")

        step("Waiting for the worker to stamp, seal and archive the record")
        try:
            wait_until_archived(demo, envelope_id, worker, timeout=None if wait else 180)
        except KeyboardInterrupt:
            click.echo("\nstopped")
            return
        record = demo.out / "record"
        if record.exists():
            shutil.rmtree(record)
        demo.run("archive", "get", envelope_id, "--out", str(record))
        step("The sealed record")
        click.echo(f"    {record / 'final.pdf'}   (the final, sealed PDF)")
        click.echo(f"    {record}   (with the original PDF, the plan data, the audit trail "
                   "and a manifest)")

        step(f"plansign verify {envelope_id}")
        verified = demo.run("verify", envelope_id, check=False)
        click.echo(_indent(verified.stdout))
        if wait:
            step(f"Still serving on {demo.base_url}; Ctrl+C to stop")
            with contextlib.suppress(KeyboardInterrupt):
                server.wait()
    if verified.returncode != 0:
        raise DemoFailed("verification failed")


def _employee_name(demo: Demo, envelope_id: str) -> str:
    for line in demo.run("status", envelope_id).stdout.splitlines():
        match = re.match(r"\s+\d+\. employee\s+(.+?) <", line)
        if match:
            return match.group(1)
    raise DemoFailed("the envelope has no employee")


def _steps() -> Callable[[str], None]:
    count = 0

    def step(text: str) -> None:
        nonlocal count
        count += 1
        click.secho(f"\n{count}. {text}", bold=True)

    return step


def _indent(text: str) -> str:
    return "\n".join(f"    {line}" for line in text.rstrip().splitlines())
