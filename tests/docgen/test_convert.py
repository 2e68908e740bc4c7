"""docgen.convert against a real LibreOffice: no mocks.

LibreOffice starts once per session for most tests (the ``converter`` fixture); the tests about
crashes, hangs, restarts and shutdown need an instance of their own and start a small one.
"""

from __future__ import annotations

import io
import os
import re
import signal
import subprocess
import sys
import textwrap
import threading
import time
import unicodedata
import zipfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pypdf
import pytest
from docx import Document

from docgen.convert import Converter, ConverterPool, _uno_worker, find_libreoffice
from docgen.convert._tempfiles import profile_seed
from docgen.errors import ConversionError, ConversionTimeout, ConverterUnavailable

PROJECT_ROOT = Path(__file__).resolve().parents[2]
INSTALL_HINT = "apt-get install libreoffice-writer-nogui python3-uno"
GREETING = "Hello ünïcödé 中文 العربية"


# -- helpers -------------------------------------------------------------------------------------


def make_docx(*paragraphs: str, pages: int = 1) -> bytes:
    """A small Word document; ``pages`` > 1 repeats the paragraphs with page breaks."""
    document = Document()
    document.add_heading("Performance Improvement Plan", level=1)
    for page in range(pages):
        for paragraph in paragraphs:
            document.add_paragraph(paragraph)
        if page < pages - 1:
            document.add_page_break()
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def pdf_text(pdf: bytes) -> str:
    """All text of a PDF, without control characters and with whitespace collapsed."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    text = "".join(c for c in text if c == "\n" or unicodedata.category(c) not in ("Cc", "Cf"))
    return re.sub(r"[ \t]+", " ", text)


def assert_greeting(text: str) -> None:
    """The greeting survived, whatever order pypdf gives right-to-left text in."""
    assert "Hello ünïcödé" in text
    assert "中文" in text
    arabic = "العربية"
    assert arabic in text or arabic[::-1] in text


def pid_gone(pid: int) -> bool:
    """True if the process no longer exists: a zombie, not reaped yet, still counts."""
    return not Path(f"/proc/{pid}").exists()


def wait_gone(pids: list[int], seconds: float = 10.0) -> list[int]:
    """Wait until the processes are gone; return those that are not."""
    deadline = time.monotonic() + seconds
    while (alive := [pid for pid in pids if not pid_gone(pid)]) and time.monotonic() < deadline:
        time.sleep(0.05)
    return alive


def wait_thread_gone(native_id: int | None, seconds: float = 10.0) -> bool:
    """Wait until a thread of ours has ended in the kernel too (``join`` returns a little
    earlier): the moment ``PR_SET_PDEATHSIG`` would fire for children it started."""
    task = Path(f"/proc/self/task/{native_id}")
    deadline = time.monotonic() + seconds
    while task.exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    return not task.exists()


def environment_of(pid: int) -> dict[str, str]:
    """The environment a process was started with."""
    entries = Path(f"/proc/{pid}/environ").read_bytes().decode(errors="replace").split("\0")
    return dict(entry.split("=", 1) for entry in entries if "=" in entry)


def unix_sockets_of(pid: int) -> list[Path]:
    """The named Unix sockets a process has open (LibreOffice's pipes)."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        target = os.readlink(fd) if fd.is_symlink() else ""
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    rows = [line.split() for line in Path("/proc/net/unix").read_text().splitlines()[1:]]
    return sorted({Path(row[7]) for row in rows if len(row) > 7 and row[6] in inodes})


def processes_mentioning(text: str) -> list[int]:
    """Pids whose command line contains ``text`` (e.g. a pool's private folder)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if text in cmdline:
            found.append(int(entry.name))
    return found


# -- fixtures -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def solo() -> Iterator[ConverterPool]:
    """One instance that tests may freeze; it must recover each time. Its short timeout
    is what ends a frozen conversion."""
    with ConverterPool(1, timeout=3) as own:
        own.start()
        yield own


@pytest.fixture(scope="module")
def sturdy() -> Iterator[ConverterPool]:
    """One instance that tests may kill; it must recover each time. Its timeout is long:
    a crash is told at once, and the retry's fresh instance, which converts slowly on a
    loaded machine (a 25-page document took over 3 s once), must not time out."""
    with ConverterPool(1, timeout=60) as own:
        own.start()
        yield own


# -- conversion ---------------------------------------------------------------------------------


def test_converts_docx_bytes_to_pdf_with_unicode_text(converter: ConverterPool) -> None:
    pdf = converter.convert(make_docx(GREETING, "Second paragraph.", pages=3))

    assert pdf.startswith(b"%PDF-")
    assert len(pypdf.PdfReader(io.BytesIO(pdf)).pages) == 3
    text = pdf_text(pdf)
    assert_greeting(text)
    assert "Second paragraph." in text


def test_concurrent_conversions_from_several_threads(converter: ConverterPool) -> None:
    before = [s.documents for s in converter.stats]
    documents = {n: make_docx(f"Document number {n} says {GREETING}") for n in range(8)}

    with ThreadPoolExecutor(4) as executor:
        pdfs = dict(
            zip(documents, executor.map(converter.convert, documents.values()), strict=True)
        )

    for n, pdf in pdfs.items():
        text = pdf_text(pdf)
        assert f"Document number {n} says" in text
        assert_greeting(text)
    done = [s.documents - b for s, b in zip(converter.stats, before, strict=True)]
    assert sum(done) == 8
    assert all(count > 0 for count in done), f"an instance sat idle: {done}"


def test_garbage_bytes_are_refused_without_starting_libreoffice() -> None:
    with ConverterPool(1) as lazy:
        with pytest.raises(ConversionError, match=r"not a Word \.docx"):
            lazy.convert(b"this is not a Word document " * 100)
        stats = lazy.stats[0]

    assert stats.pid is None  # no LibreOffice was started for it
    assert stats.documents == stats.failures == stats.restarts == 0


def test_a_document_libreoffice_cannot_open_fails_without_retries(
    converter: ConverterPool,
) -> None:
    fake = io.BytesIO()
    with zipfile.ZipFile(fake, "w") as archive:
        archive.writestr("hello.txt", "a ZIP file, but not a Word document")

    def counters() -> list[tuple[int, ...]]:
        return [(s.restarts, s.crashes, s.timeouts, s.failures) for s in converter.stats]

    before = counters()
    with pytest.raises(ConversionError, match="LibreOffice could not convert the document"):
        converter.convert(fake.getvalue())

    changes = [
        tuple(n - o for n, o in zip(new, old, strict=True))
        for new, old in zip(counters(), before, strict=True)
    ]
    # One instance failed the document on its first try; no restart, crash or timeout.
    assert sorted(changes) == [(0, 0, 0, 0), (0, 0, 0, 1)]
    assert_greeting(pdf_text(converter.convert(make_docx(GREETING))))  # the pool still works


# -- crashes and hangs --------------------------------------------------------------------------


def test_instance_whose_soffice_was_killed_is_restarted(sturdy: ConverterPool) -> None:
    sturdy.convert(make_docx("warm"))
    old = sturdy.stats[0]
    assert old.soffice_pid is not None
    os.kill(old.soffice_pid, signal.SIGKILL)

    assert_greeting(pdf_text(sturdy.convert(make_docx(GREETING))))

    new = sturdy.stats[0]
    assert new.crashes == old.crashes + 1
    assert new.restarts == old.restarts + 1
    assert new.soffice_pid != old.soffice_pid
    assert wait_gone([old.soffice_pid]) == []


def test_soffice_killed_in_the_middle_of_a_conversion_is_retried(sturdy: ConverterPool) -> None:
    """Killed while it converts (not between documents): the same document is converted
    again on a fresh instance, and the caller gets it as if nothing had happened."""
    import concurrent.futures

    sturdy.convert(make_docx("warm"))
    old = sturdy.stats[0]
    big = make_docx(GREETING, *(f"Paragraph {n} of a long plan. " * 20 for n in range(40)),
                    pages=25)  # about a second to convert: long enough to be killed mid-way
    def cpu_ticks(pid: int) -> int:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime + stime

    idle = cpu_ticks(old.soffice_pid)
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        future = pool.submit(sturdy.convert, big)
        deadline = time.monotonic() + 10
        while cpu_ticks(old.soffice_pid) < idle + 5:  # LibreOffice is at work on it
            assert time.monotonic() < deadline and not future.done()
            time.sleep(0.01)
        assert not future.done()
        os.kill(old.soffice_pid, signal.SIGKILL)
        pdf = future.result(timeout=120)
    assert_greeting(pdf_text(pdf))
    assert sturdy.stats[0].crashes == old.crashes + 1
    assert sturdy.stats[0].soffice_pid != old.soffice_pid


def test_killed_worker_takes_its_soffice_along(sturdy: ConverterPool) -> None:
    sturdy.convert(make_docx("warm"))
    old = sturdy.stats[0]
    assert old.pid is not None and old.soffice_pid is not None
    os.kill(old.pid, signal.SIGKILL)

    assert wait_gone([old.soffice_pid]) == [], "PR_SET_PDEATHSIG did not kill soffice.bin"
    assert_greeting(pdf_text(sturdy.convert(make_docx(GREETING))))
    assert sturdy.stats[0].restarts == old.restarts + 1


def test_hung_soffice_is_killed_and_the_document_retried(solo: ConverterPool) -> None:
    solo.convert(make_docx("warm"))
    old = solo.stats[0]
    assert old.soffice_pid is not None
    os.kill(old.soffice_pid, signal.SIGSTOP)  # LibreOffice stops answering

    assert_greeting(pdf_text(solo.convert(make_docx(GREETING))))

    new = solo.stats[0]
    assert new.timeouts >= old.timeouts + 1
    assert new.soffice_pid != old.soffice_pid
    assert wait_gone([old.soffice_pid, old.pid or 0]) == []


def test_a_document_a_fresh_instance_cannot_finish_in_time_is_not_retried() -> None:
    """Retrying it would only make the caller wait three times as long for the same
    answer (a sender waited three minutes for it); a hang of a working instance is
    retried (the test above)."""
    with ConverterPool(1, timeout=0.001, retries=2) as impatient:
        with pytest.raises(ConversionTimeout) as caught:
            impatient.convert(make_docx(GREETING))
        stats = impatient.stats[0]

    assert str(caught.value) == (
        "LibreOffice did not finish converting the document within 0.001 s (tried 1 time)"
    )
    assert caught.value.seconds == 0.001  # a timeout, which callers can tell from a crash
    assert stats.timeouts == 1
    assert stats.failures == 1


# -- planned restarts and shutdown --------------------------------------------------------------


def test_instance_is_restarted_after_max_documents() -> None:
    with ConverterPool(1, max_documents=2) as recycling:
        # Started from a thread that then ends: PR_SET_PDEATHSIG must not fire on that.
        starter = threading.Thread(target=recycling.start)
        starter.start()
        starter.join()
        assert wait_thread_gone(starter.native_id), "the starter thread did not end"
        first = recycling.stats[0]

        for n in range(3):
            assert f"number {n}" in pdf_text(recycling.convert(make_docx(f"number {n}")))

        stats = recycling.stats[0]
    assert stats.documents == 3
    assert stats.recycles == 1
    assert stats.restarts == 1
    assert stats.crashes == stats.timeouts == 0
    assert stats.documents_since_start == 1
    assert stats.soffice_pid != first.soffice_pid


@pytest.mark.parametrize("kill", [False, True], ids=["quit politely", "killed"])
def test_begin_start_launches_without_waiting_and_close_leaves_nothing(
        kill: bool, tmp_path: Path) -> None:
    closing = ConverterPool(1, workdir=tmp_path)
    (private,) = tmp_path.iterdir()
    closing.begin_start()
    assert processes_mentioning(str(private)) != []  # the worker is on its way...
    assert closing.stats[0].pid is None  # ...but nobody waited for it to be ready
    closing.convert(make_docx(GREETING))
    stats = closing.stats[0]
    assert stats.restarts == 0  # the conversion used the instance begin_start launched
    assert stats.pid is not None and stats.soffice_pid is not None
    assert len(processes_mentioning(str(private))) == 2  # the worker and its soffice.bin
    pipes = unix_sockets_of(stats.soffice_pid)
    assert len(pipes) == 2  # the UNO pipe and the single-instance pipe

    closing.close(kill=kill)

    assert [pid for pid in (stats.pid, stats.soffice_pid) if not pid_gone(pid)] == []
    assert [pipe for pipe in pipes if pipe.exists()] == []
    assert processes_mentioning(str(private)) == []
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(ConversionError, match="closed"):
        closing.convert(make_docx(GREETING))


_CHILD_SCRIPT = textwrap.dedent(
    """
    import sys
    from docgen.convert import ConverterPool

    pool = ConverterPool(1, workdir=sys.argv[1])
    pool.start()
    stats = pool.stats[0]
    print(stats.pid, stats.soffice_pid, flush=True)
    sys.stdin.read()  # exit when the test closes our stdin, without calling pool.close()
    """
)


@pytest.mark.parametrize("ending", ["normal exit", "SIGKILL"])
def test_no_libreoffice_survives_its_python_process(ending: str, tmp_path: Path) -> None:
    with subprocess.Popen(
        [sys.executable, "-c", _CHILD_SCRIPT, str(tmp_path)],
        cwd=PROJECT_ROOT,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ) as child:
        assert child.stdin is not None and child.stdout is not None
        pids = [int(pid) for pid in child.stdout.readline().split()]
        assert len(pids) == 2, "the child did not start its pool"
        pipes = unix_sockets_of(pids[1])
        assert len(pipes) == 2  # the UNO pipe and the single-instance pipe

        if ending == "SIGKILL":
            child.kill()
        else:
            child.stdin.close()
        child.wait(30)

    assert wait_gone(pids) == []
    assert processes_mentioning(str(tmp_path)) == []
    if ending == "SIGKILL":  # nothing could tidy up; the next pool sweeps the leftovers
        assert len(list(tmp_path.iterdir())) == 1
        ConverterPool(1, workdir=tmp_path).close()
    assert list(tmp_path.iterdir()) == []
    assert [pipe for pipe in pipes if pipe.exists()] == []


def test_a_lone_converter_converts_and_removes_its_folder(tmp_path: Path) -> None:
    folder = tmp_path / "lone"
    with Converter(libreoffice=find_libreoffice(), folder=folder) as lone:
        assert_greeting(pdf_text(lone.convert(make_docx(GREETING))))
        assert lone.stats.documents == lone.stats.documents_since_start == 1
        assert len(processes_mentioning(str(folder))) == 2

    assert processes_mentioning(str(folder)) == []
    assert not folder.exists()


def test_instances_start_from_a_copy_of_the_first_fresh_profile(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """LibreOffice makes a new profile, exits and asks to be started again: the profile it
    made is kept in the cache folder, and later instances start from a copy of it."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    lo = find_libreoffice()
    seed = profile_seed(lo.soffice)
    assert seed.is_relative_to(tmp_path / "cache")
    with Converter(libreoffice=lo, folder=tmp_path / "first") as first:
        first.start()
    assert (seed / "user" / "registrymodifications.xcu").is_file()
    assert seed.stat().st_mode & 0o777 == 0o700
    (seed / "user" / "from-the-seed").write_text("")
    with Converter(libreoffice=lo, folder=tmp_path / "second") as second:
        assert_greeting(pdf_text(second.convert(make_docx(GREETING))))
        assert (tmp_path / "second" / "profile" / "user" / "from-the-seed").is_file()


def test_a_profile_seed_is_used_only_if_it_is_ours_alone(tmp_path: Path) -> None:
    seed, profile = tmp_path / "seed", tmp_path / "profile"
    seed.mkdir(mode=0o700)
    (seed / "user").mkdir()
    assert _uno_worker.copy_seed(str(seed), str(profile)) and (profile / "user").is_dir()
    seed.chmod(0o755)  # others could have put something in it
    assert not _uno_worker.copy_seed(str(seed), str(tmp_path / "other"))
    seed.chmod(0o700)
    (tmp_path / "link").symlink_to(seed)
    assert not _uno_worker.copy_seed(str(tmp_path / "link"), str(tmp_path / "other"))
    assert not (tmp_path / "other").exists()
    _uno_worker.keep_seed(str(profile), str(tmp_path / "kept"))  # made whole, owner-only
    assert (tmp_path / "kept" / "user").is_dir()
    assert (tmp_path / "kept").stat().st_mode & 0o777 == 0o700
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept", "link", "profile", "seed"]


# -- what LibreOffice sees ----------------------------------------------------------------------


def test_libreoffice_does_not_inherit_our_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PLANSIGN_SECRET", "s3cr3t-value")
    with ConverterPool(1, workdir=tmp_path) as pool:
        pool.start()
        stats = pool.stats[0]
        assert stats.pid is not None and stats.soffice_pid is not None
        environments = {
            "worker": environment_of(stats.pid),
            "soffice.bin": environment_of(stats.soffice_pid),
        }

    for process, environment in environments.items():
        assert "PLANSIGN_SECRET" not in environment, process
        assert "s3cr3t-value" not in "".join(environment.values()), process
        # What LibreOffice does need is there.
        assert Path(environment["FONTCONFIG_FILE"]).name == "fonts.conf", process
        assert Path(environment["FONTCONFIG_FILE"]).is_file(), process
        assert Path(environment["TMPDIR"]).is_relative_to(tmp_path), process
        assert environment["PATH"] == os.environ["PATH"], process


# -- LibreOffice missing ------------------------------------------------------------------------


def test_missing_soffice_says_what_to_install() -> None:
    with pytest.raises(ConverterUnavailable, match=re.escape(INSTALL_HINT)) as caught:
        ConverterPool(1, soffice="/nonexistent/libreoffice/program/soffice.bin")
    assert "LibreOffice is not installed" in str(caught.value)


def test_missing_uno_python_says_what_to_install() -> None:
    with pytest.raises(ConverterUnavailable, match=re.escape(INSTALL_HINT)):
        ConverterPool(1, uno_python="/nonexistent/python3", soffice=_any_soffice())


def test_python_without_uno_says_what_to_install() -> None:
    can_import = subprocess.run([sys.executable, "-I", "-c", "import uno"], check=False)
    if can_import.returncode == 0:
        pytest.skip("this Python has uno")
    with pytest.raises(ConverterUnavailable, match=re.escape(INSTALL_HINT)) as caught:
        ConverterPool(1, uno_python=sys.executable, soffice=_any_soffice())
    assert "cannot `import uno`" in str(caught.value)


def _any_soffice() -> str:
    """The real soffice.bin, so only the Python is missing."""
    return str(find_libreoffice().soffice)
