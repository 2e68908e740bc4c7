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


def test_amounts():
    assert format_amount(1234.5, "EUR") == "€1,234.50"
    assert format_amount(90, "%") == "90%"
    assert format_amount(3, "") == "3"


def test_zone_labels():
    assert zone_label(dt.datetime(2026, 12, 1, 10, tzinfo=ZoneInfo("Europe/Zurich"))) == "CET"
    assert zone_label(dt.datetime(2026, 12, 1, 10, tzinfo=ZoneInfo("America/Sao_Paulo"))) == \
        "UTC−03:00"
    assert zone_label(dt.datetime(2026, 12, 1, 10, tzinfo=ZoneInfo("Asia/Kolkata"))) == "IST"


def test_company_name_falls_back_to_the_setting(plan_data):
    del plan_data["company"]
    assert plan_context(plan_from_data(plan_data), company_name="Acme")["company"]["name"] == "Acme"


def test_signers_carry_their_anchor_text(plan_data):
    signers = plan_context(plan_from_data(plan_data), company_name="X")["signers"]
    assert [(s["role"], s["anchor"]) for s in signers] == [
        ("employee", "Employee signature:"), ("manager", "Manager signature:"),
        ("hr", "HR representative signature:")]
