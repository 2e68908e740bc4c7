# ruff: noqa: F811
# (the S3 fixtures, aws_env and endpoint, come from s3kit and are taken by name)
"""The S3 blob store, against moto's S3 in server mode on 127.0.0.1: real HTTP, real boto3.

Nothing here reaches beyond this machine: every client has an explicit 127.0.0.1 endpoint
and a guard that fails any request to another host, the AWS_* variables are dummies, no
AWS config file is read, and the instance metadata service is switched off.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import socket

import pytest
from botocore.stub import Stubber

from archive import (
    BlobCorrupted,
    BlobNotFound,
    FolderStore,
    InvalidKey,
    RecordConflict,
    RecordDocuments,
    RecordIndex,
    S3Store,
    StoreUnavailable,
    blob_key,
    get_record,
    put_record,
)
from config import SettingsError, load_settings
from signing import instance
from tests.archive.s3kit import (  # noqa: F401 - aws_env and endpoint are fixtures
    BUCKET,
    KEY_ID,
    NOW,
    SECRET,
    VERSIONED,
    aws_env,
    endpoint,
    guard,
    raw_client,
    start_server,
)


def make_store(url: str, bucket: str = BUCKET, **options) -> S3Store:
    options = {"prefix": "blobs/", "region": "us-east-1", "access_key_id": KEY_ID,
               "secret_access_key": SECRET, "connect_timeout": 1, "read_timeout": 2,
               "max_attempts": 1, **options}
    store = S3Store(bucket, endpoint_url=url, **options)
    guard(store.client)
    return store


@pytest.fixture
def store(endpoint) -> S3Store:
    return make_store(endpoint)


@pytest.fixture
def bucket(endpoint):
    return raw_client(endpoint)


def record_requests(store: S3Store) -> list:
    """Every request the store's client sends from now on: (operation, headers, status)."""
    sent: list = []

    def before_send(request, **_):
        headers = {k: v.decode() if isinstance(v, bytes) else v
                   for k, v in request.headers.items()}
        sent.append([request.method, headers, None])

    def before_parse(response_dict, **_):
        sent[-1][2] = response_dict["status_code"]

    store.client.meta.events.register("before-send", before_send)
    store.client.meta.events.register("before-parse", before_parse)
    return sent


def test_put_then_get(store, bucket):
    data = b"%PDF-1.7 final"
    key = store.put(data)
    assert key == hashlib.sha256(data).hexdigest()
    assert store.get(key) == data
    assert store.exists(key)
    name = f"blobs/{key[:2]}/{key[2:4]}/{key}"  # the folder store's layout, under the prefix
    assert store.object_key(key) == name
    head = bucket.head_object(Bucket=BUCKET, Key=name, ChecksumMode="ENABLED")
    assert head["ContentLength"] == len(data)
    assert head["ChecksumSHA256"] == base64.b64encode(hashlib.sha256(data).digest()).decode()


def test_an_upload_carries_its_hashes_and_is_written_only_if_absent(store):
    data = b"%PDF-1.7 with hashes " + bytes(range(256)) * 40
    sent = record_requests(store)
    store.put(data)
    [(method, headers, status)] = sent
    assert method == "PUT" and status == 200
    assert headers["If-None-Match"] == "*"
    assert headers["x-amz-checksum-sha256"] == base64.b64encode(
        hashlib.sha256(data).digest()).decode()
    assert headers["Content-MD5"] == base64.b64encode(hashlib.md5(data).digest()).decode()


def test_putting_the_same_bytes_again_writes_nothing(endpoint, bucket):
    store = make_store(endpoint, VERSIONED)
    key = store.put(b"same bytes")
    name = store.object_key(key)
    before = bucket.head_object(Bucket=VERSIONED, Key=name)
    sent = record_requests(store)
    assert store.put(b"same bytes") == key
    # The service refused the conditional write (412): the object stands as it was.
    assert [(method, status) for method, _, status in sent] == [("PUT", 412)]
    versions = bucket.list_object_versions(Bucket=VERSIONED, Prefix=name)["Versions"]
    assert len(versions) == 1
    after = bucket.head_object(Bucket=VERSIONED, Key=name)
    assert (after["ETag"], after["VersionId"], after["LastModified"]) == (
        before["ETag"], before["VersionId"], before["LastModified"])


def test_a_changed_blob_is_reported_not_served(store, bucket):
    key = store.put(b"the original bytes")
    bucket.put_object(Bucket=BUCKET, Key=store.object_key(key), Body=b"the original byteS")
    with pytest.raises(BlobCorrupted) as caught:
        store.get(key)
    assert caught.value.key == key
    assert caught.value.actual == blob_key(b"the original byteS")


def test_unknown_blob(store):
    with pytest.raises(BlobNotFound):
        store.get("0" * 64)
    assert not store.exists("0" * 64)


def test_delete(store):
    key = store.put(b"past its retention period")
    store.delete(key)
    assert not store.exists(key)
    with pytest.raises(BlobNotFound):
        store.get(key)
    store.delete(key)  # deleting what is gone is fine


@pytest.mark.parametrize("key", ["../x", "../../etc/passwd", "a" * 63, "A" * 64,
                                 "0" * 63 + "\0", "", "0" * 64 + "/x", "g" * 64, None])
def test_keys_that_are_not_hashes_are_refused_before_any_request(store, key):
    sent = record_requests(store)
    for call in (store.get, store.exists, store.delete, store.object_key):
        with pytest.raises(InvalidKey):
            call(key)
    assert sent == []


@pytest.mark.parametrize("prefix, expected", [("", ""), ("plansign", "plansign/"),
                                              ("/plansign/archive/", "plansign/archive/")])
def test_prefix(endpoint, prefix, expected):
    store = make_store(endpoint, prefix=prefix)
    key = store.put(b"prefixed " + prefix.encode())
    assert store.object_key(key) == f"{expected}{key[:2]}/{key[2:4]}/{key}"
    assert store.get(key) == b"prefixed " + prefix.encode()


def test_a_bucket_that_does_not_exist(endpoint):
    store = make_store(endpoint, "no-such-bucket")
    for call, arg in ((store.put, b"x"), (store.get, "0" * 64)):
        with pytest.raises(StoreUnavailable, match=r"'no-such-bucket'.* does not exist: "
                                                   r"check archive_s3_bucket"):
            call(arg)


def test_a_store_that_is_down_is_a_clear_error(aws_env):
    server, url = start_server()
    raw_client(url).create_bucket(Bucket=BUCKET)
    store = make_store(url, max_attempts=2)
    key = store.put(b"written before the outage")
    server.stop()
    for call, arg in ((store.put, b"x"), (store.get, key), (store.exists, key),
                      (store.delete, key)):
        with pytest.raises(StoreUnavailable) as caught:
            call(arg)
        message = str(caught.value)
        assert message.startswith(f"could not connect to the archive's bucket {BUCKET!r} "
                                  f"at {url}")
        assert "check archive_s3_endpoint_url" in message and "Traceback" not in message


def test_a_store_that_does_not_answer_times_out(aws_env):
    with socket.socket() as silent:  # accepts connections (the backlog), never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}"
        store = make_store(url, read_timeout=0.3, max_attempts=1)
        # The read_timeout given is the client's, not the store's default (30 s); the
        # time it takes is no business of a pass/fail test.
        assert store.client.meta.config.read_timeout == 0.3
        with pytest.raises(StoreUnavailable, match="did not answer in time"):
            store.get("0" * 64)


def test_no_credentials_anywhere(endpoint, monkeypatch):
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    store = make_store(endpoint, access_key_id=None, secret_access_key=None)
    with pytest.raises(StoreUnavailable, match=r"no credentials for the archive's bucket .*"
                                               r"PLANSIGN_ARCHIVE_S3_SECRET_ACCESS_KEY"):
        store.put(b"x")


def test_boto3_default_credentials_are_used_when_none_are_given(endpoint):
    store = make_store(endpoint, access_key_id=None, secret_access_key=None)
    key = store.put(b"with the AWS_* credentials")
    assert store.get(key) == b"with the AWS_* credentials"


# What real services answer and moto does not (it neither checks the upload's checksum nor
# refuses access): the store's client stubbed with those answers.

def stubbed(endpoint) -> tuple[S3Store, Stubber]:
    store = make_store(endpoint)
    stubber = Stubber(store.client)
    stubber.activate()
    return store, stubber


def test_an_upload_the_service_finds_damaged_is_refused_clearly(endpoint):
    store, stubber = stubbed(endpoint)
    stubber.add_client_error("put_object", "BadDigest", "The SHA256 you specified did not "
                             "match the calculated checksum.", http_status_code=400)
    with pytest.raises(StoreUnavailable, match=r"reached it damaged .* nothing was stored"):
        store.put(b"bytes damaged on the way")
    stubber.assert_no_pending_responses()


def test_a_service_without_conditional_writes_is_written_by_looking_first(endpoint):
    store, stubber = stubbed(endpoint)
    data = b"for a service that has no If-None-Match"
    key, name = blob_key(data), store.object_key(blob_key(data))
    stubber.add_client_error("put_object", "NotImplemented", "A header you provided implies "
                             "functionality that is not implemented", http_status_code=501)
    stubber.add_client_error("head_object", "404", "Not Found", http_status_code=404)
    stubber.add_response("put_object", {}, {
        "Bucket": BUCKET, "Key": name, "Body": data, "ContentType": "application/octet-stream",
        "ChecksumAlgorithm": "SHA256",
        "ChecksumSHA256": base64.b64encode(hashlib.sha256(data).digest()).decode(),
        "ContentMD5": base64.b64encode(hashlib.md5(data).digest()).decode()})
    assert store.put(data) == key
    assert store.conditional_writes is False
    stubber.add_response("head_object", {}, {"Bucket": BUCKET, "Key": name})
    assert store.put(data) == key  # there already: not written again
    stubber.assert_no_pending_responses()


def test_a_concurrent_write_of_the_same_blob(endpoint):
    store, stubber = stubbed(endpoint)
    stubber.add_client_error("put_object", "ConditionalRequestConflict", "conflict",
                             http_status_code=409)
    stubber.add_response("head_object", {})
    assert store.put(b"written by two workers at once") == blob_key(b"written by two workers "
                                                                    b"at once")
    stubber.assert_no_pending_responses()


@pytest.mark.parametrize("code, status, expected", [
    ("AccessDenied", 403, r"refused to let plansign read a blob \(AccessDenied, HTTP 403\): "
                          r"check the credentials"),
    ("InvalidAccessKeyId", 403, "check the credentials"),
    ("SlowDown", 503, r"not available just now \(SlowDown, HTTP 503\).*try again later"),
    ("InternalError", 500, "not available just now"),
    ("PermanentRedirect", 301, "in another region .*check archive_s3_region"),
])
def test_refusals_are_explained(endpoint, code, status, expected):
    store, stubber = stubbed(endpoint)
    stubber.add_client_error("get_object", code, "refused", http_status_code=status)
    with pytest.raises(StoreUnavailable, match=expected) as caught:
        store.get("0" * 64)
    assert f"bucket {BUCKET!r}" in str(caught.value) and SECRET not in str(caught.value)


# A drop-in for the folder store: an envelope's record archived in the bucket.


def test_an_envelope_record_archived_in_s3(sessions, store):
    index = RecordIndex(envelope_id="env-s3", plan_id="PIP-2027-0112-CS",
                        employee_name="Léa Brändli", employee_id="E-1042",
                        manager_name="Jürg Baumann", department="Customer Care",
                        outcome="acknowledged", sent_at=NOW - dt.timedelta(days=2),
                        completed_at=NOW)
    documents = RecordDocuments(original_pdf=b"%PDF original (s3)", final_pdf=b"%PDF final (s3)",
                                plan_data={"employee": {"name": "Léa Brändli"}},
                                audit_trail=[{"seq": 1, "type": "envelope.created",
                                              "at": NOW.isoformat()}])
    for _ in range(2):  # archiving again changes nothing
        with sessions.begin() as session:
            put_record(session, store, index, documents, now=NOW)
    with sessions() as session:
        row = get_record(session, "env-s3")
        assert store.get(row.original_sha256) == b"%PDF original (s3)"
        assert store.get(row.final_sha256) == b"%PDF final (s3)"
        assert json.loads(store.get(row.plan_sha256)) == documents.plan_data
        assert json.loads(store.get(row.audit_sha256)) == documents.audit_trail
    other = RecordDocuments(documents.original_pdf, b"%PDF another final", documents.plan_data,
                            documents.audit_trail)
    with pytest.raises(RecordConflict), sessions.begin() as session:
        put_record(session, store, index, other, now=NOW)


# Chosen by settings.

def s3_settings(endpoint, tmp_path, **more):
    env = {"PLANSIGN_INSTANCE_PATH": str(tmp_path / "instance"),
           "PLANSIGN_ARCHIVE_BACKEND": "s3", "PLANSIGN_ARCHIVE_S3_BUCKET": BUCKET,
           "PLANSIGN_ARCHIVE_S3_PREFIX": "from-settings", "PLANSIGN_ARCHIVE_S3_ENDPOINT_URL":
           endpoint, "PLANSIGN_ARCHIVE_S3_REGION": "us-east-1",
           "PLANSIGN_ARCHIVE_S3_ACCESS_KEY_ID": KEY_ID,
           "PLANSIGN_ARCHIVE_S3_SECRET_ACCESS_KEY": SECRET,
           "PLANSIGN_ARCHIVE_S3_MAX_ATTEMPTS": "1", "PLANSIGN_ARCHIVE_S3_CONNECT_TIMEOUT": "1",
           "PLANSIGN_ARCHIVE_S3_PATH_STYLE": "true"}
    env.update(more)
    return load_settings({k: v for k, v in env.items() if v is not None})


def test_settings_choose_the_s3_store(endpoint, bucket, tmp_path):
    store = instance.blob_store(s3_settings(endpoint, tmp_path))
    assert isinstance(store, S3Store)
    guard(store.client)
    assert (store.bucket, store.prefix, store.endpoint_url) == (BUCKET, "from-settings/",
                                                               endpoint)
    config = store.client.meta.config
    assert (config.connect_timeout, config.read_timeout) == (1.0, 30.0)
    assert config.retries["total_max_attempts"] == 1
    key = store.put(b"archived through the settings")
    assert store.get(key) == b"archived through the settings"
    assert bucket.head_object(Bucket=BUCKET, Key=f"from-settings/{key[:2]}/{key[2:4]}/{key}")
    assert SECRET not in repr(store)


def test_the_folder_store_is_the_default(tmp_path):
    store = instance.blob_store(load_settings({"PLANSIGN_INSTANCE_PATH": str(tmp_path)}))
    assert isinstance(store, FolderStore) and store.root == tmp_path / "archive"


@pytest.mark.parametrize("more, setting, message", [
    ({"PLANSIGN_ARCHIVE_S3_BUCKET": ""}, "archive_s3_bucket",
     "archive_backend is s3 but no bucket is set: set archive_s3_bucket"),
    ({"PLANSIGN_ARCHIVE_BACKEND": "gcs"}, "archive_backend",
     "archive_backend is 'gcs'; choose folder"),
    ({"PLANSIGN_ARCHIVE_S3_SECRET_ACCESS_KEY": None}, "archive_s3_secret_access_key",
     "archive_s3_secret_access_key is not set: set both"),
    ({"PLANSIGN_ARCHIVE_S3_ACCESS_KEY_ID": ""}, "archive_s3_access_key_id",
     "archive_s3_access_key_id is not set: set both"),
])
def test_settings_that_cannot_work_name_the_setting(endpoint, tmp_path, more, setting, message):
    with pytest.raises(SettingsError, match=message) as caught:
        instance.blob_store(s3_settings(endpoint, tmp_path, **more))
    assert caught.value.name == setting
