"""What the seal tests build on: small real PDFs, keys and certificates, a local TSA, pdfsig."""

from __future__ import annotations

import shutil
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import BytesIO
from pathlib import Path

from asn1crypto import keys as asn1_keys
from asn1crypto import tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

PAGE_TEXT = "Performance Improvement Plan"


def make_pdf(pages: int = 6) -> bytes:
    """A small real PDF: ``pages`` A4 pages of uncompressed Helvetica text."""
    writer = PdfWriter()
    font = writer._add_object(DictionaryObject({
        NameObject("/Type"): NameObject("/Font"),
        NameObject("/Subtype"): NameObject("/Type1"),
        NameObject("/BaseFont"): NameObject("/Helvetica"),
    }))
    for number in range(1, pages + 1):
        page = writer.add_blank_page(595, 842)
        lines = " ".join(
            f"({PAGE_TEXT}, page {number}, line {line}: goals, evidence, support.) Tj T*"
            for line in range(1, 40)
        )
        content = DecodedStreamObject()
        content.set_data(f"BT /F1 11 Tf 14 TL 56 790 Td {lines} ET".encode())
        page[NameObject("/Contents")] = writer._add_object(content)
        page[NameObject("/Resources")] = DictionaryObject({
            NameObject("/Font"): DictionaryObject({NameObject("/F1"): font}),
        })
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def name(common_name: str, organisation: str = "Acme Test Ltd") -> x509.Name:
    return x509.Name([
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
    ])


def key_usage(*, sign: bool = True, ca: bool = False) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=sign, content_commitment=sign, key_encipherment=not sign,
        data_encipherment=False, key_agreement=False, key_cert_sign=ca, crl_sign=ca,
        encipher_only=False, decipher_only=False,
    )


def certificate(
    subject: x509.Name,
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey,
    *,
    issuer: tuple[x509.Name, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey] | None = None,
    ca: bool = False,
    usage: x509.KeyUsage | None = None,
    not_before: datetime | None = None,
    not_after: datetime | None = None,
    time_stamping: bool = False,
) -> x509.Certificate:
    now = datetime.now(UTC)
    issuer_name, issuer_key = issuer or (subject, key)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before or now - timedelta(days=1))
        .not_valid_after(not_after or now + timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(usage or key_usage(ca=ca), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                       critical=False)
    )
    if issuer is not None:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
            critical=False)
    if time_stamping:
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
    return builder.sign(issuer_key, hashes.SHA256())


def key_pem(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey,
            passphrase: bytes | None = None) -> bytes:
    encryption = (serialization.BestAvailableEncryption(passphrase) if passphrase
                  else serialization.NoEncryption())
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             encryption)


def cert_pem(*certs: x509.Certificate) -> bytes:
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs)


# -- a local RFC 3161 timestamp authority --------------------------------------------------

@dataclass
class Tsa:
    """A TSA on 127.0.0.1 answering with pyHanko's DummyTimeStamper; ``mode`` breaks it."""

    url: str
    certificate: x509.Certificate
    fixed_time: datetime
    mode: str = "ok"  # ok | error500 | garbage | wrong-type | other-digest
    requests: int = 0


@contextmanager
def running_tsa() -> Iterator[Tsa]:
    from pyhanko.sign.timestamps import DummyTimeStamper

    key = rsa.generate_private_key(65537, 2048)  # DummyTimeStamper signs with RSA only
    cert = certificate(name("Test Timestamp Authority"), key,
                       usage=key_usage(), time_stamping=True)
    fixed = datetime.now(UTC).replace(microsecond=0)
    stamper = DummyTimeStamper(
        tsa_cert=asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)),
        tsa_key=asn1_keys.PrivateKeyInfo.load(key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption())),
        fixed_dt=fixed,
    )
    state = Tsa(url="", certificate=cert, fixed_time=fixed)

    class Handler(BaseHTTPRequestHandler):
        # Headers and body go out in two writes; with Nagle's algorithm the second
        # waits for the client's delayed ACK, 40 ms that are not the code under test.
        disable_nagle_algorithm = True

        def do_POST(self) -> None:
            state.requests += 1
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if state.mode == "error500":
                self._answer(500, b"TSA is down", "text/plain")
                return
            if state.mode == "garbage":
                self._answer(200, b"\x30\x03not a timestamp", "application/timestamp-reply")
                return
            request = tsp.TimeStampReq.load(body)
            if state.mode == "other-digest":
                imprint = request["message_imprint"]
                request = tsp.TimeStampReq({
                    "version": 1, "nonce": request["nonce"], "cert_req": True,
                    "message_imprint": tsp.MessageImprint({
                        "hash_algorithm": imprint["hash_algorithm"],
                        "hashed_message": bytes(len(imprint["hashed_message"].native)),
                    }),
                })
            answer = stamper.request_tsa_response(request).dump()
            kind = "text/html" if state.mode == "wrong-type" else "application/timestamp-reply"
            self._answer(200, answer, kind)

        def _answer(self, status: int, body: bytes, kind: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:  # keep test output quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/tsa"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


# -- poppler's pdfsig ------------------------------------------------------------------------

def pdfsig(pdf: bytes, folder: Path, *, trusted: list[bytes] | None = None) -> str:
    """pdfsig's report on ``pdf`` (it validates against the real clock, offline).

    pdfsig checks the signer's chain against an NSS database (~/.pki/nssdb unless
    -nssdir says otherwise). With ``trusted`` (PEM root certificates) it gets one of its
    own in ``folder`` that trusts exactly those roots for signing ("C,C,C": the S/MIME
    column is the one poppler's email-signer check reads), as a reader who installed
    the organisation's root would; without, no root is trusted and pdfsig says the
    issuer is not trusted or unknown."""
    assert shutil.which("pdfsig"), "pdfsig is missing: apt-get install poppler-utils"
    path = folder / "pdfsig-input.pdf"
    path.write_bytes(pdf)
    command = ["pdfsig", "-no-ocsp"]
    if trusted:
        command += ["-nssdir", f"sql:{nss_database(folder / 'nssdb', trusted)}"]
    done = subprocess.run([*command, str(path)], capture_output=True, text=True,
                          timeout=60, check=False)
    return done.stdout + done.stderr


def nss_database(folder: Path, roots: list[bytes]) -> Path:
    """An NSS certificate database (libnss3-tools' certutil) trusting ``roots`` as CAs
    for TLS, email (document signing) and code."""
    assert shutil.which("certutil"), "certutil is missing: apt-get install libnss3-tools"
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(["certutil", "-N", "-d", f"sql:{folder}", "--empty-password"],
                   check=True, capture_output=True, timeout=60)
    for number, pem in enumerate(roots):
        root = folder / f"root-{number}.pem"
        root.write_bytes(pem)
        subprocess.run(["certutil", "-A", "-d", f"sql:{folder}", "-n", f"root {number}",
                        "-t", "C,C,C", "-i", str(root)], check=True, capture_output=True,
                       timeout=60)
    return folder


def signature_dictionary(pdf: bytes, field: str = "Seal") -> dict:
    """The /V dictionary of a signature field, read with pypdf (not the library that wrote it)."""
    fields = PdfReader(BytesIO(pdf)).get_fields() or {}
    return fields[field]["/V"].get_object()
