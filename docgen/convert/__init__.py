"""Word → PDF through a warm pool of LibreOffice instances, driven over UNO.

Why this shape:

* Starting LibreOffice costs about a second; converting a few pages costs about a tenth of
  that. So instances are started once and kept warm, and each is warmed up with a throw-away
  conversion before it is marked ready.
* The ``uno`` module exists only for the system Python, not for the project's venv, so every
  instance is a small worker script (``_uno_worker.py``) run by that Python, which owns one
  ``soffice.bin`` and answers JSON lines on its stdin/stdout.
* LibreOffice hangs and crashes now and then, and grows in memory. So every document has a
  deadline after which its instance is killed and restarted and the document retried, and
  every instance is restarted after ``max_documents`` documents.
* No LibreOffice may outlive us: instances are killed with their process group on trouble,
  stopped on :meth:`ConverterPool.close` and at interpreter exit, and tied to our life with
  ``PR_SET_PDEATHSIG`` in case we are killed outright.
* LibreOffice sees only a minimal environment: our secrets stay with us.

The modules, from the bottom up: :mod:`.locate` finds LibreOffice; :mod:`._process` starts
child processes; :mod:`._tempfiles` owns the files they use and sweeps up leftovers;
:mod:`._worker` is one worker process; :mod:`.converter` one instance with its deadlines,
retries and restarts; :mod:`.pool` the pool.

Typical use::

    with ConverterPool(2) as pool:
        pdf = pool.convert(docx_bytes)
"""

from docgen.convert._process import parent_death_signal
from docgen.convert.converter import Converter, ConverterStats
from docgen.convert.locate import LibreOffice, find_libreoffice
from docgen.convert.pool import ConverterPool

__all__ = [
    "Converter",
    "ConverterPool",
    "ConverterStats",
    "LibreOffice",
    "find_libreoffice",
    "parent_death_signal",
]
