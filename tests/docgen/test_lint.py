"""Every lint rule has a plan that fires it and the sample plan, which does not."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from docgen import RULES, Severity, lint, plan_from_data


def _set(path: str, value: Any) -> Callable[[dict], None]:
    def change(data: dict) -> None:
        *parents, last = path.split(".")
        node = data
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        if value is _DELETE:
            del node[int(last) if last.isdigit() else last]
        else:
            node[int(last) if last.isdigit() else last] = value
    return change


_DELETE = object()

# code -> (change to the sample plan, field path expected, words expected in the message)
CASES: dict[str, tuple[Callable[[dict], None], str, str]] = {
    "PIP101": (_set("timeline.length_days", 21), "timeline.length_days", "lasts 21 days"),
    "PIP102": (_set("timeline.review_dates", ["2027-03-01"]), "timeline.review_dates[0]",
               "outside the plan period"),
    "PIP103": (_set("timeline.review_every_days", 90), "timeline.review_dates",
               "no review before the final one"),
    "PIP201": (_set("goals", []), "goals", "no goals"),
    "PIP202": (_set("goals.0.statement", "Do better with customers."), "goals[0].statement",
               '"do better" is vague'),
    "PIP203": (_set("goals.0.metric", _DELETE), "goals[0].metric", "no metric"),
    "PIP204": (_set("goals.0.target", _DELETE), "goals[0].target", "no target"),
    "PIP205": (_set("goals.0.target", "Much faster responses"), "goals[0].target",
               "holds no number"),
    "PIP206": (_set("goals.0.due", _DELETE), "goals[0].due", "no due date"),
    "PIP207": (_set("goals.0.due", "2027-03-15"), "goals[0].due",
               "2027-03-15 is outside the plan period 2026-12-01 to 2027-01-30"),
    "PIP208": (_set("goals.0.milestones", []), "goals[0].milestones", "no milestones"),
    "PIP209": (_set("goals.0.milestones.1.due", "2027-02-20"), "goals[0].milestones[1].due",
               "outside the plan period"),
    "PIP210": (_set("goals.0.area", "Attitude"), "goals[0].area",
               "not the title of any area"),
    "PIP211": (_set("goals.0.metric", "Manager's judgement of response quality"),
               "goals[0].metric", "\"manager's judgement\" makes the metric an opinion"),
    "PIP301": (lambda d: (d.update(areas=[]), d["goals"][0].pop("area")), "areas",
               "no area for improvement"),
    "PIP302": (_set("areas.0.evidence", []), "areas[0].evidence", "has no evidence"),
    "PIP303": (_set("areas.0.evidence.0.fact", "Lazy about the queue on 3 October."),
               "areas[0].evidence[0].fact", '"lazy" is a subjective label'),
    "PIP304": (lambda d: [d["areas"][0]["evidence"][0].pop(k) for k in ("date", "source")],
               "areas[0].evidence[0]", "neither a date nor a source"),
    "PIP305": (_set("performance_history.start", "2026-11-01"), "performance_history.start",
               "covers 29 days"),
    "PIP401": (_set("support", []), "support", "commits no support"),
    "PIP501": (_set("checkins", _DELETE), "checkins", "no check-ins"),
    "PIP502": (_set("checkins.cadence", "monthly"), "checkins.cadence",
               "28 days pass without a check-in between 2026-12-08 and 2027-01-05"),
    "PIP503": (lambda d: [d["checkins"].pop(k) for k in ("location", "video_link")],
               "checkins.location", "say where check-ins happen"),
    "PIP504": (_set("checkins.skip", ["2026-12-23"]), "checkins.skip[0]",
               "2026-12-23 is not a check-in day of this plan"),
    "PIP601": (_set("outcomes.extension", ""), "outcomes.extension", "describe this possible"),
}


def test_every_rule_has_a_case():
    assert set(CASES) == set(RULES)


def test_the_sample_plan_is_clean(plan_data):
    assert lint(plan_from_data(plan_data)) == []


@pytest.mark.parametrize("code", sorted(CASES))
def test_rule_stays_quiet_on_the_examples(code):
    from docgen import load_plan
    from tests.conftest import EXAMPLES

    for example in EXAMPLES:
        assert code not in {f.code for f in lint(load_plan(example))}, example.name


@pytest.mark.parametrize("code", sorted(CASES))
def test_rule_fires(code, plan_data):
    change, path, words = CASES[code]
    change(plan_data)
    findings = [f for f in lint(plan_from_data(plan_data)) if f.code == code]
    assert findings, f"{code} did not fire"
    assert findings[0].path == path
    assert words in findings[0].message
    assert findings[0].severity is RULES[code].severity


@pytest.mark.parametrize("length, fires", [(29, True), (30, False), (90, False), (91, True)])
def test_plan_length_bounds(plan_data, length, fires):
    plan_data["timeline"]["length_days"] = length
    plan_data["goals"][0]["due"] = "2026-12-30"
    plan_data["goals"][0]["milestones"] = plan_data["goals"][0]["milestones"][:1]
    codes = {f.code for f in lint(plan_from_data(plan_data))}
    assert ("PIP101" in codes) is fires


def test_biweekly_check_ins_of_exactly_two_weeks_pass(plan_data):
    plan_data["checkins"]["cadence"] = "biweekly"
    plan_data["timeline"] = {"start": "2026-12-01", "end": "2027-01-05"}
    plan_data["goals"][0]["due"] = "2027-01-05"
    codes = {f.code for f in lint(plan_from_data(plan_data))}
    assert "PIP502" not in codes


def test_skipped_check_ins_can_open_a_gap(plan_data):
    plan_data["checkins"]["skip"] = ["2026-12-22", "2026-12-29"]
    found = [f for f in lint(plan_from_data(plan_data)) if f.code == "PIP502"]
    assert "21 days pass without a check-in between 2026-12-15 and 2027-01-05" in found[0].message


def test_phrases_match_whole_words_only(plan_data):
    plan_data["goals"][0]["statement"] = "Resolve 95% of tickets; do better-than-target work."
    plan_data["areas"][0]["evidence"][0]["fact"] = "Blazy Ltd escalated 3 tickets (carelessly?)."
    codes = {f.code for f in lint(plan_from_data(plan_data))}
    assert "PIP202" in codes  # "do better" stands there as words
    assert "PIP303" not in codes  # "lazy" and "careless" do not


def test_factual_words_that_sound_negative_are_not_labels(plan_data):
    plan_data["areas"][0]["evidence"][0]["fact"] = (
        "4 negative customer reviews in October after a difficult escalation (ticket 48213).")
    assert "PIP303" not in {f.code for f in lint(plan_from_data(plan_data))}


def test_errors_come_before_warnings(plan_data):
    plan_data["support"] = []
    plan_data["goals"][0]["milestones"] = []
    severities = [f.severity for f in lint(plan_from_data(plan_data))]
    assert severities == [Severity.ERROR, Severity.WARNING]


@pytest.mark.parametrize("field, text", [
    ("performance_history.summary", "Has shown a bad attitude towards the queue since June."),
    ("performance_history.entries.1.note", "Lazy about first responses in October."),
])
def test_subjective_labels_in_the_history_are_flagged_by_the_evidence_rule(plan_data, field,
                                                                          text):
    _set(field, text)(plan_data)
    found = [f for f in lint(plan_from_data(plan_data)) if f.code == "PIP303"]
    path = field.replace(".1.", "[1].")
    assert [(f.path, f.severity) for f in found] == [(path, Severity.ERROR)]
    assert "is a subjective label" in found[0].message


@pytest.mark.parametrize("field, text, phrase", [
    ("metric", "Manager opinion of ticket quality", "manager opinion"),
    ("metric", "How the manager feels about the answers", "how the manager feels"),
    ("metric", "Subjective assessment by the team lead", "subjective assessment"),
    ("target", "To the manager's satisfaction", "to the manager's satisfaction"),
])
def test_opinions_as_measures_are_errors(plan_data, field, text, phrase):
    plan_data["goals"][0][field] = text
    found = [f for f in lint(plan_from_data(plan_data)) if f.code == "PIP211"]
    assert [f.path for f in found] == [f"goals[0].{field}"]
    assert found[0].message.startswith(f'"{phrase}" makes the {field} an opinion')


@pytest.mark.parametrize("metric", [
    "CSAT: share of surveyed customers who feel their issue was resolved",
    "Perceived quality score from the quarterly client survey",
    "Sense of ownership index from the annual engagement survey",
])
def test_survey_measures_are_not_opinions(plan_data, metric):
    plan_data["goals"][0]["metric"] = metric
    assert "PIP211" not in {f.code for f in lint(plan_from_data(plan_data))}


def test_counted_measures_are_not_opinions(plan_data):
    plan_data["goals"][0]["metric"] = "Customer feedback score (CSAT) from the monthly survey"
    plan_data["goals"][0]["target"] = "4.5 or more, with 90% feeling-free wording checks"
    assert "PIP211" not in {f.code for f in lint(plan_from_data(plan_data))}
