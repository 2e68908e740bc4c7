"""The files LibreOffice needs while it runs, and tidying up those a killed process left.

Each pool (or lone converter) has a private folder, ``docgen-pdf-<pid namespace>-<pid>-*``
in the system's temporary folder; in it each instance has a folder of its own for its user
profile, logs and the documents in transit. LibreOffice also puts named pipes in /tmp,
whatever ``TMPDIR`` says. A process killed outright leaves all of these behind: the next
pool to start sweeps up those whose process is dead.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import stat
import tempfile
import uuid
from pathlib import Path

PRIVATE_DIR_PREFIX = "docgen-pdf-"
PIPE_DIR = Path("/tmp")  # where LibreOffice puts its named pipes
PIPE_PREFIX = "docgen-"
SEED_PREFIX = "libreoffice-profile-"


def private_dir(parent: str | os.PathLike[str] | None = None) -> Path:
    """A fresh private folder named after our pid, after sweeping up the folders of processes
    that were killed outright (their atexit never ran). ``parent``: default the system's
    temporary folder."""
    root = Path(parent) if parent is not None else Path(tempfile.gettempdir())
    sweep_leftovers(root)
    return Path(tempfile.mkdtemp(prefix=f"{PRIVATE_DIR_PREFIX}{_owner_tag()}-", dir=root))


def profile_dir(folder: Path) -> Path:
    """LibreOffice's user profile in an instance's folder."""
    return folder / "profile"


def profile_seed(soffice: Path) -> Path:
    """Where a freshly made user profile for this LibreOffice is kept, for every instance
    to start from a copy of (see ``_uno_worker.py``): in the user's cache folder
    (``$XDG_CACHE_HOME``, else ``~/.cache``), not the temporary one, which a stopped
    plansign leaves as it found it; named after this LibreOffice (its path, size and
    time), so that another version never uses it. LibreOffice makes a new profile and
    then exits, asking to be started again: a copy spares each instance that first start."""
    try:
        binary = soffice.resolve()
        info = binary.stat()
        tag = f"{binary}:{info.st_size}:{info.st_mtime_ns}"
    except OSError:
        tag = str(soffice)
    digest = hashlib.sha256(tag.encode()).hexdigest()[:16]
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "plansign" / f"{SEED_PREFIX}{digest}"


def uno_pipe_name() -> str:
    """A new, unique name for the pipe a worker talks to its soffice.bin over."""
    return f"{PIPE_PREFIX}{_owner_tag()}-{uuid.uuid4().hex[:12]}"


def remove_sockets(paths: list[str]) -> None:
    """Remove the named pipes a killed soffice.bin left in /tmp (only ever sockets)."""
    for path in paths:
        with contextlib.suppress(OSError):
            if stat.S_ISSOCK(os.lstat(path).st_mode):
                os.unlink(path)


def sweep_leftovers(root: Path) -> None:
    """Remove our private folders and LibreOffice pipes whose process is dead."""
    uid = os.getuid()
    with contextlib.suppress(OSError):
        for folder in root.glob(f"{PRIVATE_DIR_PREFIX}*-*"):
            if _owner_is_dead(folder.name.removeprefix(PRIVATE_DIR_PREFIX), uid, folder):
                # A lone converter's profile is in the private folder, a pool's one level down.
                for profile in [*folder.glob("profile"), *folder.glob("*/profile")]:
                    remove_sockets([str(PIPE_DIR / _ipc_pipe_name(profile))])
                shutil.rmtree(folder, ignore_errors=True)
    with contextlib.suppress(OSError):
        prefix = f"OSL_PIPE_{uid}_{PIPE_PREFIX}"
        for pipe in PIPE_DIR.glob(f"{prefix}*-*"):
            if _owner_is_dead(pipe.name.removeprefix(prefix), uid, pipe):
                remove_sockets([str(pipe)])


def _pid_namespace() -> str:
    """Which pid namespace we are in: a pid only means something within its own, and /tmp may
    be shared with other containers."""
    try:
        return str(os.stat("/proc/self/ns/pid").st_ino)
    except OSError:
        return "0"


def _owner_tag() -> str:
    """``<pid namespace>-<pid>``, in the names of our folders and pipes, so that leftovers can
    be traced to a dead process."""
    return f"{_pid_namespace()}-{os.getpid()}"


def _owner_is_dead(tail: str, uid: int, path: Path) -> bool:
    """``tail`` is ``<pid namespace>-<pid>-<anything>``: is that pid, in our namespace, gone,
    and the path ours?"""
    namespace, _, rest = tail.partition("-")
    pid_text = rest.split("-", 1)[0]
    if namespace != _pid_namespace() or not pid_text.isdigit() or int(pid_text) == os.getpid():
        return False
    if path.lstat().st_uid != uid:
        return False
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def _ipc_pipe_name(profile: Path) -> str:
    """The name of soffice.bin's single-instance pipe for a profile: MD5 of the profile URL in
    UTF-16, each byte in unpadded hex (as LibreOffice's officeipcthread.cxx builds it). Used
    only to tidy up; a mismatch in another LibreOffice version merely leaves a file behind."""
    url = profile.resolve().as_uri()
    digest = hashlib.md5(url.encode("utf-16-le"), usedforsecurity=False).digest()
    return f"OSL_PIPE_{os.getuid()}_SingleOfficeIPC_" + "".join(f"{b:x}" for b in digest)
