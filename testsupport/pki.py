"""A real PKI on 127.0.0.1 for tests and benchmarks: certomancer's Animator serving OCSP,
CRLs and RFC 3161 timestamp authorities over HTTP.

The architecture (one of its own per :func:`running_pki`, keys made fresh in a temporary
folder, EC P-256 so that making it takes milliseconds):

* ``root`` (2020-2060) and ``interm`` (2020-2050), each with a CRL; ``interm`` also has
  an OCSP responder (``interm-ocsp``, with ocsp-nocheck);
* ``seal``, the sealing certificate (2024-01-01 to 2030-01-01), issued by ``interm``;
  ``seal-revoked``, the same key's twin, revoked on :data:`REVOKED_ON`;
* two timestamp authorities under ``root``: ``tsa-old`` whose certificate expires on
  :data:`OLD_TSA_EXPIRES` (what a refresh must outrun), and ``tsa`` (to 2045).

Time: the services answer as of the real clock, or of a clock set by :meth:`Pki.freeze`
(CRLs, OCSP responses and timestamps all say that time), so tests can seal "in 2025".
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

ARCH = "plansign"
# In the past: pyHanko's long-term validation counts the real clock as "now" for proofs
# of existence, so a test seals in 2025 (the services' clock set back) and validates as
# of today, after the old TSA's certificate has expired.
REVOKED_ON = datetime(2025, 3, 1, tzinfo=UTC)
OLD_TSA_EXPIRES = datetime(2025, 6, 1, tzinfo=UTC)
SEAL_EXPIRES = datetime(2030, 1, 1, tzinfo=UTC)

_KEYS = ("root", "interm", "interm-ocsp", "seal", "tsa", "tsa-old")


def _validity(start: str, end: str) -> dict[str, str]:
    return {"valid-from": f"{start}T00:00:00+0000", "valid-to": f"{end}T00:00:00+0000"}


def _key_usage(*usages: str) -> dict[str, Any]:
    return {"id": "key_usage", "critical": True,
            "smart-value": {"schema": "key-usage", "params": list(usages)}}


def _ca(path_len: int | None = None) -> list[dict[str, Any]]:
    constraints: dict[str, Any] = {"ca": True}
    if path_len is not None:
        constraints["path_len_constraint"] = path_len
    return [{"id": "basic_constraints", "critical": True, "value": constraints},
            _key_usage("digital_signature", "key_cert_sign", "crl_sign")]


def _revocation_pointers(crl_repo: str, ocsp: str | None = None) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = [{
        "id": "crl_distribution_points",
        "smart-value": {"schema": "crl-dist-url", "params": {"crl-repo-names": [crl_repo]}}}]
    if ocsp:
        found.append({"id": "authority_information_access",
                      "smart-value": {"schema": "aia-urls",
                                      "params": {"ocsp-responder-names": [ocsp]}}})
    return found


def _tsa_cert(valid_to: str) -> dict[str, Any]:
    return {
        "issuer": "root",
        "validity": _validity("2020-01-01", valid_to),
        "extensions": [
            _key_usage("digital_signature"),
            {"id": "extended_key_usage", "critical": True, "value": ["time_stamping"]},
            *_revocation_pointers("root"),
        ],
    }


def _seal_cert() -> dict[str, Any]:
    return {
        "subject": "seal", "subject-key": "seal", "issuer": "interm",
        "validity": _validity("2024-01-01", f"{SEAL_EXPIRES:%Y-%m-%d}"),
        "extensions": [_key_usage("digital_signature", "non_repudiation"),
                       # As document-signing certificates carry (AATL ones too). Without
                       # one, Debian 12's pdfsig (poppler 22.12) says "Unknown issue with
                       # Certificate" for a trusted chain: it reads NSS's last error, not
                       # the verdict, and NSS's last look-up was for this extension.
                       {"id": "extended_key_usage", "value": ["email_protection"]},
                       *_revocation_pointers("interm", "interm")],
    }


def config(url: str) -> dict[str, Any]:
    """The certomancer configuration, its services under ``url``."""
    return {
        "external-url-prefix": url,
        "keysets": {ARCH: {"keys": {k: {"path": f"{k}.key.pem"} for k in _KEYS}}},
        "pki-architectures": {ARCH: {
            "keyset": ARCH,
            "entity-defaults": {"country-name": "GB", "organization-name": "Acme Test Ltd"},
            "entities": {
                "root": {"common-name": "Acme Test Root CA"},
                "interm": {"common-name": "Acme Test Issuing CA"},
                "interm-ocsp": {"common-name": "Acme Test OCSP responder"},
                "seal": {"common-name": "Acme Test Ltd document seal"},
                "tsa": {"common-name": "Acme Test TSA 2"},
                "tsa-old": {"common-name": "Acme Test TSA 1"},
            },
            "certs": {
                "root": {"subject": "root", "issuer": "root",
                         "validity": _validity("2020-01-01", "2060-01-01"),
                         "extensions": _ca()},
                "interm": {"issuer": "root", "validity": _validity("2020-01-01", "2050-01-01"),
                           "extensions": [*_ca(0), *_revocation_pointers("root")]},
                "interm-ocsp": {
                    "issuer": "interm", "validity": _validity("2020-01-01", "2050-01-01"),
                    "extensions": [
                        _key_usage("digital_signature"),
                        {"id": "extended_key_usage", "critical": True,
                         "value": ["ocsp_signing"]},
                        {"id": "ocsp_no_check"},
                    ]},
                "seal": _seal_cert(),
                "seal-revoked": {**_seal_cert(), "revocation": {
                    "revoked-since": REVOKED_ON.strftime("%Y-%m-%dT%H:%M:%S+0000"),
                    "reason": "key_compromise"}},
                "tsa": _tsa_cert("2045-01-01"),
                "tsa-old": _tsa_cert(f"{OLD_TSA_EXPIRES:%Y-%m-%d}"),
            },
            "services": {
                "ocsp": {"interm": {"for-issuer": "interm", "responder-cert": "interm-ocsp",
                                    "signing-key": "interm-ocsp"}},
                "crl-repo": {
                    "root": {"for-issuer": "root", "signing-key": "root",
                             "simulated-update-schedule": "P7D"},
                    "interm": {"for-issuer": "interm", "signing-key": "interm",
                               "simulated-update-schedule": "P7D"},
                },
                "time-stamping": {
                    "tsa": {"signing-key": "tsa", "signing-cert": "tsa"},
                    "tsa-old": {"signing-key": "tsa-old", "signing-cert": "tsa-old"},
                },
            },
        }},
    }


@dataclass
class Pki:
    """The running PKI: its URLs, its certificates (PEM), and its clock."""

    url: str
    arch: Any  # certomancer's PKIArchitecture
    folder: Path
    _animator: Any = field(repr=False)
    _offset: timedelta | None = None

    def __post_init__(self) -> None:
        self._animator.at_time = lambda _request: self.now()

    def tsa_url(self, label: str = "tsa") -> str:
        return f"{self.url}/{ARCH}/tsa/{label}"

    def pem(self, *labels: str) -> bytes:
        """The certificates named, PEM, one after the other."""
        from asn1crypto import pem

        return b"".join(pem.armor("CERTIFICATE", self.arch.get_cert(label).dump())
                        for label in labels)

    def key_pem(self, label: str = "seal") -> bytes:
        return (self.folder / f"{label}.key.pem").read_bytes()

    def write_seal_files(self, folder: Path, cert: str = "seal") -> tuple[Path, Path]:
        """The sealing key and its certificate followed by the chain, as files for the
        ``seal_key_path`` and ``seal_cert_path`` settings."""
        key = folder / f"{cert}.key.pem"
        key.write_bytes(self.key_pem("seal"))
        chain = folder / f"{cert}.chain.pem"
        chain.write_bytes(self.pem(cert, "interm", "root"))
        return key, chain

    def freeze(self, moment: datetime | None) -> None:
        """Set the services' clock to ``moment`` (None: the real clock again). It goes on
        ticking from there, as a real one would: a response made a moment after another
        says so, which the validators' ordering rules (revocation data issued after the
        signature it vouches for) rely on."""
        self._offset = None if moment is None else moment - datetime.now(UTC)

    def now(self) -> datetime:
        """The services' current time."""
        return datetime.now(UTC) + (self._offset or timedelta(0))


@contextmanager
def running_pki() -> Iterator[Pki]:
    """A PKI served on 127.0.0.1 until the block ends."""
    import yaml  # noqa: F401  # certomancer reads its configuration with it
    from certomancer.integrations.animator import Animator, AnimatorArchStore
    from certomancer.registry import ArchLabel, CertomancerConfig
    from werkzeug.serving import make_server

    app: dict[str, Any] = {}

    def dispatch(environ: Any, start_response: Any) -> Any:
        return app["animator"](environ, start_response)

    import logging

    # werkzeug logs every request at INFO; the tests make hundreds.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server("127.0.0.1", 0, dispatch, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    with TemporaryDirectory(prefix="plansign-pki-") as tmp:
        folder = Path(tmp)
        for label in _KEYS:
            key = ec.generate_private_key(ec.SECP256R1())
            (folder / f"{label}.key.pem").write_bytes(key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption()))
        cfg = CertomancerConfig(config(url), key_search_dir=str(folder))
        arch = cfg.get_pki_arch(ArchLabel(ARCH))
        animator = Animator(AnimatorArchStore(cfg.pki_archs), with_web_ui=False)
        app["animator"] = animator
        thread = threading.Thread(target=server.serve_forever, name="pki", daemon=True)
        thread.start()
        try:
            yield Pki(url, arch, folder, animator)
        finally:
            server.shutdown()
            server.server_close()
            thread.join()


def serve(folder: Path) -> None:
    """Serve a PKI until stdin closes, for a benchmark that keeps the PKI's CPU out of its
    own process: the URL in ``folder/url``, every certificate as ``folder/<label>.pem``
    and the sealing key as ``folder/seal.key.pem``."""
    import sys

    with running_pki() as pki:
        for label in ("root", "interm", "interm-ocsp", "seal", "seal-revoked", "tsa",
                      "tsa-old"):
            (folder / f"{label}.pem").write_bytes(pki.pem(label))
        (folder / "seal.key.pem").write_bytes(pki.key_pem("seal"))
        (folder / "url").write_text(pki.url)
        print(pki.url, flush=True)
        sys.stdin.read()


if __name__ == "__main__":
    import sys

    serve(Path(sys.argv[1]))
