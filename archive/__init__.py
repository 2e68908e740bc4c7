"""The archive: a write-once blob store keyed by SHA-256, and the index of archived plans.

Imports nothing of ours but the shared database base.
"""

from archive.errors import (
    ArchiveError,
    BlobCorrupted,
    BlobNotFound,
    InvalidKey,
    RecordConflict,
    RecordNotFound,
    StoreUnavailable,
)
from archive.models import ArchivedRecord
from archive.records import (
    OUTCOMES,
    RecordDocuments,
    RecordIndex,
    canonical_json,
    fold,
    get_record,
    put_record,
)
from archive.s3 import S3Store
from archive.store import BlobStore, FolderStore, blob_key, check_key

__all__ = [
    "OUTCOMES", "ArchiveError", "ArchivedRecord", "BlobCorrupted", "BlobNotFound",
    "BlobStore", "FolderStore", "InvalidKey", "RecordConflict", "RecordDocuments",
    "RecordIndex", "RecordNotFound", "StoreUnavailable", "blob_key", "canonical_json",
    "check_key", "fold", "get_record", "put_record",
]
__all__ += ["S3Store"]
