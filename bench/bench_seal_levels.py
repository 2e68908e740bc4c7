"""Benchmark: sealing a 6-page plan at PAdES B-B, B-T, B-LT and B-LTA, and refreshing the
archive timestamps of N archived records (issue 19).

Everything runs against a local PKI (testsupport/pki.py: certomancer's Animator on
127.0.0.1 serving OCSP, CRLs and a timestamp authority, in a process of its own), with
the sealing key an EC P-256 key issued by its CA, so the network legs are loopback HTTP,
as with a TSA and OCSP responder on the local network.

* Sealing: ``--seals`` seals per level after a warm-up, the levels taken in turn (so
  machine noise falls on all alike); p50 and p95 per level, in milliseconds.
* Refresh: ``--records`` archived records (SQLite, a folder blob store), each with its own
  B-LTA final PDF, all due; the product's refresh (read the PDF, fetch the last
  timestamp's revocation data, a new document timestamp, a new blob, the version rows
  and the record, one transaction per record) over all of them: records per second.

``--product PATH`` seals with another checkout's docgen (e.g. main, which has only B-B
and B-T) for a side-by-side baseline; the refresh runs only on this checkout.

Usage: ``.venv/bin/python bench/bench_seal_levels.py [--seals 40] [--records 300]
[--product /work/wt-base] [--levels B-B,B-T]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import subprocess
import sys
import tempfile
import time
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class ServedPki:
    """testsupport/pki.py of this checkout served by a process of its own, so that the
    PKI's CPU (signing OCSP responses and timestamps) is not counted in the seals' time,
    as with a real TSA and OCSP responder."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="bench-pki-"))
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "testsupport" / "pki.py"), str(self.folder)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self.process.stdout is not None
        self.url = self.process.stdout.readline().strip()

    def tsa_url(self, label: str = "tsa") -> str:
        return f"{self.url}/plansign/tsa/{label}"

    def pem(self, *labels: str) -> bytes:
        return b"".join((self.folder / f"{label}.pem").read_bytes() for label in labels)

    def write_seal_files(self, folder: Path) -> tuple[Path, Path]:
        key, chain = folder / "seal.key.pem", folder / "seal.chain.pem"
        key.write_bytes((self.folder / "seal.key.pem").read_bytes())
        chain.write_bytes(self.pem("seal", "interm", "root"))
        return key, chain

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=30)


def plan_pdf(pages: int = 6) -> bytes:
    """A 6-page PDF of text, the size of a plan's pages (about 30 KB)."""
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

    writer = PdfWriter()
    font = writer._add_object(DictionaryObject({
        NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
        NameObject("/BaseFont"): NameObject("/Helvetica")}))
    for number in range(1, pages + 1):
        page = writer.add_blank_page(595, 842)
        lines = " ".join(f"(Performance improvement plan, page {number}, line {line}.) Tj T*"
                         for line in range(1, 45))
        content = DecodedStreamObject()
        content.set_data(f"BT /F1 11 Tf 14 TL 56 790 Td {lines} ET".encode())
        page[NameObject("/Contents")] = writer._add_object(content)
        page[NameObject("/Resources")] = DictionaryObject({
            NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})})
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def bench_sealing(pki, key, pdf: bytes, levels: list[str], seals: int, has_levels: bool
                  ) -> dict[str, list[float]]:
    from docgen.seal import seal

    def one(level: str) -> float:
        url = None if level == "B-B" else pki.tsa_url()
        start = time.perf_counter()
        if has_levels:
            seal(pdf, key, reason="bench", timestamp_url=url, level=level)
        else:  # a checkout from before levels: B-T with a TSA, else B-B
            seal(pdf, key, reason="bench", timestamp_url=url)
        return (time.perf_counter() - start) * 1000

    for level in levels:
        for _ in range(3):
            one(level)
    times: dict[str, list[float]] = {level: [] for level in levels}
    for _ in range(seals):
        for level in levels:
            times[level].append(one(level))
    return times


def bench_refresh(pki, key, pdf: bytes, records: int) -> tuple[float, int]:
    from archive import ArchivedRecord, FolderStore
    from database import make_engine, make_session_factory
    from docgen.seal import seal
    from signing.domain.archive_timestamps import RefreshPolicy, refresh
    from signing.migrations import upgrade

    folder = Path(tempfile.mkdtemp(prefix="bench-refresh-"))
    url = f"sqlite:///{folder / 'plansign.db'}"
    engine = make_engine(url)
    upgrade(engine)
    sessions = make_session_factory(engine)
    store = FolderStore(folder / "blobs")
    now = dt.datetime.now(dt.UTC)
    print(f"  sealing {records} records at B-LTA to refresh...", flush=True)
    with sessions.begin() as session:
        for n in range(records):
            final = store.put(seal(pdf, key, reason=f"record {n}", timestamp_url=pki.tsa_url(),
                                   level="B-LTA"))
            session.add(ArchivedRecord(
                envelope_id=f"{n:08d}-0000-0000-0000-000000000000", plan_id=f"PIP-{n}",
                employee_name="E", employee_name_folded="e", employee_id=None,
                manager_name="M", manager_name_folded="m", department="Sales",
                outcome="acknowledged", sent_at=now, completed_at=now, archived_at=now,
                sent_by="hr", team=None, original_sha256=final, final_sha256=final,
                plan_sha256=final, audit_sha256=final, retain_until=None))
    # The TSA certificate runs to 2045: a horizon past it makes every record due.
    policy = RefreshPolicy(timestamp_url=pki.tsa_url(), days_before=20 * 365,
                           trust_roots=(pki.pem("root"),))
    start = time.perf_counter()
    outcomes = refresh(sessions, store, policy, now=now, limit=records)
    elapsed = time.perf_counter() - start
    done = sum(1 for o in outcomes if o.refreshed)
    return elapsed, done


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seals", type=int, default=40)
    parser.add_argument("--records", type=int, default=300)
    parser.add_argument("--levels", default="B-B,B-T,B-LT,B-LTA")
    parser.add_argument("--product", type=Path, default=ROOT)
    args = parser.parse_args()
    sys.path.insert(0, str(args.product))
    from bench.peakmem import own_peak_mb  # this checkout's, found via ROOT below
    from docgen import seal as seal_package
    from docgen.seal import load_sealing_key

    has_levels = hasattr(seal_package, "resolve_level")
    levels = args.levels.split(",")
    pdf = plan_pdf(6)
    pki = ServedPki()
    with tempfile.TemporaryDirectory() as tmp:
        key_path, chain = pki.write_seal_files(Path(tmp))
        key = load_sealing_key(key_path=key_path, cert_path=chain)
        print(f"product {args.product} ({'with' if has_levels else 'without'} levels), "
              f"6-page plan {len(pdf) // 1024} KB, {args.seals} seals per level")
        times = bench_sealing(pki, key, pdf, levels, args.seals, has_levels)
        for level, values in times.items():
            print(f"  {level:6} p50 {statistics.median(values):7.1f} ms   "
                  f"p95 {percentile(values, 0.95):7.1f} ms")
        if has_levels and args.records:
            elapsed, done = bench_refresh(pki, key, pdf, args.records)
            print(f"  refresh: {done}/{args.records} records in {elapsed:.1f} s, "
                  f"{done / elapsed:.1f} records/s ({elapsed / max(done, 1) * 1000:.0f} "
                  f"ms each); 10,000 would take {10_000 * elapsed / max(done, 1) / 60:.0f} min")
    pki.close()
    print(f"  peak memory of this process: {own_peak_mb():.0f} MB")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
