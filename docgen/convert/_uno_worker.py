"""One LibreOffice instance, driven over UNO, converting documents to PDF on request.

This script is run by :mod:`docgen.convert._worker` under the *system* Python (the only one that
can ``import uno``), with ``-I`` and a minimal environment, never imported by the project (the
tests import its helpers): it may use the standard library and ``uno`` only. soffice.bin
inherits its environment.

It starts a single ``soffice.bin`` as its child, with a private user profile (two instances
sharing a profile silently lose output; a new one starts as a copy of ``--profile-seed``, see
:meth:`Office.start`) and ``PR_SET_PDEATHSIG`` so that LibreOffice dies with this worker.
Then it speaks a JSON-lines protocol:

* stdout, first line, once LibreOffice is connected and warmed up by one throw-away
  conversion: ``{"ready": true, "pid": ..., "soffice_pid": ..., "sockets": [...],
  "startup_ms": ..., "warmup_ms": ...}`` (``sockets``: LibreOffice's named pipes, for whoever
  must tidy up after killing it), or ``{"ready": false, "error": "...", "reason": "..."}``
  and exit;
* stdin, one request per line: ``{"id": 1, "in": "/abs/in.docx", "out": "/abs/out.pdf"}``
  (optional ``"filter"``: the LibreOffice import filter, which skips type detection);
* stdout, one answer per request: ``{"id": 1, "ok": true, "load_ms": ..., "export_ms": ...}``
  or ``{"id": 1, "ok": false, "error": "...", "fatal": false}``. ``fatal`` means LibreOffice
  itself is gone or unusable; the worker exits right after such an answer.

The PDF is written to ``.<out name>.<id>.part`` in the output folder and renamed, so readers
never see half a file. The document is closed after the answer is sent, off the caller's
clock. stdout carries protocol lines only: everything else (our diagnostics, anything a
library prints) goes to stderr, LibreOffice's own output to ``--soffice-log``.
On stdin EOF or SIGTERM the worker asks LibreOffice to quit, kills it if it will not, and exits.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, BinaryIO

PR_SET_PDEATHSIG = 1
EXIT_RESTART_REQUESTED = 81  # soffice.bin asks to be started again (first run of a new profile)
EXIT_NO_UNO = 3
EXIT_STARTUP_FAILED = 4
PDF_EXPORT_FILTER = "writer_pdf_Export"
# Tagged PDF: headings, paragraphs, tables and reading order marked up, so screen
# readers can read the plan (pdfinfo says "Tagged: yes").
PDF_EXPORT_OPTIONS = {"UseTaggedPDF": True}
DOCX_IMPORT_FILTER = "MS Word 2007 XML"

_protocol_out: BinaryIO | None = None


def log(message: str) -> None:
    """Diagnostics go to stderr: stdout belongs to the protocol."""
    print(f"uno-worker[{os.getpid()}]: {message}", file=sys.stderr, flush=True)


def send(message: dict[str, Any]) -> None:
    """Write one protocol line on the private copy of stdout."""
    assert _protocol_out is not None
    _protocol_out.write(json.dumps(message, ensure_ascii=False).encode() + b"\n")
    _protocol_out.flush()


def claim_stdout() -> None:
    """Keep fd 1 for the protocol and point fd 1 at stderr, so stray prints cannot corrupt it."""
    global _protocol_out
    _protocol_out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    sys.stdout = sys.stderr


_prctl = ctypes.CDLL(None, use_errno=True).prctl  # looked up now: not in a freshly forked child


def die_with_parent() -> None:
    """preexec_fn for soffice.bin: SIGKILL it when this worker dies, however it dies."""
    _prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--soffice", required=True, help="path of soffice.bin")
    parser.add_argument("--profile", required=True, help="private user profile folder")
    parser.add_argument("--profile-seed", default=None,
                        help="a fresh profile to copy, kept here when there is none yet")
    parser.add_argument("--pipe", required=True, help="unique UNO pipe name")
    parser.add_argument("--startup-timeout", type=float, default=60.0)
    parser.add_argument("--soffice-log", default=os.devnull, help="where soffice output goes")
    parser.add_argument("--no-warmup", action="store_true", help="skip the warm-up conversion")
    return parser.parse_args(argv)


class Office:
    """The soffice.bin child and the UNO objects used to drive it."""

    def __init__(self, args: argparse.Namespace) -> None:
        import uno  # only the system Python has it; imported late so its absence is reported

        self.uno = uno
        self.args = args
        self.proc: subprocess.Popen[bytes] | None = None
        self.desktop: Any = None
        self.broken = False  # set once the UNO connection is known to be dead
        self.sockets: list[str] = []  # soffice's named pipes, left in /tmp if it is killed
        self.seeded = False  # the profile is a copy of --profile-seed
        self.url = f"uno:pipe,name={args.pipe};urp;StarOffice.ComponentContext"

    # -- start -------------------------------------------------------------------------------

    def command(self) -> list[str]:
        profile_url = Path(self.args.profile).resolve().as_uri()
        return [
            self.args.soffice,
            f"-env:UserInstallation={profile_url}",
            "--headless",
            "--invisible",
            "--nologo",
            "--norestore",
            "--nodefault",
            "--nolockcheck",
            "--nofirststartwizard",
            f"--accept=pipe,name={self.args.pipe};urp;StarOffice.ComponentContext",
        ]

    def spawn(self) -> None:
        """Start soffice.bin itself (not the shell wrapper) so we own its pid and its death."""
        with open(self.args.soffice_log, "ab") as out:
            self.proc = subprocess.Popen(
                self.command(),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                preexec_fn=die_with_parent,
            )

    def start(self) -> None:
        """Start LibreOffice and connect, within the startup deadline.

        A fresh profile makes soffice.bin exit with code 81 after creating it, asking to be
        started again (the ``soffice`` wrapper does that for interactive users); so do we.
        That first start takes about as long as the second, so the profile it made is kept
        (``--profile-seed``) and later instances start from a copy of it.
        """
        deadline = time.monotonic() + self.args.startup_timeout
        seed, profile = self.args.profile_seed, self.args.profile
        self.seeded = bool(seed) and copy_seed(seed, profile)
        self.spawn()
        local = self.uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext(
            "com.sun.star.bridge.UnoUrlResolver", local
        )
        no_connect = self.uno.getClass("com.sun.star.connection.NoConnectException")
        restarts, delay = 0, 0.02
        while True:
            try:
                context = resolver.resolve(self.url)
                break
            except no_connect:
                pass
            code = self.proc.poll() if self.proc else None
            if code == EXIT_RESTART_REQUESTED and restarts < 3:
                restarts += 1
                if seed and restarts == 1 and not self.seeded:
                    keep_seed(profile, seed)
                self.spawn()
            elif code is not None:
                raise RuntimeError(f"soffice.bin exited with code {code} while starting")
            if time.monotonic() > deadline:
                waited = self.args.startup_timeout
                raise TimeoutError(f"LibreOffice did not accept a connection within {waited:g} s")
            time.sleep(delay)
            delay = min(delay * 1.5, 0.2)
        self.desktop = context.ServiceManager.createInstanceWithContext(
            "com.sun.star.frame.Desktop", context
        )
        if self.proc is None:
            raise RuntimeError("soffice.bin was not started")
        self.sockets = listening_sockets(self.proc.pid)
        self.skip_idle_work(context)

    def skip_idle_work(self, context: Any) -> None:
        """Turn off what Writer does in idle time for a human user (collecting words for
        autocompletion, spell checking as you type): between our calls it only burns CPU."""
        settings = {
            "/org.openoffice.Office.Writer/AutoFunction/Completion": {"Enable": False},
            "/org.openoffice.Office.Linguistic/SpellChecking": {"IsSpellAuto": False},
        }
        try:
            provider = context.ServiceManager.createInstanceWithContext(
                "com.sun.star.configuration.ConfigurationProvider", context
            )
            for path, values in settings.items():
                node = provider.createInstanceWithArguments(
                    "com.sun.star.configuration.ConfigurationUpdateAccess",
                    self.props(nodepath=path),
                )
                for name, value in values.items():
                    node.setPropertyValue(name, value)
                node.commitChanges()
        except Exception as exc:  # an optimisation only: never a reason not to start
            log(f"could not change settings: {describe(exc)}")

    # -- convert -----------------------------------------------------------------------------

    def props(self, **values: Any) -> tuple[Any, ...]:
        """Build a UNO PropertyValue sequence from keyword arguments."""
        result = []
        for name, value in values.items():
            prop = self.uno.createUnoStruct("com.sun.star.beans.PropertyValue")
            prop.Name, prop.Value = name, value
            result.append(prop)
        return tuple(result)

    def load_props(self, filter_name: str | None) -> tuple[Any, ...]:
        """Hidden and read-only (no lock file), no link updates, no macros: no needless work.

        Naming the import filter skips type detection, and makes LibreOffice refuse bytes that
        are not that format instead of guessing (garbage would otherwise go through every
        detector, and in LibreOffice 7.4 that can kill the UNO connection).
        """
        get = self.uno.getConstantByName
        values: dict[str, Any] = {
            "Hidden": True,
            "ReadOnly": True,
            "UpdateDocMode": get("com.sun.star.document.UpdateDocMode.NO_UPDATE"),
            "MacroExecutionMode": get("com.sun.star.document.MacroExecMode.NEVER_EXECUTE"),
        }
        if filter_name:
            values["FilterName"] = filter_name
        return self.props(**values)

    def load(self, src: str, filter_name: str | None) -> Any:
        url = self.uno.systemPathToFileUrl(src)
        doc = self.desktop.loadComponentFromURL(url, "_blank", 0, self.load_props(filter_name))
        if doc is None:
            what = f"a valid {filter_name!r} document" if filter_name else "in a format it knows"
            raise DocumentError(f"it is not {what}")
        return doc

    def export(self, doc: Any, tmp: str) -> None:
        url = self.uno.systemPathToFileUrl(tmp)
        # FilterData must reach LibreOffice typed as a sequence of PropertyValue: a plain
        # tuple is converted to a sequence of Any, which the PDF filter ignores silently.
        options = self.uno.Any("[]com.sun.star.beans.PropertyValue",
                               self.props(**PDF_EXPORT_OPTIONS))
        self.uno.invoke(doc, "storeToURL", (url, self.props(FilterName=PDF_EXPORT_FILTER,
                                                             FilterData=options)))

    def convert(self, src: str, out: str, tmp: str,
                filter_name: str | None) -> tuple[Any, dict[str, float]]:
        """Load and export; return the still-open document and the timings.

        The document is closed by the caller *after* answering, which takes the close off
        the caller's latency.
        """
        t0 = time.perf_counter()
        doc = self.load(src, filter_name)
        t1 = time.perf_counter()
        try:
            self.export(doc, tmp)
            os.replace(tmp, out)
        except BaseException:
            close_quietly(doc)
            remove_quietly(tmp)
            raise
        t2 = time.perf_counter()
        return doc, {"load_ms": round((t1 - t0) * 1000, 1), "export_ms": round((t2 - t1) * 1000, 1)}

    def alive(self) -> bool:
        """Is soffice.bin running? Checked without reaping it: until :meth:`stop` reaps it, its
        pid cannot be reused, so our parent may still safely signal that pid."""
        if self.proc is None or self.proc.returncode is not None:
            return False
        try:
            status = os.waitid(os.P_PID, self.proc.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
        except ChildProcessError:
            return False
        return status is None

    # -- warm-up -----------------------------------------------------------------------------

    def warm_up(self) -> None:
        """Convert a small .docx once, so the first real document does not pay for loading the
        Word import and PDF export code and the font caches (roughly halves its time)."""
        folder = Path(self.args.profile)
        docx, pdf = str(folder / "warmup.docx"), str(folder / "warmup.pdf")
        doc = self.desktop.loadComponentFromURL(
            "private:factory/swriter", "_blank", 0, self.props(Hidden=True)
        )
        try:
            doc.getText().setString("Warm-up: Hello ünïcödé 中文 العربية")
            doc.storeToURL(
                self.uno.systemPathToFileUrl(docx), self.props(FilterName=DOCX_IMPORT_FILTER)
            )
        finally:
            close_quietly(doc)
        doc, _ = self.convert(docx, pdf, pdf + ".part", DOCX_IMPORT_FILTER)
        close_quietly(doc)
        remove_quietly(docx)
        remove_quietly(pdf)

    # -- stop --------------------------------------------------------------------------------

    def stop(self, grace: float = 5.0) -> None:
        """Ask LibreOffice to quit (it tidies its profile), kill it if it will not; reap it.

        With no working connection (startup failed, bridge disposed) there is nobody to ask:
        kill at once.
        """
        if self.proc is None:
            return
        if self.desktop is not None and not self.broken and self.proc.poll() is None:
            try:
                self.desktop.terminate()
            except Exception as exc:  # the bridge is often torn down during terminate()
                log(f"terminate: {type(exc).__name__}")
            try:
                self.proc.wait(grace)
            except subprocess.TimeoutExpired:
                log("soffice.bin did not quit; killing it")
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        remove_sockets(self.sockets)


def usable_seed(path: str) -> bool:
    """Is ``path`` a profile seed we may trust: a real folder of our own that nobody
    else may write to (the system's temporary folder is shared)?"""
    try:
        info = os.lstat(path)
    except OSError:
        return False
    return stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid() and not info.st_mode & 0o077


def copy_seed(seed: str, profile: str) -> bool:
    """Start ``profile`` as a copy of the seed, if there is a usable one and no profile."""
    if os.path.lexists(profile) or not usable_seed(seed):
        return False
    try:
        shutil.copytree(seed, profile, symlinks=True)
    except (OSError, shutil.Error) as exc:
        log(f"could not copy the profile seed: {exc}")
        shutil.rmtree(profile, ignore_errors=True)
        return False
    return True


def keep_seed(profile: str, seed: str) -> None:
    """Keep a copy of the profile soffice.bin has just made, as the seed, unless another
    instance kept one first: copied beside it, then renamed into place whole."""
    if os.path.lexists(seed):
        return
    try:
        os.makedirs(os.path.dirname(seed), mode=0o700, exist_ok=True)
        folder = tempfile.mkdtemp(prefix=f"{os.path.basename(seed)}.", dir=os.path.dirname(seed))
    except OSError as exc:
        log(f"could not keep the profile seed: {exc}")
        return
    try:
        shutil.copytree(profile, folder, symlinks=True, dirs_exist_ok=True)
        os.chmod(folder, 0o700)  # copytree gave it the profile's mode
        os.rename(folder, seed)
    except (OSError, shutil.Error) as exc:
        if not os.path.lexists(seed):  # else another instance was first: nothing lost
            log(f"could not keep the profile seed: {exc}")
        shutil.rmtree(folder, ignore_errors=True)


def discard_seed(seed: str) -> None:
    """Remove a seed a start from failed: the next start makes a fresh profile (and seed)."""
    if usable_seed(seed):
        shutil.rmtree(seed, ignore_errors=True)


class DocumentError(Exception):
    """LibreOffice is fine but cannot handle this document: do not retry."""


def close_quietly(doc: Any) -> None:
    """Close a document, discarding changes; a failing close must not hide the real outcome."""
    try:
        doc.close(True)
    except Exception:
        try:
            doc.dispose()
        except Exception as exc:
            log(f"could not close document: {type(exc).__name__}: {exc}")


def remove_quietly(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    except OSError as exc:
        log(f"could not remove {path}: {exc}")


def listening_sockets(pid: int) -> list[str]:
    """Paths of the Unix sockets a process listens on (LibreOffice's pipes live in /tmp and
    are only removed by LibreOffice itself when it quits normally)."""
    inodes = set()
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
        with open("/proc/net/unix") as table:
            rows = [line.split() for line in table.readlines()[1:]]
    except OSError:
        return []
    return sorted(
        {row[7] for row in rows if len(row) > 7 and row[6] in inodes and row[7][0] == "/"}
    )


def remove_sockets(paths: list[str]) -> None:
    """Remove socket files a killed LibreOffice left behind (never anything but sockets)."""
    for path in paths:
        try:
            if stat.S_ISSOCK(os.lstat(path).st_mode):
                os.unlink(path)
        except OSError:
            pass


def part_path(out: str, request_id: Any) -> str:
    """Temporary name next to the output, unique per request (the parent cleans it up too)."""
    tag = "".join(c for c in str(request_id) if c.isalnum() or c in "-_")[:40] or "x"
    folder, name = os.path.split(out)
    return os.path.join(folder, f".{name}.{tag}.part")


def describe(exc: BaseException) -> str:
    """One readable line from a Python or UNO exception (UNO ones carry ``Message``)."""
    message = getattr(exc, "Message", None) or str(exc) or ""
    message = message.split(" at ./", 1)[0].strip()  # drop LibreOffice source locations
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


def handle(office: Office, request: dict[str, Any]) -> tuple[dict[str, Any], Any]:
    """Run one request; return the answer and the document to close after answering."""
    request_id = request.get("id")
    src, out = request.get("in"), request.get("out")
    if not isinstance(src, str) or not isinstance(out, str):
        return {"id": request_id, "ok": False, "fatal": False, "error": "bad request"}, None
    if not office.alive():
        office.broken = True
        answer = {"id": request_id, "ok": False, "fatal": True, "error": "soffice.bin has died"}
        return answer, None
    try:
        doc, timings = office.convert(src, out, part_path(out, request_id), request.get("filter"))
    except DocumentError as exc:
        return {"id": request_id, "ok": False, "fatal": False, "error": str(exc)}, None
    except Exception as exc:
        fatal = not office.alive() or "DisposedException" in type(exc).__name__
        office.broken = office.broken or fatal
        answer = {"id": request_id, "ok": False, "fatal": fatal, "error": describe(exc)}
        return answer, None
    return {"id": request_id, "ok": True, **timings}, doc


def serve(office: Office) -> None:
    """Answer requests from stdin until EOF, or until LibreOffice is gone."""
    stdin = sys.stdin.buffer
    while line := stdin.readline():
        if not line.strip():
            continue
        try:
            request = json.loads(line)
        except ValueError:
            send({"id": None, "ok": False, "fatal": False, "error": "request is not JSON"})
            continue
        answer, doc = handle(office, request)
        send(answer)
        if doc is not None:
            close_quietly(doc)
        if answer.get("fatal"):
            log(f"giving up: {answer['error']}")
            return


def main(argv: list[str]) -> int:
    claim_stdout()
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C in a terminal is for our parent
    started = time.perf_counter()
    try:
        office = Office(args)
    except ImportError as exc:
        send({"ready": False, "reason": "no-uno", "error": f"cannot import uno: {exc}"})
        return EXIT_NO_UNO
    try:
        try:
            office.start()
            connected = time.perf_counter()
            if not args.no_warmup:
                office.warm_up()
        except Exception as exc:
            if office.seeded:
                discard_seed(args.profile_seed)
            send({"ready": False, "reason": "startup", "error": describe(exc)})
            return EXIT_STARTUP_FAILED
        assert office.proc is not None
        send(
            {
                "ready": True,
                "pid": os.getpid(),
                "soffice_pid": office.proc.pid,
                "sockets": office.sockets,
                "startup_ms": round((connected - started) * 1000, 1),
                "warmup_ms": round((time.perf_counter() - connected) * 1000, 1),
            }
        )
        serve(office)
        return 0
    finally:
        office.stop()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
