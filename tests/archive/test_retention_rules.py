"""Retention rules by department and jurisdiction (pure), and the setting that holds them:
a table in the settings file, JSON in the environment, each rule checked at start with
an error naming it."""

from __future__ import annotations

import datetime as dt

import pytest

from archive import RetentionRulesError, RuleParts, parse_rules, read_rule
from config import SettingsError, load_settings
from signing import instance

RULES = [
    {"department": "Sales", "years": 10},
    {"jurisdiction": "US-CA", "years": 4},
    {"department": "Sales", "jurisdiction": "DE", "years": 3},
    {"jurisdiction": "GB", "years": 6},
]


def policy():
    return parse_rules(RULES, default_years=7)


@pytest.mark.parametrize(("department", "jurisdiction", "years", "rule"), [
    ("Sales", None, 10, 'retention_rules[1] (department "Sales"): 10 years'),
    (" sales ", "FR", 10, 'retention_rules[1] (department "Sales"): 10 years'),
    ("Engineering", "us-ca", 4, 'retention_rules[2] (jurisdiction "US-CA"): 4 years'),
    # One naming both wins over either alone, even when shorter.
    ("Sales", "DE", 3, 'retention_rules[3] (department "Sales", jurisdiction "DE"): 3 years'),
    # Equally specific: the longest, so that no rule that applies is cut short.
    ("Sales", "GB", 10, 'retention_rules[1] (department "Sales"): 10 years'),
    ("Sales", "US-CA", 10, 'retention_rules[1] (department "Sales"): 10 years'),
    ("Engineering", None, 7, "retention_years: 7 years (no rule of retention_rules matched)"),
    (None, None, 7, "retention_years: 7 years (no rule of retention_rules matched)"),
])
def test_the_rule_that_applies(department, jurisdiction, years, rule):
    applied = policy().applying(department, jurisdiction)
    assert (applied.years, applied.rule) == (years, rule)


@pytest.mark.parametrize(("department", "jurisdiction", "parts"), [
    ("Sales", None, RuleParts(10, 1, "Sales", None)),
    ("Engineering", "us-ca", RuleParts(4, 2, None, "US-CA")),
    ("Sales", "DE", RuleParts(3, 3, "Sales", "DE")),
    (None, None, RuleParts(7)),
])
def test_a_rule_in_words_is_read_back_into_its_parts(department, jurisdiction, parts):
    """The record keeps the rule in words (the API gives them as they are); the console
    says them in its reader's language from their parts."""
    assert read_rule(policy().applying(department, jurisdiction).rule) == parts


@pytest.mark.parametrize("words,parts", [
    ('retention_rules[12] (department "Ventes, Île-de-France (Paris)", jurisdiction "FR"): '
     "1 year", RuleParts(1, 12, "Ventes, Île-de-France (Paris)", "FR")),
    ("retention_years: 1 year (no rule of retention_rules matched)", RuleParts(1)),
    # Not as plansign writes them: shown as they are kept.
    ("retention_years: 1 years (no rule of retention_rules matched)", None),
    ('retention_rules[1] (department "Sales"): 10 year', None),
    ("retention_rules[1] (): 10 years", None),
    ("kept for ever", None),
    ("", None),
    (None, None),
    # A value with a quotation mark could be read two ways: not read.
    ('retention_rules[1] (department "A", jurisdiction "B", jurisdiction "C"): 2 years',
     None),
])
def test_words_plansign_did_not_write_are_not_read(words, parts):
    assert read_rule(words) == parts


def test_a_period_counts_from_completion_as_retention_years_did():
    completed = dt.datetime(2026, 1, 31, tzinfo=dt.UTC)
    applied = policy().applying("Sales", None)
    assert applied.until(completed) == completed + dt.timedelta(days=round(365.25 * 10))


@pytest.mark.parametrize(("rules", "message"), [
    ("Sales=10", "retention_rules must be a list of rules"),
    ([{"department": "Sales", "years": 10}, "GB"], r"retention_rules\[2\] must be a table"),
    ([{"departement": "Sales", "years": 10}],
     r"retention_rules\[1\]: departement is not a field of a rule; a rule has department, "
     "jurisdiction, years"),
    ([{"years": 10}], r"retention_rules\[1\] names neither a department nor a jurisdiction"),
    ([{"department": " ", "years": 10}], r"retention_rules\[1\]: department must be text"),
    ([{"jurisdiction": "GB", "years": 0}],
     r'retention_rules\[1\] \(jurisdiction "GB"\): years must be a whole number from 1 '
     "to 100, not 0"),
    ([{"jurisdiction": "GB", "years": "ten"}], "not 'ten'"),
    ([{"jurisdiction": "GB", "years": True}], "not True"),
    ([{"department": "Sales", "years": 10}, {"department": "sales ", "years": 5}],
     r'retention_rules\[2\] \(department "sales"\) matches the same records as '
     r'retention_rules\[1\] \(department "Sales"\); keep one of them'),
])
def test_a_rule_that_cannot_be_used_is_named(rules, message):
    with pytest.raises(RetentionRulesError, match=message):
        parse_rules(rules, default_years=7)


def test_the_setting_is_a_table_in_the_settings_file(tmp_path):
    config = tmp_path / "plansign.toml"
    config.write_text('retention_years = 6\n'
                      '[[retention_rules]]\ndepartment = "Sales"\nyears = 10\n'
                      '[[retention_rules]]\njurisdiction = "US-CA"\nyears = 4\n')
    settings = load_settings({}, config_file=config)
    found = instance.retention_policy(settings)
    assert found.default_years == 6
    assert [(r.department, r.jurisdiction, r.years) for r in found.rules] == [
        ("Sales", None, 10), (None, "US-CA", 4)]


def test_the_setting_is_json_in_the_environment():
    settings = load_settings({"PLANSIGN_RETENTION_RULES": '[{"department": "Sales", '
                                                          '"years": 10}]'})
    assert instance.retention_policy(settings).applying("Sales", None).years == 10
    with pytest.raises(SettingsError, match=r"PLANSIGN_RETENTION_RULES: .* is not a list"):
        load_settings({"PLANSIGN_RETENTION_RULES": "department=Sales"})


def test_a_wrong_rule_is_a_settings_error_naming_it_at_start(tmp_path, database_url, runner,
                                                             clean_env):
    from signing.cli import main

    env = {"PLANSIGN_INSTANCE_PATH": str(tmp_path), "PLANSIGN_DATABASE_URL": database_url,
           "PLANSIGN_RETENTION_RULES": '[{"jurisdiction": "GB", "years": 0}]'}
    result = runner.invoke(main, ["archive", "holds"], env=env)
    assert result.exit_code == 1
    assert ('error: retention_rules[1] (jurisdiction "GB"): years must be a whole number '
            'from 1 to 100, not 0') in " ".join(result.output.split())
    assert "Traceback" not in result.output
