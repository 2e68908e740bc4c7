"""moto's S3 in server mode on 127.0.0.1 for the tests that keep an archive in S3
(tests/archive/test_s3.py, the purge's crash tests): dummy credentials, two buckets, and a
guard that fails any request to another host."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from urllib.parse import urlsplit

import boto3
import pytest
from botocore.config import Config
from moto.server import ThreadedMotoServer

BUCKET = "plansign-archive"
VERSIONED = "plansign-versioned"
KEY_ID, SECRET = "test-key-id", "test-secret-not-real"
NOW = dt.datetime(2027, 2, 10, 17, 0, tzinfo=dt.UTC)


def guard(client):
    """Fail any request this client makes to a host other than 127.0.0.1."""

    def check(request, **_):
        host = urlsplit(request.url).hostname
        assert host == "127.0.0.1", f"a test tried to reach {request.url}"

    client.meta.events.register_first("before-send", check)
    return client


@pytest.fixture(scope="module")
def aws_env(tmp_path_factory) -> Iterator[None]:
    """Dummy credentials, no profile or config file, no metadata service, no proxy."""
    nowhere = tmp_path_factory.mktemp("aws") / "none"
    with pytest.MonkeyPatch.context() as mp:
        for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN",
                     "AWS_SECURITY_TOKEN", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3",
                     "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
                     "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_WEB_IDENTITY_TOKEN_FILE",
                     "AWS_ROLE_ARN", "HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy",
                     "ALL_PROXY", "all_proxy"):
            mp.delenv(name, raising=False)
        mp.setenv("AWS_ACCESS_KEY_ID", KEY_ID)
        mp.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
        mp.setenv("AWS_DEFAULT_REGION", "us-east-1")
        mp.setenv("AWS_CONFIG_FILE", str(nowhere))
        mp.setenv("AWS_SHARED_CREDENTIALS_FILE", str(nowhere))
        mp.setenv("AWS_EC2_METADATA_DISABLED", "true")
        mp.setenv("NO_PROXY", "127.0.0.1")
        yield


def start_server() -> tuple[ThreadedMotoServer, str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    return server, f"http://{host}:{port}"


@pytest.fixture(scope="module")
def endpoint(aws_env) -> Iterator[str]:
    """moto's S3 on a free port of 127.0.0.1, for this module, with its two buckets."""
    server, url = start_server()
    client = raw_client(url)
    client.create_bucket(Bucket=BUCKET)
    client.create_bucket(Bucket=VERSIONED)
    client.put_bucket_versioning(Bucket=VERSIONED,
                                 VersioningConfiguration={"Status": "Enabled"})
    yield url
    server.stop()


def raw_client(url: str):
    """A plain boto3 client, to look at (and tamper with) the bucket behind the store."""
    return guard(boto3.client("s3", endpoint_url=url, region_name="us-east-1",
                              aws_access_key_id=KEY_ID, aws_secret_access_key=SECRET,
                              config=Config(retries={"total_max_attempts": 1})))
