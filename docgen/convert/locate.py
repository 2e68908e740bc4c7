"""Finding LibreOffice: its ``soffice.bin``, and a Python that can ``import uno``."""

from __future__ import annotations

import dataclasses
import functools
import os
import shutil
import subprocess
from pathlib import Path

from docgen.convert._process import child_environment
from docgen.errors import ConverterUnavailable

DEFAULT_SOFFICE = Path("/usr/lib/libreoffice/program/soffice.bin")
DEFAULT_UNO_PYTHON = Path("/usr/bin/python3")
INSTALL_HINT = "run `apt-get install libreoffice-writer-nogui python3-uno` (or `make setup`)"


@dataclasses.dataclass(frozen=True)
class LibreOffice:
    """Where LibreOffice's ``soffice.bin`` and the Python that can ``import uno`` are."""

    soffice: Path
    uno_python: Path


def find_libreoffice(
    soffice: str | os.PathLike[str] | None = None,
    uno_python: str | os.PathLike[str] | None = None,
) -> LibreOffice:
    """Locate LibreOffice, or raise :class:`ConverterUnavailable` saying what to install.

    ``soffice`` may name ``soffice.bin``, the ``soffice`` wrapper, or LibreOffice's
    ``program`` folder; by default the ``soffice`` on PATH is followed to its ``soffice.bin``.
    ``uno_python`` defaults to ``/usr/bin/python3`` (Debian's python3-uno).
    """
    return LibreOffice(_find_soffice_bin(soffice), _find_uno_python(uno_python))


def _find_soffice_bin(soffice: str | os.PathLike[str] | None) -> Path:
    """soffice.bin itself: the ``soffice`` shell wrapper would hide the real process from us."""
    if soffice is None:
        on_path = shutil.which("soffice")
        candidates = [Path(on_path)] if on_path else []
        candidates.append(DEFAULT_SOFFICE)
    else:
        candidates = [Path(soffice)]
    for candidate in candidates:
        found = _soffice_bin_for(candidate)
        if found is not None:
            return found
    where = f"{candidates[0]} does not exist" if soffice is not None else "soffice is not on PATH"
    raise ConverterUnavailable(f"LibreOffice is not installed ({where}): {INSTALL_HINT}")


def _soffice_bin_for(path: Path) -> Path | None:
    real = path.resolve()
    if real.is_dir():
        real = real / "soffice.bin"
    elif real.name != "soffice.bin":
        real = real.with_name("soffice.bin")
    return real if real.is_file() and os.access(real, os.X_OK) else None


def _find_uno_python(uno_python: str | os.PathLike[str] | None) -> Path:
    python = Path(uno_python) if uno_python is not None else DEFAULT_UNO_PYTHON
    if not (python.is_file() and os.access(python, os.X_OK)):
        raise ConverterUnavailable(
            f"LibreOffice's Python is not installed ({python} does not exist): {INSTALL_HINT}"
        )
    if not _can_import_uno(str(python)):
        raise ConverterUnavailable(
            f"LibreOffice's Python bridge is not installed ({python} cannot `import uno`): "
            f"{INSTALL_HINT}"
        )
    return python


@functools.cache
def _can_import_uno(python: str) -> bool:
    """Asked once per interpreter: a missing python3-uno should fail at construction, clearly."""
    try:
        done = subprocess.run(
            [python, "-I", "-c", "import uno"],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            env=child_environment(),
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0
