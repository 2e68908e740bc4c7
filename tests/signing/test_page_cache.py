"""The signer's page is kept, rendered, between visits (signing.web.pagecache), and never
shown from a state other than the one the request read: not after another web process
recorded an action or a comment, not once a comment window has closed; and each showing
still gets its own submission id and the session's CSRF token."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from signing.web import pagecache, pages
from signing.web.app import create_app
from signing.web.cache import BoundedCache
from tests.signing.signer_pages import SignerPages, csrf


def make_app(tmp_path, database_url):
    return create_app({"instance_path": str(tmp_path), "database_url": database_url,
                       "secret_keys": "k" * 40})


@pytest.fixture
def app(tmp_path, database_url):
    return make_app(tmp_path, database_url)


@pytest.fixture
def other_app(tmp_path, database_url, app):
    """A second web process on the same database, with its own caches."""
    return make_app(tmp_path, database_url)


def submission(page: str) -> str:
    return re.search(r'name="submission" value="([^"]+)"', page).group(1)


def test_a_kept_page_shows_what_another_process_recorded(app, other_app, signer, sessions):
    first = signer.open()
    again = signer.client.get("/sign").get_data(as_text=True)
    assert submission(again) != submission(first)  # each showing its own
    assert csrf(again) == csrf(first)  # the session's token
    assert first.replace(submission(first), "") == again.replace(submission(again), "")

    elsewhere = SignerPages(other_app, other_app.test_client(), sessions)
    elsewhere.envelope_id = signer.envelope_id
    elsewhere.open_as("employee")
    elsewhere.comment("Written in another tab, served by another process.")
    page = signer.client.get("/sign").get_data(as_text=True)
    assert "Written in another tab, served by another process." in page
    assert "Acknowledge the plan" in page

    elsewhere.acknowledge("Alex Sample")
    page = signer.client.get("/sign").get_data(as_text=True)
    assert "You acknowledged this plan" in page
    assert "Acknowledge the plan" not in page


def test_a_kept_page_drops_the_comment_window_once_it_has_closed(signer, monkeypatch):
    signer.send()
    signer.open_as("manager")
    signer.follow(signer.record_refusal("Riley Placeholder"))
    employee = signer.another()
    page = employee.open_as("employee")
    assert "You can add comments until" in page
    assert "You can add comments until" in employee.client.get("/sign").get_data(as_text=True)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=6)
    monkeypatch.setattr(pages, "_now", lambda: later)
    assert "You can add comments until" not in employee.client.get("/sign") \
        .get_data(as_text=True)


def test_a_page_with_an_unknown_notice_is_shown_but_not_kept(app, signer):
    signer.open()
    kept = len(app.extensions["plansign.pages"]._pages)
    page = signer.client.get("/sign?done=<b>made-up</b>").get_data(as_text=True)
    assert 'data-done="&lt;b&gt;made-up&lt;/b&gt;"' in page
    assert len(app.extensions["plansign.pages"]._pages) == kept


def test_filling_a_page_works_each_value_out_once_and_only_if_asked():
    cache = pagecache.PageCache(4, 10_000)
    marks = cache.markers
    html = f"<a>{marks['csrf']}</a>{marks['summary']}<b>{marks['csrf']}</b>"
    segments = cache.put(("key",), html)
    assert cache.get(("key",)) == segments
    made = []

    def token() -> str:
        made.append(1)
        return "T"

    values = {"csrf": token, "summary": lambda: "<p>plan</p>",
              "submission": lambda: pytest.fail("the page has no comment form")}
    assert pagecache.fill(segments, values) == "<a>T</a><p>plan</p><b>T</b>"
    assert made == [1]


def test_the_cache_keeps_within_its_count_and_its_weight():
    cache = BoundedCache[str, str](3, max_weight=10, weight=len)
    for key, value in [("a", "xxxx"), ("b", "xxxx"), ("c", "xx")]:
        cache.put(key, value)
    assert cache.get("a") == "xxxx"  # now the most recently used
    cache.put("d", "xxxx")  # 14 > 10: the least recently used goes first
    assert cache.get("b") is None and cache.get("a") == "xxxx" and cache.get("d") == "xxxx"
    assert cache.total_weight == 10 and len(cache) == 3
    assert cache.put("huge", "x" * 11) == "x" * 11 and cache.get("huge") is None
    cache.put("e", "x")
    assert len(cache) == 3 and cache.get("c") is None  # the count, too


def test_a_key_refuses_what_cannot_be_one():
    with pytest.raises(TypeError):
        pagecache.key_of({"form": {1, 2}})
    assert pagecache.key_of({"a": [1, {"b": [2]}]}) == pagecache.key_of({"a": [1, {"b": [2]}]})
