"""Shipped files are found through importlib.resources, as paths on disk."""

from __future__ import annotations

import sys
import zipfile

import pytest

from docgen.render import BUILTIN_TEMPLATES
from docgen.resources import package_path
from docgen.sample import EXAMPLES, SAMPLE_PLAN_PATH


def test_shipped_files_are_found_in_the_package():
    assert {p.name for p in BUILTIN_TEMPLATES.glob("*.docx")} == {
        f"{name}{suffix}.docx" for name in ("standard", "sales")
        for suffix in ("", ".es", ".fr", ".de", ".ar")}
    assert (BUILTIN_TEMPLATES / "VARIABLES.md").is_file()
    assert len(list(EXAMPLES.glob("*.yaml"))) == 3
    assert SAMPLE_PLAN_PATH.is_file()


def test_a_package_in_a_zip_file_is_refused_by_name(tmp_path, monkeypatch):
    archive = tmp_path / "zipped.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("zipped_package/__init__.py", "")
        zf.writestr("zipped_package/data.txt", "data")
    monkeypatch.syspath_prepend(str(archive))
    monkeypatch.delitem(sys.modules, "zipped_package", raising=False)
    with pytest.raises(RuntimeError, match="zipped_package is not installed as files on disk"):
        package_path("zipped_package", "data.txt")
