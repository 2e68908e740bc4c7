"""Rate limits through Flask's test client, on the selected database (``--db``): the signer
pages and the API answer 429 with ``Retry-After`` once over their limit, windows end,
processes sharing PostgreSQL share the counts, and the database counter is atomic."""

from __future__ import annotations

import datetime as dt
import logging
import multiprocessing
import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest
from flask import Flask
from limits.storage import MemoryStorage, RedisStorage
from sqlalchemy import func, select, text

from config import SettingsError
from database import make_engine
from signing.domain import apikeys
from signing.domain.ratelimit_models import RateLimitRow
from signing.migrations import upgrade
from signing.web.app import create_app
from signing.web.current import services_of
from signing.web.ratecounts import FileStorage
from signing.web.ratelimit import DatabaseStorage
from tests.webhooks.sendgrid_signing import SendGridSigner, batch

TOKEN = "eyJzIjoiZmFrZS1zaWduZXIifQ.not-a-real-signature-but-long-enough"
NO_LIMITS = {"rate_limit_signer": "", "rate_limit_signer_strict": "", "rate_limit_api": "",
             "rate_limit_refused": ""}
SIGNER = SendGridSigner()


@pytest.fixture
def make_app(tmp_path, database_url, clean_env):
    """An app on this test's database with only the limits a test names."""
    def make(**limits: str) -> Flask:
        return create_app({"instance_path": str(tmp_path), "database_url": database_url,
                           "secret_keys": "k" * 40, "base_url": "https://sign.example.com",
                           "sendgrid_webhook_public_key": SIGNER.public_key,
                           **NO_LIMITS, **limits})
    return make


def key_for(app: Flask, role: str = "hr") -> dict[str, str]:
    with services_of(app).sessions.begin() as session:
        key = apikeys.create_key(session, f"{role} test", role, dt.datetime.now(dt.UTC))[1]
    return {"Authorization": f"Bearer {key}"}


def assert_too_many(response, *, window: int = 60) -> int:
    assert response.status_code == 429
    wait = int(response.headers["Retry-After"])
    assert 1 <= wait <= window
    return wait


def test_the_signer_pages_answer_a_page_asking_to_wait(make_app, caplog):
    client = make_app(rate_limit_signer="3 per minute").test_client()
    caplog.set_level(logging.INFO)
    assert [client.get(f"/s/{TOKEN}").status_code for _ in range(2)] == [403, 403]
    assert client.get("/sign").status_code == 403  # every signer page counts: the 3rd
    response = client.get(f"/s/{TOKEN}")
    assert_too_many(response)
    page = response.get_data(as_text=True)
    assert "Please wait a moment" in page and "nothing was recorded" in page
    assert response.mimetype == "text/html"
    assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert TOKEN not in page and TOKEN[:20] not in caplog.text  # nor in any log line
    assert client.get("/static/sign.css").status_code == 200  # static files are not limited


def test_opening_links_and_posting_have_the_stricter_limit(make_app):
    client = make_app(rate_limit_signer="100 per minute",
                      rate_limit_signer_strict="3 per minute").test_client()
    assert client.get(f"/s/{TOKEN}").status_code == 403
    assert client.post("/sign/acknowledge").status_code == 400  # no CSRF token
    assert client.get(f"/s/{TOKEN}x").status_code == 403
    assert_too_many(client.post("/sign/acknowledge"))
    assert_too_many(client.get(f"/s/{TOKEN}"))
    for _ in range(5):  # reading the pages is not held to the stricter limit
        assert client.get("/sign").status_code == 403


def test_the_api_answers_json_per_key(make_app):
    app = make_app(rate_limit_api="3 per minute")
    client, hr, records = app.test_client(), key_for(app), key_for(app, "records")
    for _ in range(3):
        assert client.get("/api/v1/envelopes/nope", headers=hr).status_code == 404
    response = client.get("/api/v1/envelopes/nope", headers=hr)
    assert_too_many(response)
    assert response.mimetype == "application/json"
    assert response.get_json()["error"].startswith("too many requests; try again in")
    # Another key has its own count; so do callers without a key, by address.
    assert client.get("/api/v1/envelopes/nope", headers=records).status_code == 404
    assert client.get("/api/v1/openapi.json").status_code == 200


def test_a_valid_key_refused_for_its_role_is_not_counted_as_guessing(make_app):
    app = make_app(rate_limit_refused="3 per minute")
    client, hr = app.test_client(), key_for(app, "hr")
    for _ in range(6):  # an HR key asking for the records staff's access log: 403 each time
        assert client.get("/api/v1/archive/access-log", headers=hr).status_code == 403
    assert client.get("/api/v1/openapi.json", headers=hr).status_code == 200


def test_refusals_are_limited_by_address_but_signed_webhooks_never(make_app):
    client = make_app(rate_limit_refused="3 per minute").test_client()
    body = batch({"event": "delivered", "sg_event_id": "ev-1", "email": "a@example.com",
                  "timestamp": int(time.time())})
    for _ in range(6):  # SendGrid's signed batches are never counted
        signed = SIGNER.sign(body, int(time.time()))
        assert client.post("/webhooks/sendgrid", data=body, headers=signed).status_code == 200
    wrong = {"Authorization": "Bearer psk_guessed"}
    assert client.get("/api/v1/envelopes/nope", headers=wrong).status_code == 401
    assert client.get("/api/v1/envelopes/nope").status_code == 401
    forged = SIGNER.sign(b"[]", int(time.time()))  # a signature over another body
    assert client.post("/webhooks/sendgrid", data=body, headers=forged).status_code == 403
    assert_too_many(client.get("/api/v1/openapi.json", headers=wrong))
    response = client.post("/webhooks/sendgrid", data=body,
                           headers=SIGNER.sign(body, int(time.time())))
    assert_too_many(response)  # that address is now refused even with a good signature
    assert response.get_json()["error"].startswith("too many requests")


def test_the_limit_resets_when_its_window_ends(make_app):
    # A window wide enough for three requests on a slow, shared machine.
    client = make_app(rate_limit_signer="2 per 3 second").test_client()
    assert [client.get("/sign").status_code for _ in range(2)] == [403, 403]
    assert_too_many(client.get("/sign"), window=3)
    time.sleep(3.05)
    assert client.get("/sign").status_code == 403


def test_two_apps_share_the_count_by_default(make_app):
    """Two apps (as two of serve's workers build them) count together: in the database
    on PostgreSQL, in the instance folder's counts file on SQLite."""
    first, second = make_app(rate_limit_signer="3 per minute"), make_app(
        rate_limit_signer="3 per minute")
    assert first.extensions["plansign.limiter"].storage is not second.extensions[
        "plansign.limiter"].storage
    one, two = first.test_client(), second.test_client()
    assert [one.get("/sign").status_code, two.get("/sign").status_code,
            one.get("/sign").status_code] == [403, 403, 403]
    assert_too_many(two.get("/sign"))
    assert_too_many(one.get("/sign"))


@pytest.fixture
def redis_socket(tmp_path):
    """A private Redis server (Debian's redis-server) on a Unix socket, for this test."""
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed (make test installs it)")
    socket = tmp_path / "redis.sock"
    server = subprocess.Popen(["redis-server", "--port", "0", "--unixsocket", str(socket),
                               "--save", "", "--appendonly", "no"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 10
    while not socket.exists():
        assert time.monotonic() < deadline and server.poll() is None, "redis did not start"
        time.sleep(0.05)
    yield socket
    server.terminate()
    server.wait(timeout=10)


def test_two_processes_share_the_count_in_redis(make_app, redis_socket):
    uri = f"redis+unix://{redis_socket}"
    first = make_app(rate_limit_signer="3 per minute", rate_limit_storage=uri)
    second = make_app(rate_limit_signer="3 per minute", rate_limit_storage=uri)
    assert isinstance(first.extensions["plansign.limiter"].storage, RedisStorage)
    one, two = first.test_client(), second.test_client()
    assert [one.get("/sign").status_code, two.get("/sign").status_code,
            one.get("/sign").status_code] == [403, 403, 403]
    assert_too_many(two.get("/sign"))
    assert_too_many(one.get("/sign"))


def test_the_storage_is_the_counts_file_unless_chosen(make_app):
    automatic = make_app().extensions["plansign.limiter"].storage
    assert isinstance(automatic, FileStorage)  # on either database
    chosen = make_app(rate_limit_storage="database").extensions["plansign.limiter"].storage
    assert isinstance(chosen, DatabaseStorage)  # works on SQLite too, if asked for
    assert isinstance(make_app(rate_limit_storage="file")
                      .extensions["plansign.limiter"].storage, FileStorage)  # and PostgreSQL
    assert isinstance(make_app(rate_limit_storage="memory://")
                      .extensions["plansign.limiter"].storage, MemoryStorage)
    redis = make_app(rate_limit_storage="redis://127.0.0.1:6399/0")  # connects on first use
    assert isinstance(redis.extensions["plansign.limiter"].storage, RedisStorage)


@pytest.mark.parametrize(("setting", "value"), [
    ("rate_limit_storage", "postgres"), ("rate_limit_storage", "nosuch://x"),
    ("rate_limit_storage", "plansign+file://x"),
    ("rate_limit_signer", "lots"), ("rate_limit_api", "5 per fortnight")])
def test_bad_settings_are_refused_by_name(make_app, setting, value):
    with pytest.raises(SettingsError) as info:
        make_app(**{setting: value})
    assert info.value.name == setting and repr(value) in str(info.value)


# -- the database counter itself -----------------------------------------------------------


@pytest.fixture
def engine(database_url):
    engine = make_engine(database_url)
    upgrade(engine)  # a new SQLite file is empty; PostgreSQL's copy is already migrated
    yield engine
    engine.dispose()


def test_concurrent_hits_are_each_counted_once(engine):
    """Every hit reads back its own count: no two the same, none lost."""
    storages = [DatabaseStorage(engine=engine) for _ in range(4)]  # four "processes"
    seen: list[int] = []
    barrier = threading.Barrier(8)

    def hit(storage: DatabaseStorage) -> None:
        barrier.wait()
        seen.extend(storage.incr("LIMITER/k", 60) for _ in range(25))

    threads = [threading.Thread(target=hit, args=(storages[i % 4],)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(seen) == list(range(1, 201))
    assert storages[0].get("LIMITER/k") == 200


def test_ended_windows_restart_and_are_cleaned_up(engine):
    now = [1000.0]
    storage = DatabaseStorage(engine=engine, clock=lambda: now[0])
    assert [storage.incr("a", 10) for _ in range(3)] == [1, 2, 3]
    assert storage.incr("b", 100) == 1
    assert storage.get_expiry("a") == 1010.0 and storage.get("a") == 3
    now[0] = 1010.0  # a's window has ended
    assert storage.get("a") == 0 and storage.get_expiry("a") == 1010.0
    assert storage.incr("a", 10, amount=2) == 2 and storage.get_expiry("a") == 1020.0
    now[0] = 1061.0  # a minute since the last clean-up: ended windows are deleted
    storage.incr("c", 10)
    with engine.connect() as connection:
        keys = connection.scalars(select(RateLimitRow.key).order_by(RateLimitRow.key)).all()
    assert keys == ["b", "c"]
    storage.clear("b")
    assert storage.get("b") == 0 and storage.check()
    long_key = "LIMITER/" + "x" * 400  # longer than the column: kept by its hash
    assert storage.incr(long_key, 10) == 1 and storage.get(long_key) == 1
    assert storage.reset() == 2
    with engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(RateLimitRow)) == 0


def test_a_dropped_connection_costs_no_hit(engine, db_backend):
    """The PostgreSQL counter pool pings nothing: a connection the server ended (a
    restart) is replaced, and the hit counted, on the spot."""
    if db_backend != "postgresql":
        pytest.skip("the counter pool is PostgreSQL's")
    storage = DatabaseStorage(engine=engine)
    assert storage.incr("k", 60) == 1
    with engine.connect() as connection:
        connection.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                "WHERE pid <> pg_backend_pid() AND datname = "
                                "current_database()"))
    assert storage.incr("k", 60) == 2
    storage.close()


# -- the counts file ----------------------------------------------------------------------


def test_the_counts_file_counts_windows_and_keys(tmp_path):
    now = [1000.0]
    storage = FileStorage(path=tmp_path / "counts", clock=lambda: now[0])
    assert [storage.incr("a", 10) for _ in range(3)] == [1, 2, 3]
    assert storage.incr("b", 100, amount=5) == 5
    assert storage.get("a") == 3 and storage.get_expiry("a") == 1010.0
    assert storage.get("never") == 0 and storage.get_expiry("never") == 1000.0
    now[0] = 1010.0  # a's window has ended; b's has not
    assert storage.get("a") == 0 and storage.get("b") == 5
    assert storage.incr("a", 10) == 1 and storage.get_expiry("a") == 1020.0
    storage.clear("b")
    assert storage.get("b") == 0 and storage.incr("b", 100) == 1
    again = FileStorage(path=tmp_path / "counts", clock=lambda: now[0])  # another process
    assert again.incr("a", 10) == 2
    assert storage.reset() == 2 and again.get("a") == 0 and storage.check()
    assert (tmp_path / "counts").stat().st_mode & 0o777 == 0o600


def test_a_full_neighbourhood_takes_over_the_window_ending_first(tmp_path):
    """With only four slots, five live keys: the fifth takes the slot of the key whose
    window ends first, and every other key keeps its count."""
    now = [0.0]
    storage = FileStorage(path=tmp_path / "counts", clock=lambda: now[0], slots=4)
    for n, key in enumerate("abcd"):
        assert storage.incr(key, 100 + n) == 1
    assert storage.incr("e", 60) == 1
    assert storage.get("a") == 0  # ended first: taken over
    assert [storage.get(key) for key in "bcde"] == [1, 1, 1, 1]
    now[0] = 1000.0  # every window has ended: any key finds room
    assert storage.incr("a", 10) == 1 and storage.incr("f", 10) == 1


def test_a_counts_file_of_another_layout_is_made_afresh(tmp_path):
    path = tmp_path / "counts"
    path.write_bytes(b"not a counts file")
    storage = FileStorage(path=path, slots=8)
    assert storage.incr("a", 60) == 1
    assert FileStorage(path=path, slots=16).get("a") == 0  # another size: started over


def test_processes_and_threads_hitting_the_counts_file_each_count_once(tmp_path):
    """Every hit reads back its own count, across four processes of four threads: none
    the same, none lost (the file lock serialises processes, the thread lock threads)."""
    path = str(tmp_path / "counts")
    FileStorage(path=Path(path))  # made before the processes race to make it
    context = multiprocessing.get_context("spawn")
    with context.Pool(4) as pool:
        results = pool.starmap(_threads_hammering, [(path, 4, 50)] * 4)
    seen = sorted(count for process in results for count in process)
    assert seen == list(range(1, 801))


def test_a_hit_waits_while_another_process_holds_the_counts_file(tmp_path):
    """The lock is taken without letting go of the GIL when it is free; held elsewhere
    (another open file stands for another process), the hit waits for it, then counts."""
    import fcntl
    import os

    storage = FileStorage(path=tmp_path / "counts")
    other = os.open(tmp_path / "counts", os.O_RDWR)
    fcntl.flock(other, fcntl.LOCK_EX)
    counted: list[int] = []
    hitting = threading.Thread(target=lambda: counted.append(storage.incr("k", 60)))
    hitting.start()
    hitting.join(0.3)
    assert hitting.is_alive() and counted == []  # it waits, whatever the machine's speed
    fcntl.flock(other, fcntl.LOCK_UN)
    hitting.join()
    os.close(other)
    assert counted == [1] and storage.incr("k", 60) == 2


def _threads_hammering(path: str, threads: int, hits: int) -> list[int]:
    storage = FileStorage(path=Path(path))
    seen: list[int] = []
    lock = threading.Lock()

    def hit() -> None:
        mine = [storage.incr("LIMITER/k", 60) for _ in range(hits)]
        with lock:
            seen.extend(mine)

    workers = [threading.Thread(target=hit) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return seen


def test_the_postgresql_counter_keeps_a_connection_per_app_connection(database_url,
                                                                      db_backend):
    """Each request thread counts one hit at a time: the counter keeps as many
    connections as the app's pool (sized to the worker's threads by serve), so none is
    opened and closed again hit after hit."""
    if db_backend != "postgresql":
        pytest.skip("the counter's own pool is PostgreSQL's")
    app_engine = make_engine(database_url, pool_size=8, max_overflow=4)
    storage = DatabaseStorage(engine=app_engine)
    try:
        assert storage._counter is not None and storage._counter.pool.size() == 8
    finally:
        storage.close()
        app_engine.dispose()
