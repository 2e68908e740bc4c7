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

from docgen.convert import ConverterPool, find_libreoffice
from docgen.errors import ConversionError, ConverterUnavailable

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
    """One instance that tests may crash or freeze; it must recover each time."""
    with ConverterPool(1, timeout=3) as own:
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


def test_convert_file_writes_the_pdf_and_leaves_no_temporary_files(
    converter: ConverterPool, tmp_path: Path
) -> None:
    src, dst = tmp_path / "plan.docx", tmp_path / "out" / "plan.pdf"
    dst.parent.mkdir()
    src.write_bytes(make_docx(GREETING))

    converter.convert_file(src, dst)

    assert_greeting(pdf_text(dst.read_bytes()))
    assert sorted(p.name for p in dst.parent.iterdir()) == ["plan.pdf"]


def test_convert_file_reports_a_missing_source(converter: ConverterPool, tmp_path: Path) -> None:
    with pytest.raises(ConversionError, match="no such file"):
        converter.convert_file(tmp_path / "absent.docx", tmp_path / "absent.pdf")


def test_convert_file_refuses_a_file_that_is_not_what_its_name_says(
    converter: ConverterPool, tmp_path: Path
) -> None:
    src = tmp_path / "plan.docx"
    src.write_bytes(os.urandom(4000))

    with pytest.raises(ConversionError, match="not a valid 'MS Word 2007 XML' document"):
        converter.convert_file(src, tmp_path / "plan.pdf")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.docx"]


def test_convert_file_refuses_unsupported_file_types(
    converter: ConverterPool, tmp_path: Path
) -> None:
    src = tmp_path / "plan.txt"
    src.write_text(GREETING)
    with pytest.raises(ConversionError, match=r"\.txt file type is not supported"):
        converter.convert_file(src, tmp_path / "plan.pdf")


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


def test_garbage_bytes_are_refused_quickly(converter: ConverterPool) -> None:
    started = time.monotonic()
    with pytest.raises(ConversionError, match=r"not a Word \.docx"):
        converter.convert(b"this is not a Word document " * 100)
    assert time.monotonic() - started < 1


def test_a_document_libreoffice_cannot_open_fails_without_retries(
    converter: ConverterPool,
) -> None:
    fake = io.BytesIO()
    with zipfile.ZipFile(fake, "w") as archive:
        archive.writestr("hello.txt", "a ZIP file, but not a Word document")
    before = [(s.restarts, s.failures) for s in converter.stats]

    started = time.monotonic()
    with pytest.raises(ConversionError, match="LibreOffice could not convert the document"):
        converter.convert(fake.getvalue())

    assert time.monotonic() - started < 10
    after = [(s.restarts, s.failures) for s in converter.stats]
    assert [a[0] - b[0] for a, b in zip(after, before, strict=True)] == [0, 0]
    assert sum(a[1] - b[1] for a, b in zip(after, before, strict=True)) == 1
    assert_greeting(pdf_text(converter.convert(make_docx(GREETING))))  # the pool still works


# -- crashes and hangs --------------------------------------------------------------------------


def test_instance_whose_soffice_was_killed_is_restarted(solo: ConverterPool) -> None:
    solo.convert(make_docx("warm"))
    old = solo.stats[0]
    assert old.soffice_pid is not None
    os.kill(old.soffice_pid, signal.SIGKILL)

    assert_greeting(pdf_text(solo.convert(make_docx(GREETING))))

    new = solo.stats[0]
    assert new.crashes == old.crashes + 1
    assert new.restarts == old.restarts + 1
    assert new.soffice_pid != old.soffice_pid
    assert wait_gone([old.soffice_pid]) == []


def test_killed_worker_takes_its_soffice_along(solo: ConverterPool) -> None:
    solo.convert(make_docx("warm"))
    old = solo.stats[0]
    assert old.pid is not None and old.soffice_pid is not None
    os.kill(old.pid, signal.SIGKILL)

    assert wait_gone([old.soffice_pid]) == [], "PR_SET_PDEATHSIG did not kill soffice.bin"
    assert_greeting(pdf_text(solo.convert(make_docx(GREETING))))
    assert solo.stats[0].restarts == old.restarts + 1


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


def test_gives_up_with_a_clear_message_when_every_try_times_out() -> None:
    with ConverterPool(1, timeout=0.001, retries=2) as impatient:
        with pytest.raises(ConversionError) as caught:
            impatient.convert(make_docx(GREETING))
        stats = impatient.stats[0]

    assert str(caught.value) == (
        "LibreOffice did not finish converting the document within 0.001 s (tried 3 times)"
    )
    assert stats.timeouts == 3
    assert stats.restarts == 2  # a fresh instance for each retry; the last one is killed too
    assert stats.failures == 1


# -- planned restarts and shutdown --------------------------------------------------------------


def test_instance_is_restarted_after_max_documents() -> None:
    with ConverterPool(1, max_documents=2) as recycling:
        # Started from a thread that then ends: PR_SET_PDEATHSIG must not fire on that.
        starter = threading.Thread(target=recycling.start)
        starter.start()
        starter.join()
        time.sleep(0.2)
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


def test_close_leaves_no_libreoffice_processes_or_files(tmp_path: Path) -> None:
    closing = ConverterPool(1, workdir=tmp_path)
    closing.convert(make_docx(GREETING))
    stats = closing.stats[0]
    (private,) = tmp_path.iterdir()
    assert len(processes_mentioning(str(private))) == 2  # the worker and its soffice.bin

    closing.close()

    assert wait_gone([stats.pid or 0, stats.soffice_pid or 0], seconds=0.5) == []
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
