"""The archive: a write-once blob store keyed by SHA-256, and the index of archived plans.

Imports nothing of ours but the shared database base.
"""

from archive.access import Reader, access_log, log_access
from archive.bundle import describe, export_bundle, record_bundle
from archive.errors import (
    ArchiveError,
    BlobCorrupted,
    BlobNotFound,
    InvalidKey,
    NoCaseFile,
    RecordConflict,
    RecordNotFound,
    StoreUnavailable,
)
from archive.models import AccessEntry, ArchivedRecord, LegalHold, RecordVersion, Tombstone
from archive.records import (
    OUTCOMES,
    RecordDocuments,
    RecordIndex,
    canonical_json,
    fold,
    get_record,
    put_record,
)
from archive.retention import (
    HOLD_SCOPES,
    HoldError,
    HoldNotFound,
    PurgePlan,
    describe_hold,
    hold_value_problem,
    holds_over,
    legal_holds,
    lift_hold,
    place_group_hold,
    place_hold,
    purge,
    reason_problem,
    records_held,
    release_group_hold,
)
from archive.retention_rules import (
    AppliedRetention,
    RetentionPolicy,
    RetentionRule,
    RetentionRulesError,
    parse_rules,
)
from archive.s3 import S3Store
from archive.search import InvalidQuery, Page, SearchQuery, search
from archive.store import BlobStore, FolderStore, blob_key, check_key

__all__ = [
    "HOLD_SCOPES",
    "OUTCOMES",
    "AccessEntry",
    "AppliedRetention",
    "ArchiveError",
    "ArchivedRecord",
    "BlobCorrupted",
    "BlobNotFound",
    "BlobStore",
    "FolderStore",
    "HoldError",
    "HoldNotFound",
    "InvalidKey",
    "InvalidQuery",
    "LegalHold",
    "NoCaseFile",
    "Page",
    "PurgePlan",
    "Reader",
    "RecordConflict",
    "RecordDocuments",
    "RecordIndex",
    "RecordNotFound",
    "RecordVersion",
    "RetentionPolicy",
    "RetentionRule",
    "RetentionRulesError",
    "S3Store",
    "SearchQuery",
    "StoreUnavailable",
    "Tombstone",
    "access_log",
    "blob_key",
    "canonical_json",
    "check_key",
    "describe",
    "describe_hold",
    "export_bundle",
    "fold",
    "get_record",
    "hold_value_problem",
    "holds_over",
    "legal_holds",
    "lift_hold",
    "log_access",
    "parse_rules",
    "place_group_hold",
    "place_hold",
    "purge",
    "put_record",
    "reason_problem",
    "record_bundle",
    "records_held",
    "release_group_hold",
    "search",
]
