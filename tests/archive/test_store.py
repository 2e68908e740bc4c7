"""The folder blob store: keyed by content, written once, checked on every read."""

from __future__ import annotations

import hashlib
import os
import stat

import pytest

from archive import BlobCorrupted, BlobNotFound, FolderStore, InvalidKey, StoreUnavailable


@pytest.fixture
def store(tmp_path):
    return FolderStore(tmp_path / "blobs")


def test_put_then_get(store):
    key = store.put(b"%PDF-1.7 final")
    assert key == hashlib.sha256(b"%PDF-1.7 final").hexdigest()
    assert store.get(key) == b"%PDF-1.7 final"
    assert store.exists(key)
    path = store.path(key)
    assert path.parent.parent.name == key[:2] and path.parent.name == key[2:4]
    assert stat.S_IMODE(path.stat().st_mode) == 0o440  # read-only: blobs are never changed


def test_putting_the_same_bytes_again_changes_nothing(store):
    key = store.put(b"same")
    before = store.path(key).stat()
    assert store.put(b"same") == key
    after = store.path(key).stat()
    assert (before.st_ino, before.st_mtime_ns) == (after.st_ino, after.st_mtime_ns)


def test_no_temporary_file_is_left_behind(store):
    key = store.put(b"x" * 100_000)
    assert [p.name for p in store.path(key).parent.iterdir()] == [key]


def test_a_changed_blob_is_reported_not_served(store):
    key = store.put(b"the original bytes")
    path = store.path(key)
    os.chmod(path, 0o640)
    path.write_bytes(b"the original byteS")
    with pytest.raises(BlobCorrupted) as caught:
        store.get(key)
    assert caught.value.key == key and caught.value.actual != key


def test_unknown_blob(store):
    with pytest.raises(BlobNotFound):
        store.get("0" * 64)


@pytest.mark.parametrize("key", ["../../etc/passwd", "a" * 63, "A" * 64, "0" * 63 + "\0",
                                 "", "0" * 64 + "/x"])
def test_keys_that_are_not_hashes_are_refused(store, key):
    with pytest.raises(InvalidKey):
        store.get(key)
    with pytest.raises(InvalidKey):
        store.exists(key)


def test_a_store_that_cannot_be_written_is_a_clear_error(tmp_path):
    (tmp_path / "blobs").write_text("a file where the folder should be")
    with pytest.raises(StoreUnavailable, match=r"archive folder .* could not be used"):
        FolderStore(tmp_path / "blobs").put(b"x")
