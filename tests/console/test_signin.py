"""Password sign-in to the console: the one answer for every failure, the lockout, the
TOTP second factor, a new session at every sign-in, signing out everywhere when the
password changes, and the access log of it all (signing.web.console.signin)."""

from __future__ import annotations

import datetime as dt
import html
import re

import pyotp
import pytest
from sqlalchemy import select

from archive.models import AccessEntry
from signing.domain import people, signin
from signing.domain.models import ConsoleSessionRow, PersonRow
from tests.console.conftest import PASSWORD, Console

COOKIE = "plansign_console"


def attempt(console: Console, username: str, password: str):
    console.client.delete_cookie(COOKIE, path="/console")
    return console.post("/console/signin", data={"username": username, "password": password},
                        token_from="/console/signin")


def refusal(response) -> str:
    """The error the sign-in page shows."""
    found = re.search(r'id="signin-error"[^>]*><p>(.*?)</p>', response.get_data(as_text=True),
                      re.S)
    assert found, response.get_data(as_text=True)[:2000]
    return html.unescape(found.group(1))


def log(sessions, action: str | None = None) -> list[AccessEntry]:
    with sessions() as session:
        query = select(AccessEntry).order_by(AccessEntry.id)
        if action:
            query = query.where(AccessEntry.action == action)
        entries = list(session.scalars(query))
        session.expunge_all()
        return entries


def cookie(console: Console) -> str | None:
    found = console.client.get_cookie(COOKIE, path="/console")
    return found.value if found else None


# -- the one answer, and the lockout --------------------------------------------------------


def test_unknown_people_wrong_passwords_and_locked_accounts_get_the_same_answer(
        console, sessions):
    who = console.person("hr")
    unknown = attempt(console, "nobody-here", PASSWORD)
    wrong = attempt(console, who.username, "not the password at all")
    assert unknown.status_code == wrong.status_code == 400
    assert refusal(unknown) == refusal(wrong)
    assert "locked for 15 minutes" in refusal(wrong)
    for _ in range(4):  # five wrong in a row lock it
        attempt(console, who.username, "still not the password")
    with sessions() as session:
        row = people.row_of(session, who.username)
        assert row.locked_until is not None and row.failed_attempts == 0
    # Locked: even the right password gets the same answer, and opens nothing; the
    # password is not checked at all, so guessing on during the lock learns nothing.
    locked = attempt(console, who.username, PASSWORD)
    assert locked.status_code == 400 and refusal(locked) == refusal(unknown)
    assert cookie(console) is None
    entries = log(sessions, "console lockout")
    assert len(entries) == 1 and entries[0].actor == who.display_name
    assert entries[0].detail.startswith(f"person:{who.username}; locked until")
    refused = [e.detail for e in log(sessions, "console sign-in")]
    assert refused[0] == "refused: no such person"
    assert refused[1] == f"person:{who.username}; refused: wrong password"
    assert refused[-1].startswith(f"person:{who.username}; refused: locked until")


def test_a_lock_lifts_after_its_time_and_a_success_clears_the_count(console, sessions):
    who = console.person("hr")
    for _ in range(5):
        attempt(console, who.username, "wrong wrong wrong")
    with sessions.begin() as session:
        row = people.row_of(session, who.username)
        row.locked_until = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    attempt(console, who.username, "wrong again, once")
    assert attempt(console, who.username, PASSWORD).status_code == 302
    with sessions() as session:
        row = people.row_of(session, who.username)
        assert row.failed_attempts == 0 and row.locked_until is None


def test_a_disabled_person_gets_the_same_answer(console, sessions):
    who = console.person("hr")
    with sessions.begin() as session:
        people.disable(session, who.username, dt.datetime.now(dt.UTC))
    response = attempt(console, who.username, PASSWORD)
    assert response.status_code == 400 and cookie(console) is None
    assert log(sessions, "console sign-in")[-1].detail.endswith("refused: disabled")


# -- sessions -----------------------------------------------------------------------------


def test_every_sign_in_gets_a_new_token_and_ends_the_browsers_previous_session(
        console, sessions):
    """No session fixation: a token planted before sign-in is never the one signed in,
    and a browser signed in as someone else starts afresh."""
    first = console.sign_in("hr")
    before = cookie(console)
    console.client.set_cookie(COOKIE, before, path="/console")
    second = console.person("manager")
    response = console.client.post("/console/signin", data={
        "csrf_token": console.token("/console/"), "username": second.username,
        "password": PASSWORD})
    assert response.status_code == 302
    after = cookie(console)
    assert after and after != before
    with sessions() as session:
        old = session.get(ConsoleSessionRow, people.hash_token(before))
        assert old.ended_at is not None and old.person_id == first.id
        assert session.get(ConsoleSessionRow, people.hash_token(after)).person_id == second.id
    assert second.display_name in console.get("/console/").get_data(as_text=True)


def test_sign_in_and_sign_out_are_in_the_access_log_with_the_persons_name(console, sessions):
    who = console.sign_in("records", display_name="Riley Records")
    console.sign_out()
    entries = [e for e in log(sessions) if e.action.startswith("console sign")]
    assert [(e.action, e.actor, e.allowed, e.role) for e in entries] == [
        ("console sign-in", "Riley Records", True, "records"),
        ("console sign-out", "Riley Records", True, "records")]
    assert entries[0].detail == f"person:{who.username}; password"
    assert entries[0].envelope_id is None and entries[0].ip == "127.0.0.1"


def test_changing_the_password_signs_out_every_other_browser(console, app, sessions):
    who = console.sign_in("hr")
    other = Console(app, app.test_client(), sessions)
    other.sign_in(who)
    assert other.get("/console/").status_code == 200
    new = "a brand new passphrase here"
    response = console.post("/console/account/password", data={
        "current_password": PASSWORD, "new_password": new, "new_password_again": new},
        token_from="/console/account")
    assert response.status_code == 302
    assert response.headers["Location"] == "/console/account?changed=password"
    page = console.get("/console/account?changed=password").get_data(as_text=True)
    assert "Every other browser signed in as you has been signed out" in page
    assert other.get("/console/").status_code == 302  # signed out there
    assert attempt(other, who.username, PASSWORD).status_code == 400
    assert attempt(other, who.username, new).status_code == 302


def test_a_wrong_current_password_or_a_mismatch_is_said_beside_the_field(console):
    console.sign_in("hr")
    response = console.post("/console/account/password", data={
        "current_password": "not my password", "new_password": "long enough password",
        "new_password_again": "long enough password"}, token_from="/console/account")
    text = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="current_password-error"' in text and "This is not your current password" in text
    assert 'aria-describedby=" current_password-error"' in text or \
        'aria-describedby="current_password-error"' in text
    response = console.post("/console/account/password", data={
        "current_password": PASSWORD, "new_password": "short",
        "new_password_again": "shorter"}, token_from="/console/account")
    text = response.get_data(as_text=True)
    assert "at least 12 characters" in text and "are not the same" in text
    assert console.get("/console/").status_code == 200  # still signed in, nothing changed


# -- the TOTP second factor ---------------------------------------------------------------


def enrol(console: Console) -> str:
    """Turn the second factor on as the signed-in person does; returns the secret."""
    page = console.get("/console/account/totp").get_data(as_text=True)
    secret = "".join(re.search(r'class="totp-secret"[^>]*><code>([A-Z2-7 ]+)</code>',
                               page).group(1).split())
    assert "otpauth://totp/plansign:" in html.unescape(page)
    sealed = html.unescape(re.search(r'name="sealed" value="([^"]+)"', page).group(1))
    wrong = console.post("/console/account/totp", data={
        "sealed": sealed, "code": "000000" if pyotp.TOTP(secret).now() != "000000"
        else "111111", "current_password": PASSWORD}, token_from="/console/account/totp")
    assert wrong.status_code == 400 and 'id="code-error"' in wrong.get_data(as_text=True)
    done = console.post("/console/account/totp", data={
        "sealed": sealed, "code": pyotp.TOTP(secret).now(), "current_password": PASSWORD},
        token_from="/console/account/totp")
    assert done.status_code == 302, done.get_data(as_text=True)
    return secret


def code_step(console: Console, username: str, password: str = PASSWORD) -> str:
    """The first step of a sign-in with a second factor: the code form's token."""
    response = attempt(console, username, password)
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and "Enter your code" in text, text[:1000]
    assert cookie(console) is None  # nothing signed in yet
    return html.unescape(re.search(r'name="second_step" value="([^"]+)"', text).group(1))


def send_code(console: Console, second_step: str, code: str):
    return console.client.post("/console/signin/code", data={
        "csrf_token": console.token("/console/signin"), "second_step": second_step,
        "code": code})


def test_a_second_factor_is_asked_after_the_password_and_each_code_is_taken_once(
        console, app, sessions):
    who = console.sign_in("hr")
    secret = enrol(console)
    assert "Your second factor is on" in console.get(
        "/console/account?changed=totp").get_data(as_text=True)
    console.sign_out()
    totp = pyotp.TOTP(secret)
    now = dt.datetime.now(dt.UTC)

    # The enrolment's code was taken; the next step's is good, once.
    with sessions() as session:
        enrolled_step = people.row_of(session, who.username).totp_last_step
    later = totp.at((enrolled_step + 1) * signin.TOTP_STEP)
    step = code_step(console, who.username)
    wrong = send_code(console, step, "12345x")
    assert wrong.status_code == 400 and "That code is not right" in wrong.get_data(as_text=True)
    assert send_code(console, step, later).status_code == 302
    assert cookie(console) is not None
    with sessions() as session:
        assert session.get(ConsoleSessionRow,
                           people.hash_token(cookie(console))).method == "password+totp"
    console.sign_out()
    # The same code again, in a new sign-in: refused, however fresh.
    step = code_step(console, who.username)
    again = send_code(console, step, later)
    assert again.status_code == 400 and cookie(console) is None
    assert log(sessions, "console sign-in")[-1].detail.endswith(
        "refused: wrong or used second-factor code")
    # The form's token is this browser's: another browser cannot finish the sign-in.
    other = Console(app, app.test_client(), sessions)
    stolen = send_code(other, step, totp.at(now + dt.timedelta(seconds=30)))
    assert stolen.status_code == 400 and other.client.get_cookie(COOKIE, path="/console") is None
    assert "Sign in again" in stolen.get_data(as_text=True)


def test_guessing_codes_behind_a_known_password_locks_the_account(console, sessions):
    who = console.sign_in("hr")
    enrol(console)
    console.sign_out()
    step = code_step(console, who.username)
    for _ in range(5):
        response = send_code(console, step, "000001")
    assert response.status_code == 400
    with sessions() as session:
        assert people.row_of(session, who.username).locked_until is not None
    assert len(log(sessions, "console lockout")) == 1


def test_removing_the_second_factor_lets_the_password_alone_sign_in(console, sessions):
    who = console.sign_in("hr")
    enrol(console)
    with sessions.begin() as session:
        people.reset_totp(session, who.username, dt.datetime.now(dt.UTC))
        row = session.scalar(select(PersonRow).where(PersonRow.username == who.username))
        assert row.totp_secret is None and row.totp_last_step is None
    assert console.get("/console/").status_code == 302  # its sessions ended with it
    assert attempt(console, who.username, PASSWORD).status_code == 302


@pytest.mark.parametrize("last_step, offset, accepted", [
    (None, 0, True), (None, -1, True), (None, 1, True), (None, 2, False), (None, -2, False),
    ("now", 0, False), ("now", -1, False), ("now", 1, True), ("before", 0, True)])
def test_which_codes_are_taken(last_step, offset, accepted):
    secret = signin.new_totp_secret()
    now = dt.datetime(2026, 12, 7, 9, 0, 10, tzinfo=dt.UTC)
    current = int(now.timestamp()) // signin.TOTP_STEP
    last = {None: None, "now": current, "before": current - 1}[last_step]
    code = pyotp.TOTP(secret).at((current + offset) * signin.TOTP_STEP)
    taken = signin.totp_step_accepted(secret, code, last, now)
    assert (taken == current + offset) if accepted else taken is None


def test_one_address_trying_passwords_on_many_accounts_is_told_to_wait(
        tmp_path, database_url, clean_env, sessions):
    """Each account's lockout cannot see one address trying a password or two on every
    account (spraying): the sign-in's posts are limited per address too."""
    from signing.web.app import create_app
    app = create_app({"instance_path": str(tmp_path), "database_url": database_url,
                      "secret_keys": "k" * 40, "base_url": "https://sign.example.com",
                      "rate_limit_console_signin": "3 per minute"})
    console = Console(app, app.test_client(), sessions)
    for n in range(3):
        console.person("hr", username=f"sprayed{n}")
        assert attempt(console, f"sprayed{n}", "Summer2026!").status_code == 400
    console.person("hr", username="dana")
    waited = attempt(console, "dana", PASSWORD)
    assert waited.status_code == 429 and 1 <= int(waited.headers["Retry-After"]) <= 60
    assert "Please wait" in waited.get_data(as_text=True)
    assert console.get("/console/signin").status_code == 200  # reading the form is not counted
    with sessions() as session:  # nothing was checked, so nothing counted against Dana
        assert session.scalar(select(PersonRow.failed_attempts)
                              .where(PersonRow.username == "dana")) == 0
