"""plansign built as a wheel and installed outside the checkout works: the files it finds
at run time (Word templates, example plans, migrations, settings table, web and mail
templates, fonts.conf) are in the wheel, so a missing package-data line fails here.

Offline: the wheel is built without build isolation (setuptools and build come from the
dev extras) and installed with --no-index --no-deps into a fresh virtual environment that
reaches the dependencies already installed in this one through a .pth file.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from pypdf import PdfReader

from signing.cli.demo import free_port
from signing.migrations import alembic_config

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("archive", "config", "database", "docgen", "signing", "webhooks")
# Not copied to build from: what a checkout holds beside the product's source.
NOT_SOURCE = shutil.ignore_patterns(".git", ".venv", "out", "instance", "build", "dist",
                                    "*.egg-info", "__pycache__", ".pytest_cache",
                                    ".ruff_cache", "tests", "bench")

pytestmark = pytest.mark.slow


def run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None,
        timeout: float = 300) -> str:
    done = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=timeout)
    assert done.returncode == 0, f"{args} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def data_files(root: Path) -> set[str]:
    """Every file of the product's packages that is not Python source, as a wheel names
    it (links followed: docgen/templates is the top-level templates/ folder)."""
    found = set()
    for package in PACKAGES:
        for dirpath, dirnames, filenames in os.walk(root / package, followlinks=True):
            dirnames[:] = [d for d in dirnames if d != "__pycache__"]
            for name in filenames:
                if not name.endswith((".py", ".pyc")):
                    found.add((Path(dirpath) / name).relative_to(root).as_posix())
    return found


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel `python -m build` makes (sdist first, the wheel from the sdist), built
    from a copy of the checkout so no build/ folder is left in it or reused from it."""
    work = tmp_path_factory.mktemp("wheel-build")
    source = work / "source"
    shutil.copytree(ROOT, source, symlinks=True, ignore=NOT_SOURCE)
    run(sys.executable, "-m", "build", "--no-isolation", "--outdir", work / "dist", source,
        cwd=work)
    (built,) = (work / "dist").glob("plansign-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    """A fresh virtual environment, outside the checkout, with the wheel installed; its
    dependencies are this environment's (a .pth file), not downloaded."""
    venv = tmp_path_factory.mktemp("wheel-venv") / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=venv.parent)
    python = venv / "bin" / "python"
    site_packages = Path(run(python, "-c", "import sysconfig; print(sysconfig.get_paths()"
                             "['purelib'])", cwd=venv.parent).strip())
    # Only the dependencies: a folder named in a .pth file is added to sys.path as it is,
    # its own .pth files (this environment's editable install of plansign) are not read.
    ours = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (site_packages / "plansign_dependencies.pth").write_text("\n".join(sorted(ours)) + "\n")
    run(sys.executable, "-m", "pip", "--python", python, "install", "--quiet", "--no-index",
        "--no-deps", wheel, cwd=venv.parent)
    return venv


@pytest.fixture
def env(tmp_path) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items()
            if not k.startswith("PLANSIGN_") and k not in ("PYTHONPATH", "PYTHONHOME")}
    return {**keep, "PLANSIGN_INSTANCE_PATH": str(tmp_path / "instance")}


def test_the_wheel_holds_every_data_file_of_the_packages(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = data_files(ROOT)
    assert {"docgen/templates/standard.docx", "docgen/templates/VARIABLES.md",
            "docgen/examples/support-agent-30d.yaml", "config/settings.toml",
            "signing/migrations/script.py.mako"} <= expected
    assert expected - names == set()
    # The checkout's other folders stay out, and nothing lands as a top-level
    # `templates` or `examples` module in site-packages.
    top_level = {name.split("/")[0] for name in names}
    assert {name for name in top_level if not name.endswith(".dist-info")} == set(PACKAGES)


def test_the_installed_wheel_generates_lists_templates_and_migrates(installed, env, tmp_path):
    python, plansign = installed / "bin" / "python", installed / "bin" / "plansign"
    where = run(python, "-c", "import docgen, signing; from docgen.sample import EXAMPLES; "
                "print(docgen.__file__); print(signing.__file__); print(EXAMPLES)",
                cwd=tmp_path, env=env).split()
    assert all(Path(path).is_relative_to(installed) for path in where), where
    examples = Path(where[2])

    listed = run(plansign, "templates", "list", cwd=tmp_path, env=env)
    assert "standard" in listed and "sales" in listed

    out = tmp_path / "out"
    run(plansign, "generate", examples / "support-agent-30d.yaml", "--out", out,
        cwd=tmp_path, env=env)
    (pdf,) = out.glob("*.pdf")
    reader = PdfReader(pdf)
    assert len(reader.pages) >= 2
    assert "Performance Improvement Plan" in reader.pages[0].extract_text()

    # Any command that opens the instance's database migrates a fresh SQLite one.
    run(plansign, "keys", "create", "--role", "hr", "--name", "wheel check", cwd=tmp_path,
        env=env)
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    with sqlite3.connect(tmp_path / "instance" / "plansign.db") as db:
        assert db.execute("select version_num from alembic_version").fetchall() == [(head,)]


def test_the_installed_wheel_runs_the_demo(installed, env, tmp_path):
    """`plansign demo` from the wheel: `plansign serve` and `plansign worker` run as its
    child processes with the same interpreter, so they too import the installed wheel
    (the web pages, static files and mail templates, the seal), not the checkout."""
    out = tmp_path / "out"
    # A port the system picks: 8000, the demo's first choice, may be another run's.
    shown = run(installed / "bin" / "plansign", "demo", "--out", out, "--port",
                str(free_port(0)), cwd=tmp_path, env=env)
    assert "ok    seal: valid" in shown, shown
    assert (out / "record" / "final.pdf").is_file()
    assert len(list((out / "examples").glob("*.pdf"))) == 3
