"""An idle converter pool gives LibreOffice's memory back, and no document is lost to it.

Real LibreOffice, with an idle time of a fraction of a second. The waits below poll for a
state (an instance stopped, a thread waiting) with a generous guard against hanging; no
assertion is about how long anything took.
"""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pypdf
import pytest
from docx import Document

from docgen.convert import Converter, ConverterPool

GUARD = 120.0  # seconds before a wait is declared hung: far beyond any normal run


def make_docx(text: str) -> bytes:
    document = Document()
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def pdf_text(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def wait_until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + GUARD
    while not condition():
        assert time.monotonic() < deadline, f"still waiting for {what}"
        time.sleep(0.01)


def gone(pid: int | None) -> bool:
    return pid is not None and not Path(f"/proc/{pid}").exists()


def waiting_for_an_instance(pool: ConverterPool) -> int:
    """Threads blocked in the pool waiting for an instance to come back."""
    return len(pool._cond._waiters)  # type: ignore[attr-defined]


class HeldStop:
    """Holds the shrinker inside one instance's :meth:`Converter.stop` (it has taken the
    instance out of the pool and is about to stop it) until the test lets it go on."""

    def __init__(self, converter: Converter, monkeypatch: pytest.MonkeyPatch) -> None:
        self.reached, self.go_on = threading.Event(), threading.Event()
        real = converter.stop

        def held() -> bool:
            self.reached.set()
            assert self.go_on.wait(GUARD)
            return real()

        monkeypatch.setattr(converter, "stop", held)


@pytest.fixture
def shrinking(tmp_path: Path) -> Iterator[ConverterPool]:
    with ConverterPool(1, idle_timeout=0.2, workdir=tmp_path) as pool:
        yield pool


def test_an_idle_instance_is_stopped_then_started_again_for_the_next_document(
        shrinking: ConverterPool) -> None:
    assert "first" in pdf_text(shrinking.convert(make_docx("first")))
    before = shrinking.stats[0]
    assert shrinking.started == 1

    wait_until(lambda: shrinking.stats[0].stops == 1, "the idle instance to be stopped")
    assert shrinking.started == 0
    wait_until(lambda: gone(before.soffice_pid) and gone(before.pid),
               "LibreOffice and its worker to quit")

    assert "second" in pdf_text(shrinking.convert(make_docx("second")))
    after = shrinking.stats[0]
    assert after.restarts == before.restarts + 1
    assert after.soffice_pid != before.soffice_pid
    assert after.crashes == after.timeouts == after.failures == 0


def test_a_document_arriving_while_the_only_instance_stops_waits_and_is_converted(
        shrinking: ConverterPool, monkeypatch: pytest.MonkeyPatch) -> None:
    held = HeldStop(shrinking._converters[0], monkeypatch)
    shrinking.convert(make_docx("warm"))
    old = shrinking.stats[0]
    assert held.reached.wait(GUARD)  # the shrinker has taken the instance out of the pool

    with ThreadPoolExecutor(1) as caller:
        future = caller.submit(shrinking.convert, make_docx("arrived mid-stop"))
        wait_until(lambda: waiting_for_an_instance(shrinking) == 1,
                   "the document to wait for the instance")
        assert not future.done()
        held.go_on.set()
        pdf = future.result(timeout=GUARD)

    assert "arrived mid-stop" in pdf_text(pdf)
    new = shrinking.stats[0]
    assert new.stops >= 1  # 2 if the shrinker stopped it again, idle once more
    assert new.restarts == old.restarts + 1  # converted on a fresh LibreOffice
    assert new.soffice_pid != old.soffice_pid and gone(old.soffice_pid)
    assert new.crashes == new.timeouts == new.failures == 0


def test_a_document_arriving_while_one_of_two_instances_stops_takes_the_other(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with ConverterPool(2, idle_timeout=0.2, workdir=tmp_path) as pool:
        first, second = pool._converters
        held = HeldStop(first, monkeypatch)
        pool.convert(make_docx("warm"))  # on the first: the second is never started
        assert held.reached.wait(GUARD)

        assert "meanwhile" in pdf_text(pool.convert(make_docx("meanwhile")))

        assert second.stats.documents == 1 and first.stats.documents == 1
        held.go_on.set()
        wait_until(lambda: first.stats.stops == 1, "the first instance to be stopped")


def test_conversions_racing_the_shrinker_all_succeed(tmp_path: Path) -> None:
    """Two callers convert the moment an instance has been stopped, while the shrinker
    stops the other: every document comes back, whichever side wins each race."""
    with ConverterPool(2, idle_timeout=0.05, workdir=tmp_path) as pool:
        texts = [f"document {n}" for n in range(6)]
        results: list[str] = []
        with ThreadPoolExecutor(2) as callers:
            for pair in range(0, len(texts), 2):
                stops = sum(stats.stops for stats in pool.stats)
                batch = [callers.submit(pool.convert, make_docx(text))
                         for text in texts[pair:pair + 2]]
                results.extend(pdf_text(future.result(timeout=GUARD)) for future in batch)
                wait_until(lambda stops=stops: sum(s.stops for s in pool.stats) > stops,
                           "an instance to be stopped")
        stats = pool.stats

    assert [text in result for text, result in zip(texts, results, strict=True)] == [True] * 6
    assert sum(s.stops for s in stats) >= 3
    assert sum(s.documents for s in stats) == 6
    assert all(s.crashes == s.timeouts == s.failures == 0 for s in stats)


def test_closing_while_an_instance_stops_waits_for_it_and_leaves_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pool = ConverterPool(1, idle_timeout=0.2, workdir=tmp_path)
    held = HeldStop(pool._converters[0], monkeypatch)
    pool.convert(make_docx("warm"))
    stats = pool.stats[0]
    assert held.reached.wait(GUARD)

    closer = threading.Thread(target=pool.close)
    closer.start()
    wait_until(lambda: pool.closed, "close to begin")
    held.go_on.set()
    closer.join(GUARD)

    assert not closer.is_alive()
    assert gone(stats.pid) and gone(stats.soffice_pid)
    assert list(tmp_path.iterdir()) == []


def test_a_pool_without_idle_timeout_keeps_its_instances() -> None:
    with ConverterPool(1) as pool:
        assert pool.idle_timeout is None and pool._shrinker is None


@pytest.mark.parametrize("bad", [0, -1.0])
def test_idle_timeout_must_be_positive(bad: float) -> None:
    with pytest.raises(ValueError, match="idle_timeout must be positive"):
        ConverterPool(1, idle_timeout=bad)
