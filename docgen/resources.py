"""Files shipped inside our packages (templates, example plans, migrations, fonts.conf),
found through importlib.resources wherever the package is: a checkout, an editable
install or an installed wheel."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def package_path(package: str, *parts: str) -> Path:
    """A file or folder shipped in ``package``, as a path on disk.

    LibreOffice, Alembic and Jinja's folder loader need real paths, not a Traversable;
    pip unpacks a wheel into site-packages, so an installed package's files are on disk.
    A package imported from a zip file is refused by name rather than failing later.
    """
    resource = files(package).joinpath(*parts)
    if not isinstance(resource, Path):
        raise RuntimeError(f"{package} is not installed as files on disk (a zip file?); "
                           "install plansign with pip, which unpacks it")
    return resource
