"""docgen.files.StagedFiles: a batch of files published together, or not at all."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from docgen.files import StagedFiles


def test_nothing_has_its_real_name_until_published(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with StagedFiles() as staged, ThreadPoolExecutor(3) as threads:
        list(threads.map(lambda n: staged.stage(out / f"plan-{n}.pdf", b"%%PDF-%d" % n),
                         range(6)))
        assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == []
        published = staged.publish()
    assert sorted(published) == sorted(out / f"plan-{n}.pdf" for n in range(6))
    assert sorted(p.name for p in out.iterdir()) == [f"plan-{n}.pdf" for n in range(6)]
    assert (out / "plan-4.pdf").read_bytes() == b"%PDF-4"


def test_a_batch_given_up_leaves_nothing_not_even_the_folders_it_made(tmp_path: Path) -> None:
    out = tmp_path / "new" / "out"
    (tmp_path / "kept").mkdir()
    with StagedFiles() as staged:
        staged.stage(out / "a.docx", b"PK")
        staged.stage(tmp_path / "kept" / "b.docx", b"PK")
        assert len(list(out.iterdir())) == 1  # under a temporary name
    assert list(tmp_path.iterdir()) == [tmp_path / "kept"]
    assert list((tmp_path / "kept").iterdir()) == []


def test_a_folder_that_cannot_be_made_is_an_error_and_leaves_nothing(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with StagedFiles() as staged, pytest.raises(OSError):
        staged.stage(blocker / "out" / "a.pdf", b"%PDF-")
    assert list(tmp_path.iterdir()) == [blocker]


def test_replaces_an_older_file_of_the_same_name(tmp_path: Path) -> None:
    (tmp_path / "a.pdf").write_bytes(b"old")
    with StagedFiles() as staged:
        staged.stage(tmp_path / "a.pdf", b"new")
        assert (tmp_path / "a.pdf").read_bytes() == b"old"
        staged.publish()
    assert (tmp_path / "a.pdf").read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == ["a.pdf"]
