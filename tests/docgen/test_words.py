"""Every sentence docgen tells a person about a plan (a lint finding, a problem with the
data) is worded for translation (docgen.words.Words): its message id is in the console's
catalog, and its English, for the command line and the API, is the sentence filled in."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from docgen import lint_data
from docgen.words import Words
from tests.conftest import EXAMPLES

CATALOG = Path(__file__).parents[2] / "signing" / "translations" / "messages.pot"
# Values of every wrong kind HR can type or an import can hold.
BAD_VALUES = ([1], {"a": 1}, 3, -5, "x", True, None, "", "2026-13-01", 1.5, "a" * 12_000,
              [None] * 60, "10:99", "not an address")


@pytest.fixture(scope="module")
def msgids() -> set[str]:
    with CATALOG.open("rb") as f:
        return {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(f) if m.id}


def _leaves(data, path=()):
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _leaves(value, (*path, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from _leaves(value, (*path, i))
    if path:
        yield path


def _replaced(data, path, value):
    changed = copy.deepcopy(data)
    here = changed
    for key in path[:-1]:
        here = here[key]
    here[path[-1]] = value
    return changed


def test_every_problem_and_finding_is_worded_and_in_the_catalog(plan_data, msgids):
    seen: set[str] = set()
    for path in list(_leaves(plan_data)):
        for value in BAD_VALUES:
            checked = lint_data(_replaced(plan_data, path, value))
            for message in [p.message for p in checked.problems] + [
                    f.message for f in checked.findings]:
                assert isinstance(message, Words), (path, value, message)
                assert message.msgid in msgids, message.msgid
                seen.add(message.msgid)
    assert len(seen) > 25  # the probe reaches many kinds, not just one


def test_the_examples_findings_and_a_words_english(msgids):
    import yaml
    data = yaml.safe_load(EXAMPLES[0].read_text())
    data["goals"][0]["metric"] = "Manager opinion of tone"
    [finding] = [f for f in lint_data(data).findings if f.code == "PIP211"]
    assert str(finding.message) == (
        '"manager opinion" makes the metric an opinion; name something that can be counted '
        "or checked by anyone, such as a figure from a report")
    assert finding.message.values == {"phrase": "manager opinion"}
    assert finding.message.msgid in msgids
