"""Lint over plan data with errors: the data's problems and the lint findings for what
could be read, each at the path HR wrote."""

from __future__ import annotations

from docgen import lint, lint_data, plan_from_data


def codes_at(result) -> set[tuple[str, str]]:
    return {(f.code, f.path) for f in result.findings}


def test_valid_data_gets_exactly_what_lint_gives(plan_data):
    plan_data["goals"][0]["statement"] = "Do better with customers."
    result = lint_data(plan_data)
    assert result.valid and result.linted and result.problems == []
    assert result.findings == lint(plan_from_data(plan_data))


def test_a_bad_date_does_not_hide_the_findings_elsewhere(plan_data):
    plan_data["goals"][0]["due"] = "2026-13-01"
    plan_data["performance_history"]["summary"] = "A bad attitude towards the queue."
    plan_data["support"] = []
    result = lint_data(plan_data)
    assert not result.valid and result.linted
    assert [(p.path, p.message) for p in result.problems] == [
        ("goals[0].due", "2026-13-01 is not a date (write it as YYYY-MM-DD)")]
    assert codes_at(result) == {("PIP303", "performance_history.summary"),
                                ("PIP401", "support")}


def test_nothing_is_said_about_a_field_set_aside(plan_data):
    # The due date is unreadable, not missing: "the goal has no due date" would be wrong.
    plan_data["goals"][0]["due"] = "soon"
    plan_data["checkins"]["timezone"] = "Europe/Lundon"
    result = lint_data(plan_data)
    assert {p.path for p in result.problems} == {"goals[0].due", "checkins.timezone"}
    assert not any(f.path.startswith(("goals[0].due", "checkins")) for f in result.findings)
    assert result.linted


def test_an_unreadable_list_item_keeps_the_others_at_their_own_paths(plan_data):
    goal = plan_data["goals"][0]
    plan_data["goals"] = [
        {"statement": "Answer within 4 hours.", "milestones": [{"due": "2026-12-11"}]},
        {**goal, "statement": "Try harder on the queue."},
    ]
    result = lint_data(plan_data)
    assert [p.path for p in result.problems] == ["goals[0].milestones[0].description"]
    assert ("PIP202", "goals[1].statement") in codes_at(result)
    assert ("PIP203", "goals[0].metric") in codes_at(result)


def test_a_dropped_item_moves_the_later_paths_back_to_hrs(plan_data):
    evidence = plan_data["areas"][0]["evidence"]
    evidence.insert(0, {"date": "2026-10-01"})  # no fact: the item cannot be read
    evidence[2]["fact"] = "Lazy about ticket 48213."
    result = lint_data(plan_data)
    assert [p.path for p in result.problems] == ["areas[0].evidence[0].fact"]
    assert ("PIP303", "areas[0].evidence[2].fact") in codes_at(result)


def test_a_missing_text_field_gets_a_stand_in_and_the_rest_is_linted(plan_data):
    del plan_data["employee"]["name"]
    plan_data["manager"]["email"] = "not an address"
    plan_data["goals"][0]["metric"] = "Manager's opinion of the answers"
    result = lint_data(plan_data)
    assert {p.path for p in result.problems} == {"employee.name", "manager.email"}
    assert codes_at(result) == {("PIP211", "goals[0].metric")}


def test_without_a_timeline_nothing_can_be_linted(plan_data):
    plan_data["timeline"] = {"start": "2026-12-01"}  # neither an end nor a length
    plan_data["goals"][0]["statement"] = "Do better."
    result = lint_data(plan_data)
    assert not result.valid and not result.linted and result.findings == []


def test_data_that_is_not_a_mapping(plan_data):
    result = lint_data(["a", "list"])
    assert not result.valid and not result.linted
