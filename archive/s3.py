"""The blob store in S3-compatible object storage (AWS S3, MinIO, Ceph, R2, ...), via boto3.

Same contract as ``FolderStore``: a blob's key is the SHA-256 of its content, blobs are
written once and never replaced, and ``get`` checks the hash on every read, so a
corrupted blob is reported, never served. Objects are named ``<prefix>ab/cd/<key>``, the
folder store's layout.

Every failure reaches the caller as an ``ArchiveError``: ``BlobNotFound``,
``BlobCorrupted``, ``InvalidKey``, or ``StoreUnavailable`` with a message that names the
bucket and says what to check; never a botocore exception.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    HTTPClientError,
    NoCredentialsError,
    PartialCredentialsError,
)
from botocore.exceptions import ConnectionError as BotoConnectionError

from archive.errors import BlobCorrupted, BlobNotFound, StoreUnavailable
from archive.store import check_key

_NOT_FOUND = {"NoSuchKey", "NotFound", "404"}
_DENIED = {"AccessDenied", "403", "Forbidden", "InvalidAccessKeyId", "SignatureDoesNotMatch",
           "ExpiredToken", "InvalidToken", "TokenRefreshRequired", "AllAccessDisabled",
           "InvalidClientTokenId", "UnrecognizedClientException"}
_WRONG_REGION = {"PermanentRedirect", "AuthorizationHeaderMalformed", "301",
                 "IllegalLocationConstraintException"}
_DAMAGED_UPLOAD = {"BadDigest", "InvalidDigest", "XAmzContentSHA256Mismatch",
                   "XAmzContentChecksumMismatch", "InvalidChecksum"}
_BUSY = {"SlowDown", "Throttling", "ThrottlingException", "RequestTimeout",
         "RequestTimeTooSkewed", "ServiceUnavailable", "InternalError", "RequestLimitExceeded"}

CREDENTIALS_HINT = ("set archive_s3_access_key_id and PLANSIGN_ARCHIVE_S3_SECRET_ACCESS_KEY, "
                    "or leave both empty for boto3's own credentials (AWS_ACCESS_KEY_ID and "
                    "AWS_SECRET_ACCESS_KEY, ~/.aws/credentials, an instance or task role)")


class S3Store:
    """Blobs as objects ``<prefix>ab/cd/<key>`` in ``bucket``.

    ``endpoint_url`` names an S3-compatible service (None: AWS, in ``region``). Credentials
    given here are used; None uses boto3's default chain (environment, ~/.aws, instance
    role). Timeouts (seconds) and attempts (the first try included) bound how long a call
    waits for a store that does not answer before ``StoreUnavailable``. ``path_style``
    addresses the bucket as ``endpoint/bucket/key`` rather than ``bucket.endpoint/key``,
    which many self-hosted services need. ``client`` is a ready boto3 S3 client to use
    instead of building one.
    """

    def __init__(self, bucket: str, *, prefix: str = "", endpoint_url: str | None = None,
                 region: str | None = None, access_key_id: str | None = None,
                 secret_access_key: str | None = None, connect_timeout: float = 5.0,
                 read_timeout: float = 30.0, max_attempts: int = 3, path_style: bool = False,
                 client: Any = None) -> None:
        if not bucket:
            raise ValueError("S3Store needs a bucket name")
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.endpoint_url = endpoint_url or None
        self.region = region or None
        # Conditional writes (If-None-Match: *) until the service says it has none.
        self.conditional_writes = True
        self.client = client if client is not None else _make_client(
            endpoint_url=self.endpoint_url, region=self.region, access_key_id=access_key_id,
            secret_access_key=secret_access_key, connect_timeout=connect_timeout,
            read_timeout=read_timeout, max_attempts=max_attempts, path_style=path_style)

    def __repr__(self) -> str:
        return f"S3Store({self._where()})"

    def object_key(self, key: str) -> str:
        check_key(key)
        return f"{self.prefix}{key[:2]}/{key[2:4]}/{key}"

    def put(self, data: bytes) -> str:
        digest = hashlib.sha256(data).digest()
        key = digest.hex()
        name = self.object_key(key)
        # The service recomputes both and refuses an upload that does not match: Content-MD5
        # is checked by every S3-compatible service, x-amz-checksum-sha256 by AWS and newer
        # ones (which also keep it with the object).
        upload = {
            "Bucket": self.bucket, "Key": name, "Body": data,
            "ContentType": "application/octet-stream",
            "ChecksumAlgorithm": "SHA256",
            "ChecksumSHA256": base64.b64encode(digest).decode("ascii"),
            "ContentMD5": base64.b64encode(
                hashlib.md5(data, usedforsecurity=False).digest()).decode("ascii"),
        }
        if self.conditional_writes:
            try:
                # Written only if no object has that name: never overwritten, even when two
                # workers archive the same blob at once.
                self.client.put_object(IfNoneMatch="*", **upload)
                return key
            except ClientError as exc:
                code, status = _code(exc), _status(exc)
                if code == "PreconditionFailed" or status == 412:
                    return key  # already stored; same name, same bytes
                if code == "ConditionalRequestConflict" or status == 409:
                    # Another conditional write of this very blob is under way.
                    if self.exists(key):
                        return key
                    raise self._unavailable(exc, "write") from exc
                if not (code == "NotImplemented" or status == 501):
                    raise self._unavailable(exc, "write") from exc
                self.conditional_writes = False
            except BotoCoreError as exc:
                raise self._unavailable(exc, "write") from exc
        # A service without conditional writes: look first, then write. Two writers may both
        # find nothing and both write, but the name is the content's hash, so the second
        # writes the very same bytes.
        if self.exists(key):
            return key
        try:
            self.client.put_object(**upload)
        except (ClientError, BotoCoreError) as exc:
            raise self._unavailable(exc, "write") from exc
        return key

    def get(self, key: str) -> bytes:
        name = self.object_key(key)
        try:
            data: bytes = self.client.get_object(Bucket=self.bucket, Key=name)["Body"].read()
        except ClientError as exc:
            if _code(exc) in _NOT_FOUND or (_status(exc) == 404 and _code(exc) != "NoSuchBucket"):
                raise BlobNotFound(key) from None
            raise self._unavailable(exc, "read") from exc
        except BotoCoreError as exc:
            raise self._unavailable(exc, "read") from exc
        actual = hashlib.sha256(data).hexdigest()
        if actual != key:
            raise BlobCorrupted(key, actual)
        return data

    def exists(self, key: str) -> bool:
        name = self.object_key(key)
        try:
            self.client.head_object(Bucket=self.bucket, Key=name)
        except ClientError as exc:
            # HEAD answers have no body, so a missing bucket is a bare 404 too; put and get
            # tell the two apart.
            if _code(exc) in _NOT_FOUND or _status(exc) == 404:
                return False
            raise self._unavailable(exc, "check") from exc
        except BotoCoreError as exc:
            raise self._unavailable(exc, "check") from exc
        return True

    def delete(self, key: str) -> None:
        """Remove a blob (retention only). In a versioned bucket this leaves a delete marker;
        the bucket's lifecycle rules decide when older versions go."""
        name = self.object_key(key)
        try:
            self.client.delete_object(Bucket=self.bucket, Key=name)
        except (ClientError, BotoCoreError) as exc:
            raise self._unavailable(exc, "delete") from exc

    def _where(self) -> str:
        place = self.endpoint_url or f"AWS S3 ({self.region or 'default region'})"
        return f"bucket {self.bucket!r} at {place}"

    def _unavailable(self, exc: Exception, action: str) -> StoreUnavailable:
        """What went wrong, for people: the bucket, the cause, and what to check."""
        where = self._where()
        if isinstance(exc, NoCredentialsError | PartialCredentialsError):
            return StoreUnavailable(f"no credentials for the archive's {where}: "
                                    f"{CREDENTIALS_HINT}")
        if isinstance(exc, BotoConnectionError):
            return StoreUnavailable(
                f"could not connect to the archive's {where} to {action} a blob: check "
                f"archive_s3_endpoint_url and archive_s3_region, and that the service is up "
                f"and reachable; then try again")
        if isinstance(exc, HTTPClientError):
            return StoreUnavailable(
                f"the archive's {where} did not answer in time or broke off the connection "
                f"while asked to {action} a blob; try again later (timeouts: "
                f"archive_s3_connect_timeout, archive_s3_read_timeout)")
        if not isinstance(exc, ClientError):
            return StoreUnavailable(f"could not {action} a blob in the archive's {where}: "
                                    f"{exc}")
        code, status = _code(exc), _status(exc)
        answer = f"{code}, HTTP {status}" if str(status) != code else f"HTTP {status}"
        if code == "NoSuchBucket":
            return StoreUnavailable(
                f"the archive's {where} does not exist: check archive_s3_bucket, "
                f"archive_s3_endpoint_url and archive_s3_region")
        if code in _DENIED or status == 403:
            return StoreUnavailable(
                f"the archive's {where} refused to let plansign {action} a blob ({answer}): "
                f"check the credentials ({CREDENTIALS_HINT}) and that they may read, write "
                f"and delete objects in the bucket")
        if code in _WRONG_REGION or status == 301:
            return StoreUnavailable(
                f"the archive's {where} is in another region ({answer}): "
                f"check archive_s3_region")
        if code in _DAMAGED_UPLOAD:
            return StoreUnavailable(
                f"the archive's {where} refused a blob that reached it damaged (its "
                f"checksum did not match, {answer}); nothing was stored; try again")
        if code in _BUSY or (isinstance(status, int) and status >= 500):
            return StoreUnavailable(
                f"the archive's {where} is not available just now ({answer}) and could not "
                f"{action} a blob; try again later")
        return StoreUnavailable(f"the archive's {where} refused to {action} a blob "
                                f"({answer}: {_message(exc)})")


def _make_client(*, endpoint_url: str | None, region: str | None, access_key_id: str | None,
                 secret_access_key: str | None, connect_timeout: float, read_timeout: float,
                 max_attempts: int, path_style: bool) -> Any:
    # boto3 takes a quarter of a second to import: only those who use S3 pay for it.
    import boto3
    from botocore.config import Config

    config = Config(
        connect_timeout=connect_timeout, read_timeout=read_timeout,
        retries={"total_max_attempts": max_attempts, "mode": "standard"},
        s3={"addressing_style": "path" if path_style else "auto"},
        # Our own SHA-256 is sent with every upload; no extra CRC32 on top, which many
        # S3-compatible services refuse, and reads are checked against the key instead.
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
        user_agent_extra="plansign-archive",
    )
    session = boto3.session.Session(aws_access_key_id=access_key_id or None,
                                    aws_secret_access_key=secret_access_key or None,
                                    region_name=region or None)
    return session.client("s3", endpoint_url=endpoint_url or None, config=config)


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def _status(exc: ClientError) -> int | None:
    status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return status if isinstance(status, int) else None


def _message(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Message", "")) or "no message"
