"""Loading plan data: what is accepted, and the message for each kind of bad input."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import yaml

from docgen import PlanError, load_plan, load_plan_text, plan_from_data


def problems(data) -> list[str]:
    with pytest.raises(PlanError) as info:
        plan_from_data(data)
    return [str(p) for p in info.value.problems]


def test_sample_plan_loads_with_every_section(plan_data):
    plan = plan_from_data(plan_data)
    assert plan.employee.name == "Alex Sample"
    assert plan.goals[0].milestones[1].due == dt.date(2026, 12, 18)
    assert plan.checkins.time == dt.time(10, 30)
    assert plan.checkins.with_ == "Morgan Example"
    assert plan.performance_history.results[0].actual == 61


def test_json_and_yaml_give_the_same_plan(plan_data, tmp_path):
    as_json = tmp_path / "plan.json"
    as_json.write_text(json.dumps(plan_data, default=str))
    as_yaml = tmp_path / "plan.yaml"
    as_yaml.write_text(yaml.safe_dump(plan_data))
    assert load_plan(as_json) == load_plan(as_yaml)


def test_unquoted_yaml_time_is_a_time_not_base_60(plan_data):
    text = yaml.safe_dump({k: v for k, v in plan_data.items() if k != "checkins"})
    text += "checkins: {weekday: Monday, time: 10:30, timezone: UTC}\n"
    assert load_plan_text(text).checkins.time == dt.time(10, 30)


def test_yaml_reads_only_true_and_false_as_booleans(plan_data):
    text = yaml.safe_dump(plan_data).replace("location: Leeds, United Kingdom", "location: NO")
    text = text.replace("employee_id: E-00001", "employee_id: 10442")
    plan = load_plan_text(text)
    assert plan.employee.location == "NO"
    assert plan.employee.employee_id == "10442"


def test_a_key_given_twice_is_refused(plan_data):
    text = yaml.safe_dump(plan_data) + "goals: []\n"
    with pytest.raises(PlanError, match=r"goals is given twice \(first at line \d+\); keep one"):
        load_plan_text(text)
    with pytest.raises(PlanError, match="goals is given twice; keep one"):
        load_plan_text('{"goals": [], "goals": []}', fmt="json")


def test_end_and_length_together_are_refused(plan_data):
    plan_data["timeline"]["end"] = "2027-01-30"
    assert problems(plan_data) == ["timeline: give length_days or an end date, not both"]


def test_plan_names_a_template_but_never_a_path(plan_data):
    plan_data["template"] = "../../etc/passwd"
    assert problems(plan_data) == [
        "template: ../../etc/passwd is not a template name (such as standard or sales)"]


def test_bad_date_names_the_field_path_and_value(plan_data):
    plan_data["goals"].append(dict(plan_data["goals"][0]))
    plan_data["goals"].append(dict(plan_data["goals"][0], due="2026-13-01"))
    assert problems(plan_data) == [
        "goals[2].due: 2026-13-01 is not a date (write it as YYYY-MM-DD)"]


def test_bad_date_in_yaml_text_is_reported_not_crashed():
    text = "timeline:\n  start: 2026-13-01\n  length_days: 30\n"
    with pytest.raises(PlanError) as info:
        load_plan_text(text)
    assert "timeline.start: 2026-13-01 is not a date (write it as YYYY-MM-DD)" in [
        str(p) for p in info.value.problems]


def test_missing_field(plan_data):
    del plan_data["employee"]["email"]
    assert problems(plan_data) == ["employee.email: is required but missing"]


def test_wrong_type(plan_data):
    plan_data["timeline"]["length_days"] = "sixty"
    plan_data["goals"] = "be better"
    assert problems(plan_data) == [
        "goals: be better is not a list",
        "timeline.length_days: sixty is not a whole number",
    ]


def test_unknown_time_zone(plan_data):
    plan_data["checkins"]["timezone"] = "Europe/Lundon"
    assert problems(plan_data) == [
        "checkins.timezone: Europe/Lundon is not a known IANA time zone "
        "(use a name such as Europe/London)"]


def test_a_time_zone_too_long_for_a_file_name_is_refused_naming_the_field(plan_data):
    # ZoneInfo looks the name up as a file: one past the system's limit raised OSError.
    plan_data["checkins"]["timezone"] = "Europe/" + "x" * 5000
    [problem] = problems(plan_data)
    assert problem.startswith("checkins.timezone: Europe/xxx")
    assert problem.endswith("is not a known IANA time zone (use a name such as Europe/London)")


def test_end_before_start(plan_data):
    plan_data["timeline"] = {"start": "2026-12-01", "end": "2026-11-01"}
    assert problems(plan_data) == ["timeline.end: 2026-11-01 is before the start date 2026-12-01"]


def test_neither_end_nor_length(plan_data):
    plan_data["timeline"] = {"start": "2026-12-01"}
    assert problems(plan_data) == [
        "timeline: give either length_days (30, 60 or 90) or an explicit end date"]


def test_bad_time_and_weekday(plan_data):
    plan_data["checkins"]["time"] = "25:99"
    plan_data["checkins"]["weekday"] = "Funday"
    found = problems(plan_data)
    assert found[0].startswith("checkins.weekday: Funday is not one of 'monday'")
    assert found[1] == "checkins.time: 25:99 is not a time (write it as HH:MM, 24-hour)"


def test_misspelt_field_is_reported(plan_data):
    plan_data["employe"] = plan_data.pop("employee")
    assert problems(plan_data) == [
        "employee: is required but missing",
        "employe: is not a field here; check the spelling (did you mean employee?)",
    ]


def test_misspelt_nested_field_suggests_the_right_one(plan_data):
    plan_data["goals"][0]["milestones"][0]["descripton"] = "x"
    assert problems(plan_data)[-1] == (
        "goals[0].milestones[0].descripton: is not a field here; check the spelling "
        "(did you mean description?)")


def test_control_characters_are_refused(plan_data):
    plan_data["role_summary"] = "Answers tickets\x00"
    assert problems(plan_data) == [
        "role_summary: contains the control character U+0000; remove it"]


def test_bad_email(plan_data):
    plan_data["manager"]["email"] = "morgan at example"
    assert problems(plan_data) == ["manager.email: morgan at example is not an email address"]


@pytest.mark.parametrize("address", [
    "lea,attacker<x>@example.com",      # a second address, smuggled into the To header
    "Lea <lea@example.com>",             # a display name: names go in the name field
    '"lea"@example.com',                 # quoted local part
    "lea@example.com\r\nBcc: x@example.com",
    "lea;x@example.com",
    "lea@@example.com",
    ".lea@example.com",
    "le..a@example.com",
    "lea@localhost",                     # no dot in the domain
    "lea@exa_mple.com",
    "lea@-example.com",
    "lea@example.123",
    "zoë@example.com",                  # the mail library refuses a non-ASCII local part
    "lea@exämple.com",                  # and writes a non-ASCII domain nobody can read
    "l" * 65 + "@example.com",           # longer than SMTP allows before the @
])
def test_an_address_the_mailer_cannot_use_is_refused_naming_the_field(plan_data, address):
    plan_data["employee"]["email"] = address
    (problem,) = problems(plan_data)
    assert problem.startswith("employee.email: ")


@pytest.mark.parametrize("address", ["lea.braendli@example.com", "o'neill+pip@mail.example.co.uk",
                                     "x@xn--exmple-cua.com", "A.B-C_d@Example.COM"])
def test_ordinary_addresses_are_accepted(plan_data, address):
    plan_data["hr"]["email"] = address
    assert plan_from_data(plan_data).hr.email == address


@pytest.mark.parametrize("person", ["employee", "manager", "hr"])
@pytest.mark.parametrize("name", ["Lea\nBcc: x@example.com", "Lea\rBraendli", "Lea\tBraendli",
                                  "Lea\u2028Braendli", "Lea\x85Braendli"])
def test_a_name_that_would_break_the_email_header_is_refused(plan_data, person, name):
    plan_data[person]["name"] = name
    (problem,) = problems(plan_data)
    assert problem.startswith(f"{person}.name: contains a line break")


def test_two_signers_may_not_share_an_address(plan_data):
    plan_data["routing"] = {"manager": "after", "hr": "before"}
    plan_data["hr"]["email"] = plan_data["employee"]["email"].upper()
    assert problems(plan_data) == [
        f"hr.email: {plan_data['hr']['email']} is also employee.email; each signer needs an "
        "address of their own"]
    plan_data["hr"]["email"] = "hr@example.com"
    plan_data["manager"]["email"] = "hr@example.com"
    assert problems(plan_data) == [
        "hr.email: hr@example.com is also manager.email; each signer needs an address of "
        "their own"]


def test_by_default_every_signature_line_is_signed_by_its_role(plan_data):
    """The manager confirms before the employee is sent the plan; HR countersign after."""
    from docgen.model import RoutingPlace

    plan_data.pop("routing", None)
    plan = plan_from_data(plan_data)
    assert (plan.routing.manager, plan.routing.hr) == (RoutingPlace.BEFORE, RoutingPlace.AFTER)
    assert [(role, place) for role, _, place in plan.signers()] == [
        ("employee", None), ("manager", "before"), ("hr", "after")]
    plan_data["routing"] = {"manager": "NONE", "hr": "none"}
    assert [role for role, _, _ in plan_from_data(plan_data).signers()] == ["employee"]


def test_with_the_default_routing_the_manager_may_not_share_the_employees_address(plan_data):
    plan_data.pop("routing", None)
    plan_data["manager"]["email"] = plan_data["employee"]["email"]
    assert problems(plan_data) == [
        f"manager.email: {plan_data['manager']['email']} is also employee.email; each signer "
        "needs an address of their own"]


def test_a_shared_address_of_someone_who_does_not_sign_is_no_conflict(plan_data):
    plan_data["routing"] = {"manager": "none", "hr": "none"}
    plan_data["manager"]["email"] = plan_data["employee"]["email"]
    assert plan_from_data(plan_data).manager.email == plan_data["employee"]["email"]


def test_names_ids_and_addresses_have_the_lengths_the_database_keeps(plan_data):
    plan_data["employee"]["name"] = "  " + "N" * 200 + "  "  # surrounding space is not counted
    plan_data["plan_id"] = "P" * 100
    plan = plan_from_data(plan_data)
    assert len(plan.employee.name) == 200 and len(plan.plan_id) == 100
    plan_data["employee"]["name"] = "N" * 201
    plan_data["plan_id"] = "P" * 101
    plan_data["hr"]["email"] = "h" * 243 + "@example.com"
    assert problems(plan_data) == [
        "plan_id: is 101 characters long; at most 100 may be given",
        "employee.name: is 201 characters long; at most 200 may be given",
        "hr.email: is 255 characters long; at most 254 may be given"]


def test_free_text_and_lists_have_limits_that_name_the_field(plan_data):
    plan_data["role_summary"] = "R" * 10_000
    plan_data["goals"][0]["metric"] = "M" * 1_000
    plan_data["goals"] = plan_data["goals"] * 25  # 50 goals
    plan_from_data(plan_data)
    plan_data["role_summary"] = "R" * 10_001
    plan_data["areas"][0]["evidence"][0]["fact"] = "F" * 10_001
    plan_data["employee"]["title"] = "T" * 1_001
    plan_data["support"] = plan_data["support"] * 26  # 52 items
    assert problems(plan_data) == [
        "employee.title: is 1,001 characters long; at most 1,000 may be given",
        "role_summary: is 10,001 characters long; at most 10,000 may be given",
        "areas[0].evidence[0].fact: is 10,001 characters long; at most 10,000 may be given",
        "support: has 52 items; at most 50 may be given"]


def test_every_problem_is_reported_at_once(plan_data):
    plan_data["employee"]["hire_date"] = "yesterday"
    plan_data["checkins"]["timezone"] = "Mars/Olympus"
    del plan_data["hr"]
    assert len(problems(plan_data)) == 3


@pytest.mark.parametrize("text, expected", [
    ("employee: [unclosed", "(while parsing a flow sequence that starts at line 1, column 11)"),
    ("employee:\n  name: x\n bad indent: 1\n", "not valid YAML at line 3"),
    ("- just\n- a list\n", "the plan must be a mapping"),
])
def test_unparseable_text(text, expected):
    with pytest.raises(PlanError) as info:
        load_plan_text(text)
    assert expected in str(info.value)


def test_invalid_json_says_where(tmp_path):
    path = tmp_path / "plan.json"
    path.write_text('{"employee": }')
    with pytest.raises(PlanError) as info:
        load_plan(path)
    assert str(info.value) == (f"{path}: not valid JSON at line 1, column 14: Expecting value")


def test_missing_file(tmp_path):
    with pytest.raises(PlanError, match="file not found"):
        load_plan(tmp_path / "nope.yaml")


def test_a_time_already_read_as_base_60_is_refused(plan_data):
    plan_data["checkins"]["time"] = 630  # what yaml.safe_load makes of 10:30
    assert problems(plan_data) == [
        'checkins.time: 630 is not a time; write it in quotes as "HH:MM"']


@pytest.mark.parametrize("text", ["? {a: }\n: ", "? [a, b]\n: 1", "{? {x: 1}: 2}"])
def test_a_yaml_key_that_is_a_map_or_list_is_a_plan_error(text):
    # Found by tests/hostile: YAML allows complex keys, which no plan field can be.
    with pytest.raises(PlanError, match="a key must be a name"):
        load_plan_text(text)


def test_a_plan_names_its_language_from_the_supported_list(plan_data):
    assert plan_from_data(plan_data).language is None  # the default_language setting's
    assert plan_from_data({**plan_data, "language": " FR "}).language == "fr"
    with pytest.raises(PlanError) as info:
        plan_from_data({**plan_data, "language": "klingon"})
    assert str(info.value.problems[0]) == (
        "language: 'klingon' is not a supported language; choose one of en, es, fr, de, ar")
