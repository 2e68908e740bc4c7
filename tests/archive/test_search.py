"""Searching the archive: partial, case- and accent-blind names, exact ids, outcomes and
date ranges, paging and sorting, and hostile input that finds nothing and breaks nothing."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest

from archive import FolderStore, InvalidQuery, SearchQuery, search
from database import make_engine, make_session_factory
from signing.migrations import upgrade
from tests.archive.records_data import BASE, seed

# the module, which archive's search() hides from `import archive.search`
search_module = importlib.import_module("archive.search")


@pytest.fixture
def session(database_url, tmp_path):
    engine = make_engine(database_url)
    upgrade(engine)
    sessions = make_session_factory(engine)
    with sessions.begin() as db:
        seed(db, FolderStore(tmp_path / "blobs"))
    with sessions() as db:
        yield db
    engine.dispose()


def names(session, **criteria) -> list[str]:
    return [r.employee_name for r in search(session, SearchQuery(**criteria)).records]


def test_names_match_in_part_whatever_the_case_and_accents(session):
    assert sorted(names(session, name="lea")) == ["Lea Brandt", "Léa Brändli"]
    assert names(session, name="BRÄNDLI") == ["Léa Brändli"]
    assert names(session, name="brandli") == ["Léa Brändli"]
    assert names(session, name="nunez") == ["Ángel Núñez"]
    assert names(session, name="o'neill") == ["Zoë O'Neill"]


def test_other_criteria(session):
    assert names(session, employee_id="E-5005") == ["Ivan Petrov"]
    assert names(session, employee_id="E-50") == []  # ids match exactly
    assert sorted(names(session, manager="sofia")) == ["Zoë O'Neill", "Ángel Núñez"]
    assert sorted(names(session, department="customer care")) == ["Lea Brandt", "Léa Brändli"]
    assert names(session, outcome="refused") == ["Lea Brandt"]
    assert names(session, outcome="voided") == ["50% Done_Smith"]


def test_date_ranges(session):
    start = BASE + dt.timedelta(days=30)
    found = names(session, completed_from=start, completed_to=start + dt.timedelta(days=30),
                  sort="completed_at")
    assert found == ["Lea Brandt", "Ángel Núñez"]
    assert names(session, sent_to=BASE - dt.timedelta(days=10)) == ["Léa Brändli"]


def test_paging_and_sorting(session):
    first = search(session, SearchQuery(sort="employee_name", limit=2))
    second = search(session, SearchQuery(sort="employee_name", limit=2, offset=2))
    assert first.total == second.total == 6
    assert [r.employee_name for r in first.records] == ["50% Done_Smith", "Ángel Núñez"]
    assert [r.employee_name for r in second.records] == ["Ivan Petrov", "Léa Brändli"]
    newest = search(session, SearchQuery(limit=1)).records[0]
    assert newest.employee_name == "50% Done_Smith"  # default: most recently completed


@pytest.mark.parametrize("text", ["%", "_", "%%", "\\", "' OR 1=1 --", "'; DROP TABLE "
                                  "archive_records; --", "\" OR \"\"=\"", "*"])
def test_wildcards_and_sql_metacharacters_match_only_themselves(session, text):
    found = names(session, name=text)
    assert found == (["50% Done_Smith"] if text in ("%", "_") else [])
    assert search(session, SearchQuery()).total == 6  # nothing was dropped


@pytest.mark.parametrize("criteria, field", [
    ({"name": "x" * 10_000}, "name"), ({"name": "a\0b"}, "name"), ({"name": "  "}, "name"),
    ({"outcome": "lost"}, "outcome"), ({"sort": "password"}, "sort"),
    ({"limit": 0}, "limit"), ({"limit": 10_000}, "limit"), ({"offset": -1}, "offset"),
    ({"sent_from": BASE, "sent_to": BASE - dt.timedelta(days=1)}, "sent_from"),
])
def test_bad_queries_name_their_field(criteria, field):
    with pytest.raises(InvalidQuery) as caught:
        SearchQuery(**criteria)
    assert caught.value.field == field


# -- totals that stop counting -----------------------------------------------------------
# The limits are lowered so that the six seeded records cross them: the code paths are the
# ones an archive of 100,000 takes.


@pytest.fixture
def small_limits(monkeypatch):
    """A name search lists up to 2 matches itself; counting stops past 4."""
    monkeypatch.setattr(search_module, "SELECTIVE", 2)
    monkeypatch.setattr(search_module, "COUNT_LIMIT", 4)


def test_totals_are_exact_below_the_limits(session):
    page = search(session, SearchQuery(name="lea"))
    assert (page.total, page.total_exact) == (2, True)
    page = search(session, SearchQuery())
    assert (page.total, page.total_exact) == (6, True)


def test_a_common_name_says_more_than_it_counted(session, small_limits):
    page = search(session, SearchQuery(name="l", sort="employee_name"))  # four match
    assert (page.total, page.total_exact) == (2, False)  # "more than 2"
    assert [r.employee_name for r in page.records] == [
        "Ángel Núñez", "Léa Brändli", "Lea Brandt", "Zoë O'Neill"]
    exact = search(session, SearchQuery(name="lea"))  # two: the probe found them all
    assert (exact.total, exact.total_exact) == (2, True)


def test_other_filters_count_up_to_the_count_limit(session, small_limits):
    page = search(session, SearchQuery(limit=2, offset=2))
    assert (page.total, page.total_exact) == (4, False)  # six: "more than 4"
    assert [r.employee_name for r in page.records] == ["Zoë O'Neill", "Ángel Núñez"]
    within = search(session, SearchQuery(completed_from=BASE + dt.timedelta(days=60)))
    assert (within.total, within.total_exact) == (4, True)  # exactly the limit: exact


def test_every_page_is_the_same_however_the_matches_are_found(session, monkeypatch):
    """Sorted here (few matches) or by walking the sort index (many): the same pages."""
    searches = [SearchQuery(sort=sort, limit=2, offset=offset, **criteria)
                for sort in ("completed_at", "-completed_at", "employee_name",
                             "-employee_name", "plan_id", "-sent_at")
                for criteria in ({}, {"name": "e"}, {"manager": "a"},
                                 {"outcome": "acknowledged"},
                                 {"completed_from": BASE + dt.timedelta(days=20)})
                for offset in range(0, 7, 2)]

    def pages() -> list[list[str]]:
        return [[r.envelope_id for r in search(session, query).records]
                for query in searches]

    sorted_here = pages()
    assert sum(map(len, sorted_here)) > 100
    monkeypatch.setattr(search_module, "SELECTIVE", 0)  # many: counted, then walked ...
    assert pages() == sorted_here
    monkeypatch.setattr(search_module, "COUNT_LIMIT", 0)  # ... or too many to count
    assert pages() == sorted_here
