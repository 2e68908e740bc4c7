"""``plansign demo``: the whole job, once, on the embedded defaults, where one can watch it.

It generates the example plans, starts the signing service and the worker as the
separate processes they are in production, and sends one plan with the default routing:
the manager confirms it, then the employee acknowledges it, then HR countersign. For each
in turn it reads the signing link from the invitation in the file outbox (which stands
in for the signers' mailboxes) and either signs over HTTP as that person would, through
the same pages a browser gets, or waits for a person to do it. Then it waits for the
worker to stamp, seal and archive the record, writes the archived documents out, and
runs ``plansign verify`` on it.

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
import secrets
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
from babel.support import Translations

from docgen.convert import parent_death_signal
from docgen.languages import SUPPORTED
from docgen.sample import EXAMPLES
from signing.domain.errors import SigningError
from signing.web.language import TRANSLATIONS

DEFAULT_PLAN = EXAMPLES / "support-agent-30d.yaml"
DEMO_COMMENT = ("I accept the goals. I would like the first coaching session moved to "
                "Tuesday mornings, when queue volume is lower.")
PLANSIGN = [sys.executable, "-c", "from signing.cli import main; main()"]
DEMO_HR_USERNAME = "hr-demo"


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

    def run(self, *args: str, check: bool = True,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        done = subprocess.run([*PLANSIGN, *args], env={**self.env(), **(env or {})},
                              capture_output=True, text=True)
        if check and done.returncode != 0:
            raise DemoFailed(f"`plansign {' '.join(args)}` failed:\n"
                             f"{(done.stderr or done.stdout).strip()}")
        return done

    @contextlib.contextmanager
    def running(self, *commands: tuple[str, ...]) -> Iterator[list[subprocess.Popen[bytes]]]:
        """Long-running ``plansign`` commands (``serve``, ``worker``), each with its output
        in ``<command>.log``, stopped together afterwards (:func:`stop_together`).

        Each runs in a process group of its own, so a Ctrl+C in the terminal reaches the
        demo alone, which stops them cleanly (SIGTERM: the worker finishes its pass, the
        server its requests) instead of cutting the worker mid-statement; and each is
        told to stop if the demo itself is killed, so nothing is left serving on the
        port."""
        processes: list[subprocess.Popen[bytes]] = []
        try:
            for args in commands:
                with open(self.out / f"{args[0]}.log", "ab") as output:
                    processes.append(subprocess.Popen(
                        [*PLANSIGN, *args], env=self.env(), stdout=output,
                        stderr=subprocess.STDOUT, process_group=0,
                        preexec_fn=_STOP_WITH_THE_DEMO))
            yield processes
        finally:
            stop_together(processes, grace=STOP_GRACE)


# Seconds the service and the worker have, together, to stop cleanly before they are
# killed. Under a heavy load a clean stop takes seconds (the worker's pass, the server's
# requests, then each interpreter's exit); one deadline for both bounds the demo's stop.
STOP_GRACE = 20.0


def stop_together(processes: list[subprocess.Popen[bytes]], *, grace: float) -> None:
    """SIGTERM to every process at once, then the wait for all of them against one
    deadline, ``grace`` seconds away; what is still running then is killed with its
    process group (a server's workers and any LibreOffice it started with it). Stopping
    one after another, each with its own time limit, added their times: under load the
    demo's Ctrl+C once took over a minute."""
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + grace
    for process in processes:
        try:
            process.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()


# In a child, before it runs plansign: SIGTERM when the demo that started it dies, even by
# SIGKILL (Linux; elsewhere nothing is asked).
_STOP_WITH_THE_DEMO = parent_death_signal(signal.SIGTERM)


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


@dataclass(frozen=True)
class Signer:
    """A signer of the demo's envelope, as `plansign status` lists them."""

    order: int
    role: str
    name: str
    email: str

    @property
    def title(self) -> str:
        return {"employee": "the employee", "manager": "the manager", "hr": "HR"}[self.role]


def invitation_link(mail: Path, base_url: str, to: str | None = None,
                    timeout: float | None = 60,
                    stop: Callable[[], str | None] | None = None) -> str:
    """A signer's link (``to``, or anyone's), from their invitation in the file outbox
    (``send`` or the worker, whichever claims it first, puts it there). ``stop``, asked
    while waiting, may say why no invitation will come (the plan was withdrawn)."""
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        for path in sorted(mail.glob("*.eml")):
            message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
            if to is not None and message["To"].addresses[0].addr_spec != to:
                continue
            body = message.get_body(("plain",))
            if body is None:  # not one of ours: each has a plain-text part
                continue
            text = body.get_content()
            found = re.search(re.escape(base_url) + r"/s/\S+", text)
            if found:
                return found.group(0)
        if deadline is not None and time.monotonic() > deadline:
            raise DemoFailed(f"no invitation with a signing link for {to or 'anyone'} "
                             f"reached {mail}")
        reason = stop() if stop is not None else None
        if reason:
            raise DemoFailed(reason)
        time.sleep(0.2)


def said_in_any_language(message: str) -> set[str]:
    """``message`` of the signer's catalog as each language plansign speaks writes it:
    the page that answers a post is in the plan's language, which the demo's plan
    (``--plan``) may name."""
    return {message} | {Translations.load(str(TRANSLATIONS), [language], domain="signer")
                        .gettext(message) for language in SUPPORTED}


def sign_over_http(link: str, action: str, form: dict[str, str], *, who: str,
                   expect: str) -> None:
    """Open the link and post one of the page's forms, as the signer's browser would:
    the token is exchanged for a session cookie, then the form is posted with its CSRF
    token. ``expect`` is what the page says once it is recorded (a message of the
    signer's catalog, in whichever language the plan is in)."""
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    # The audit trail and the certificate name the browser; say plainly who this was.
    opener.addheaders = [("User-Agent", f"plansign demo (acting as {who} over HTTP)")]
    with opener.open(link, timeout=30) as page:
        text = page.read().decode()
        action_base = page.geturl()
    token = re.search(r'name="csrf_token" value="([^"]+)"', text)
    if token is None or f"/sign/{action}" not in text:
        raise DemoFailed(f"the plan page shows {who} no form to {action} it")
    body = urllib.parse.urlencode({"csrf_token": html.unescape(token.group(1)),
                                   **form}).encode()
    target = urllib.parse.urljoin(action_base, f"/sign/{action}")
    try:
        with opener.open(urllib.request.Request(target, data=body, headers={
                "Content-Type": "application/x-www-form-urlencoded"}), timeout=30) as answer:
            result = answer.read().decode()
    except urllib.error.HTTPError as exc:
        result = exc.read().decode(errors="replace")
    if not any(html.escape(said, quote=False) in result
               for said in said_in_any_language(expect)):
        problem = re.search(r'class="error[^"]*"[^>]*>([^<]+)<', result)
        raise DemoFailed(f"{who}: the {action} was not recorded"
                         + (f": {html.unescape(problem.group(1))}" if problem else ""))


def acknowledge_as_employee(link: str, name: str, comment: str) -> None:
    """Acknowledge with a comment, as the employee would."""
    sign_over_http(link, "acknowledge", {"typed_name": name, "consent": "on",
                                         "comment": comment, "timezone": "Europe/Zurich"},
                   who="the employee",
                   expect="Thank you. Your acknowledgement has been recorded.")


def confirm_as(link: str, signer: Signer) -> None:
    """Confirm the plan in the manager's or HR's words, as they would."""
    sign_over_http(link, "confirm", {"typed_name": signer.name, "consent": "on",
                                     "timezone": "Europe/Zurich"},
                   who=signer.title, expect="Thank you. Your confirmation has been recorded.")


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
              help="Keep the service running for a person to open each signer's link and "
                   "respond; stop it with Ctrl+C.")
def demo_cmd(out: Path, plan: Path, port: int, wait: bool) -> None:
    """The whole flow on the embedded defaults: generate the examples, start the service
    and the worker, send a plan, have the manager confirm it, the employee acknowledge
    it and HR countersign (or wait for a person to do each), then show the sealed record
    and verify it."""
    _ctrl_c_stops_the_demo()
    demo = Demo(out.resolve(), port or free_port(), plan.resolve())
    if demo.instance.exists():
        shutil.rmtree(demo.instance)  # a fresh start each time: the demo's own data only
    demo.instance.mkdir(parents=True)
    step = _steps()

    step("Generating the example plans (lint, render with docxtpl, convert with LibreOffice)")
    generated = demo.run("generate", *map(str, sorted(EXAMPLES.glob("*.yaml"))),
                         "--out", str(demo.out / "examples"))
    click.echo(_indent(generated.stdout))

    with demo.running(("serve", "--port", str(demo.port)), ("worker",)) as (server, worker):
        step(f"Started `plansign serve` on {demo.base_url} and `plansign worker` "
             f"(logs in {demo.out})")
        wait_until_serving(demo, server)

        step(f"Sending {demo.plan.name}")
        sent = demo.run("send", str(demo.plan))
        envelope_id = sent.stdout.splitlines()[0].strip()
        click.echo(_indent(sent.stdout))
        signers = _signers(demo, envelope_id)
        click.echo("    Each signs in turn: "
                   + ", then ".join(f"{s.title} ({s.name})" for s in signers) + ".")
        if wait:
            _console_person(demo, signers, step)

        try:
            for signer in signers:
                _sign(demo, envelope_id, signer, step, wait=wait)
            step("Waiting for the worker to stamp, seal and archive the record")
            wait_until_archived(demo, envelope_id, worker, timeout=None if wait else 180)
        except KeyboardInterrupt:
            click.echo("\nStopping the service and the worker")
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
            step(f"Still serving on {demo.base_url} (the console: {demo.base_url}/console/, "
                 f"as {DEMO_HR_USERNAME}); Ctrl+C to stop")
            with contextlib.suppress(KeyboardInterrupt):
                server.wait()
            click.echo("\nStopping the service and the worker")
    if verified.returncode != 0:
        raise DemoFailed("verification failed")


def _ctrl_c_stops_the_demo() -> None:
    """Ctrl+C (SIGINT) is how the demo is stopped: make sure it raises KeyboardInterrupt
    here whatever this process inherited. An ignored or blocked SIGINT survives exec: a
    shell's background job ignores it (``(nohup make run WAIT=1 &)``, or a test suite run
    that way), and the demo was left deaf to Ctrl+C, serving until killed."""
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    signal.signal(signal.SIGINT, signal.default_int_handler)


def _console_person(demo: Demo, signers: list[Signer], step: Callable[[str], None]) -> None:
    """An HR person for the console, named after the plan's HR signer, with a password
    made for this run (the demo's own throwaway instance: printing it is the point)."""
    hr = next((s for s in signers if s.role == "hr"), None)
    name, email = (hr.name, hr.email) if hr else ("Demo HR", "hr@example.com")
    password = "-".join(secrets.token_hex(3) for _ in range(4))
    demo.run("users", "create", DEMO_HR_USERNAME, "--name", name, "--email", email,
             "--role", "hr", env={"PLANSIGN_USER_PASSWORD": password})
    step(f"Created a console account for {name} (HR)")
    click.echo(f"    Open {demo.base_url}/console/ and sign in as {DEMO_HR_USERNAME} "
               f"with the password {password}")


def _sign(demo: Demo, envelope_id: str, signer: Signer, step: Callable[[str], None], *,
          wait: bool) -> None:
    """One signer's turn: their link, once the worker has sent their invitation, then
    their signature over HTTP, or a person's in a browser."""
    def withdrawn() -> str | None:
        status = demo.run("status", envelope_id).stdout.splitlines()[0]
        if status.startswith(f"envelope {envelope_id}: voided"):
            return "the plan was withdrawn (a signer declined); nothing more to sign"
        return None

    link = invitation_link(demo.instance / "mail", demo.base_url, signer.email,
                           timeout=None if wait else 120, stop=withdrawn)
    title = signer.title[:1].upper() + signer.title[1:]
    step(f"{title}'s signing link, from the invitation to {signer.name} in the file outbox")
    click.echo(f"    {link}")
    if wait:
        actions = ("acknowledge it, refuse to sign, or comment" if signer.role == "employee"
                   else "confirm it or decline to sign")
        step(f"Waiting for you: open the link above in a browser, read the plan as "
             f"{signer.name}, and {actions} (Ctrl+C to stop)")
        _wait_until_decided(demo, envelope_id, signer)
    elif signer.role == "employee":
        step(f"Acknowledging as {signer.name} would, over HTTP (open the link, post the form)")
        acknowledge_as_employee(link, signer.name, DEMO_COMMENT)
        click.echo(f"    recorded, with the comment: {DEMO_COMMENT}")
    else:
        step(f"Confirming as {signer.name} ({signer.title}) would, over HTTP, in "
             f"{signer.title}'s own words")
        confirm_as(link, signer)
        click.echo("    recorded")


def _wait_until_decided(demo: Demo, envelope_id: str, signer: Signer) -> None:
    while True:
        lines = demo.run("status", envelope_id).stdout.splitlines()
        if lines[0].startswith(f"envelope {envelope_id}: voided"):
            raise DemoFailed("the plan was withdrawn (a signer declined)")
        for line in lines:
            match = re.match(rf"\s+{signer.order}\. {signer.role}\s+.+: (\w+)$", line)
            if match and match.group(1) not in ("waiting", "notified", "viewed"):
                return
        time.sleep(0.5)


def _signers(demo: Demo, envelope_id: str) -> list[Signer]:
    """The envelope's signers in routing order, from `plansign status`."""
    signers = []
    for line in demo.run("status", envelope_id).stdout.splitlines():
        match = re.match(r"\s+(\d+)\. (\w+)\s+(.+?) <([^>]+)>", line)
        if match:
            signers.append(Signer(int(match.group(1)), match.group(2), match.group(3),
                                  match.group(4)))
    if not any(s.role == "employee" for s in signers):
        raise DemoFailed("the envelope has no employee")
    return signers


def _steps() -> Callable[[str], None]:
    count = 0

    def step(text: str) -> None:
        nonlocal count
        count += 1
        click.secho(f"\n{count}. {text}", bold=True)

    return step


def _indent(text: str) -> str:
    return "\n".join(f"    {line}" for line in text.rstrip().splitlines())
