"""The template context: values derived for display."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from docgen import plan_context, plan_from_data
from docgen.context import format_amount, zone_label


def test_attainment_higher_and_lower_is_better(plan_data):
    plan_data["performance_history"]["results"] = [
        {"period": "Oct", "metric": "New ARR", "target": 80000, "actual": 41200, "unit": "USD"},
        {"period": "Oct", "metric": "Median first response", "target": 4, "actual": 8,
         "unit": "h", "higher_is_better": False},
        {"period": "Nov", "metric": "New ARR", "target": 80000, "unit": "USD"},
    ]
    results = plan_context(plan_from_data(plan_data), company_name="X")["history"]["results"]
    assert [(r["target"], r["actual"], r["attainment"]) for r in results] == [
        ("$80,000", "$41,200", "52%"), ("4 h", "8 h", "50%"), ("$80,000", "—", "—")]


def test_no_attainment_when_the_ratio_overflows(plan_data):
    plan_data["performance_history"]["results"] = [
        {"period": "Oct", "metric": "Calls", "target": 5e-324, "actual": 1},
        {"period": "Oct", "metric": "Wait", "target": 1e308, "actual": 5e-324,
         "higher_is_better": False}]
    results = plan_context(plan_from_data(plan_data), company_name="X")["history"]["results"]
    assert [r["attainment"] for r in results] == ["—", "—"]


def test_amounts():
    assert format_amount(1234.5, "EUR") == "€1,234.50"
    assert format_amount(90, "%") == "90%"
    assert format_amount(3, "") == "3"


def test_zone_labels():
    assert zone_label(dt.datetime(2026, 12, 1, 10, tzinfo=ZoneInfo("Europe/Zurich"))) == "CET"
    # An offset as people say it, the same as on the pages and in the emails.
    assert zone_label(dt.datetime(2026, 12, 1, 10, tzinfo=ZoneInfo("America/Sao_Paulo"))) == \
        "UTC-3"
    # German names Central European Time as a German reader knows it.
    assert zone_label(dt.datetime(2026, 12, 1, 10, tzinfo=ZoneInfo("Europe/Zurich")),
                      "de") == "MEZ"
    assert zone_label(dt.datetime(2026, 12, 1, 10, tzinfo=ZoneInfo("Asia/Kolkata"))) == "IST"


def test_company_name_falls_back_to_the_setting(plan_data):
    del plan_data["company"]
    assert plan_context(plan_from_data(plan_data), company_name="Acme")["company"]["name"] == "Acme"


def test_signers_carry_their_anchor_text(plan_data):
    signers = plan_context(plan_from_data(plan_data), company_name="X")["signers"]
    assert [(s["role"], s["anchor"]) for s in signers] == [
        ("employee", "Employee signature:"), ("manager", "Manager signature:"),
        ("hr", "HR representative signature:")]


def test_no_company_name_is_invented(plan_data):
    del plan_data["company"]
    plan = plan_from_data(plan_data)
    assert plan_context(plan, company_name=None)["company"]["name"] == ""
    assert plan_context(plan, company_name="")["company"]["name"] == ""


def test_no_employment_type_is_invented(plan_data):
    del plan_data["employee"]["employment_type"]
    employee = plan_context(plan_from_data(plan_data), company_name="X")["employee"]
    assert employee["employment_type"] is None


def _milestones(plan_data, *days):
    plan_data["goals"][0]["milestones"] = [
        {"due": f"2026-12-{d:02d}", "description": f"Step by the {d}th."} for d in days]
    return plan_context(plan_from_data(plan_data), company_name="X")["milestones"]


def test_milestones_are_weekly_only_when_they_are(plan_data):
    # The plan starts on Tuesday 1 December: week 2 is 8 to 14 December.
    assert _milestones(plan_data, 11, 18, 25) == {"cadence": "weekly",
                                                  "heading": "Weekly milestones"}
    assert _milestones(plan_data, 11, 25) == {"cadence": "biweekly",
                                              "heading": "Milestones every two weeks"}
    assert _milestones(plan_data, 11, 14, 25) == {"cadence": "", "heading": "Milestones"}
    assert _milestones(plan_data, 11) == {"cadence": "", "heading": "Milestones"}
    assert _milestones(plan_data) == {"cadence": "", "heading": "Milestones"}


def test_a_second_goal_with_other_gaps_makes_them_plain_milestones(plan_data):
    goal = dict(plan_data["goals"][0])
    goal["milestones"] = [{"due": "2026-12-09", "description": "a"},
                          {"due": "2026-12-23", "description": "b"}]
    plan_data["goals"].append(goal)
    assert plan_context(plan_from_data(plan_data), company_name="X")["milestones"]["heading"] \
        == "Milestones"


def test_concerns_and_wellbeing_have_careful_defaults(plan_data):
    context = plan_context(plan_from_data(plan_data), company_name="X")
    for text in (context["concerns"], context["wellbeing"]):
        assert "ask HR" in text
        assert not any(ch.isdigit() for ch in text)  # no telephone number, no made-up facts
    plan_data["concerns"] = ""
    plan_data["wellbeing"] = "Call the Acme EAP on the number in the staff handbook."
    context = plan_context(plan_from_data(plan_data), company_name="X")
    assert context["concerns"] == ""
    assert context["wellbeing"].startswith("Call the Acme EAP")


def test_lint_state_reaches_the_templates(plan_data):
    plan = plan_from_data(plan_data)
    default = plan_context(plan, company_name="X")["plan"]
    assert (default["lint_passed"], default["draft"]) == (True, False)
    forced = plan_context(plan, company_name="X", lint_passed=False, draft=True)["plan"]
    assert (forced["lint_passed"], forced["draft"]) == (False, True)


def test_the_templates_meetings_name_their_zone_as_the_language_writes_it(plan_data):
    """A meeting's time in the Word templates, as the emails and pages write a time:
    German adds "Uhr" and names Central European Time MEZ; Arabic isolates the zone and
    holds it to the time."""
    plan_data["checkins"]["timezone"] = "Europe/Zurich"
    written = {}
    for language in ("en", "de", "ar"):
        plan_data["language"] = language
        context = plan_context(plan_from_data(plan_data), company_name="X")
        written[language] = context["checkins"]["meetings"][0]["time"]
    assert written["en"].endswith(" CET") and "–" in written["en"]
    assert written["de"].endswith(" Uhr MEZ"), written["de"]
    assert written["ar"].endswith("\u00a0\u2068CET\u2069"), written["ar"]
