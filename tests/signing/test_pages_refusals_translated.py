"""What the workflow refuses, as a signer reads it on their page, in the plan's language:
each refused field's message beside it and the page's error line, a role's action taken
by another role, a refusal recorded before the employee has the plan, an action out of
turn; in French and in Arabic (and English, unchanged), and nothing recorded.

Through Flask's test client (the ``signer`` fixture, tests/signing/signer_pages.py);
the sentences are compared as the page shows them (its HTML unescaped)."""

from __future__ import annotations

import datetime as dt
import html

import pytest

from signing.domain import envelopes as svc
from signing.domain.workflow import MAX_COMMENT_CHARS
from signing.web.app import create_app
from tests.signing.signer_pages import HR

NB, NN = "\u00a0", "\u202f"  # French: before ':' and «», before ';?!'

LANGUAGES = ("en", "fr", "ar")


@pytest.fixture
def app(tmp_path, database_url):
    return create_app({"instance_path": str(tmp_path), "database_url": database_url,
                       "secret_keys": "k" * 40, "base_url": "https://sign.example.com"})


def shown(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def field_error(page: str, form: str, field: str) -> str:
    """The message beside ``field`` of ``form`` (its ``id="form-field-error"`` element)."""
    start = page.index(f'id="{form}-{field}-error">') + len(f'id="{form}-{field}-error">')
    return page[start:page.index("<", start)].strip()


UNCONFIRMED = {
    "en": "Tick the box to confirm that you understand the plan still takes effect and your "
          "refusal will be recorded.",
    "fr": "Cochez la case pour confirmer que vous comprenez que le plan s’applique néanmoins "
          "et que votre refus sera enregistré.",
    "ar": "ضع علامة في المربع لتأكيد أنك تفهم أن الخطة تبقى سارية وأن رفضك سيُسجَّل.",
}
TOO_LONG = {  # the reason, one character over; the numbers written as the language writes them
    "en": "This is 20,001 characters long; the limit is 20,000.",
    "fr": f"Ce texte compte 20{NN}001 caractères{NN}; la limite est de 20{NN}000.",
    "ar": "يبلغ طول هذا النص 20,001 حرف؛ والحد الأقصى 20,000.",
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_refusal_refused_on_two_fields_says_both_in_the_plans_language(signer, language):
    signer.open(language=language)
    before = signer.events()
    response = signer.refuse(confirm_refusal=False, reason="x" * (MAX_COMMENT_CHARS + 1))
    assert response.status_code == 422
    page = shown(response)
    assert field_error(page, "refuse", "confirm_refusal") == UNCONFIRMED[language]
    assert field_error(page, "refuse", "reason") == TOO_LONG[language]
    # The summary above the form lists each, as it is beside its field.
    assert page.count(UNCONFIRMED[language]) == page.count(TOO_LONG[language]) == 2
    assert signer.events() == before


LEGAL_NAME = {  # the message quotes the box's own label (without what follows it)
    "en": ('The name you typed does not match the name on this plan, "Alex Sample". Type '
           'your name as it appears there. If your legal name is different, tick "My legal '
           'name differs from the name on this plan" and sign with your legal name; HR will '
           "be told.", "My legal name differs from the name on this plan (HR will be told)"),
    "fr": (f"Le nom saisi ne correspond pas au nom indiqué dans ce plan, «{NB}Alex Sample{NB}». "
           "Saisissez votre nom tel qu’il y figure. Si votre nom légal est différent, cochez "
           f"«{NB}Mon nom légal diffère de celui indiqué dans ce plan{NB}» et signez de votre "
           f"nom légal{NN}; les RH en seront informés.",
           "Mon nom légal diffère de celui indiqué dans ce plan (les RH en seront informés)"),
    "ar": ("الاسم الذي كتبته لا يطابق الاسم الوارد في هذه الخطة، «Alex Sample». اكتب اسمك كما "
           "يرد فيها. وإن كان اسمك القانوني مختلفًا، فضع علامة على «اسمي القانوني يختلف عن "
           "الاسم الوارد في هذه الخطة» ووقّع باسمك القانوني؛ وستُبلَّغ الموارد البشرية بذلك.",
           "اسمي القانوني يختلف عن الاسم الوارد في هذه الخطة (ستُبلَّغ الموارد البشرية بذلك)"),
}
NO_CONSENT = {
    "en": "Tick the box to agree to sign electronically, or ask HR for a paper copy.",
    "fr": "Cochez la case pour accepter de signer électroniquement, ou demandez un exemplaire "
          "papier aux RH.",
    "ar": "ضع علامة في المربع للموافقة على التوقيع الإلكتروني، أو اطلب نسخة ورقية من الموارد "
          "البشرية.",
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_acknowledgement_with_another_name_and_no_consent_is_refused_in_its_language(
        signer, language):
    signer.open(language=language)
    before = signer.events()
    response = signer.acknowledge(typed_name="Someone Else", consent=False)
    assert response.status_code == 422
    page = shown(response)
    message, label = LEGAL_NAME[language]
    assert field_error(page, "acknowledge", "typed_name") == message
    assert label in page  # the box the message names is there, in the same words
    assert field_error(page, "acknowledge", "consent") == NO_CONSENT[language]
    assert signer.events() == before


WRONG_ROLE = {
    "en": "Only the manager and HR confirm the plan; as the employee, you can acknowledge "
          "it, refuse to sign it, or comment on it.",
    "fr": f"Seuls le responsable et les RH confirment le plan{NN}; en tant que personne "
          "salariée, vous pouvez en accuser réception, refuser de le signer ou le commenter.",
    "ar": "لا يؤكّد الخطةَ إلا المدير والموارد البشرية؛ وبصفتك الموظف، يمكنك الإقرار باستلامها "
          "أو رفض توقيعها أو التعليق عليها.",
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_another_roles_action_is_refused_in_the_plans_language(signer, language):
    signer.open(language=language)
    before = signer.events()
    response = signer.confirm("Alex Sample")
    assert response.status_code == 409
    assert WRONG_ROLE[language] in shown(response)
    assert signer.events() == before


WITNESS = {
    "en": "The employee cannot witness their own refusal: name someone else who was present.",
    "fr": f"La personne salariée ne peut pas être témoin de son propre refus{NB}: indiquez "
          "une autre personne présente.",
    "ar": "لا يمكن للموظف أن يكون شاهدًا على رفضه: يُرجى ذكر شخص آخر كان حاضرًا.",
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_manager_naming_the_employee_as_witness_is_refused_in_its_language(
        signer, language):
    signer.send(language=language)
    signer.open_as("manager")
    before = signer.events()
    response = signer.record_refusal("Alex Sample")
    assert response.status_code == 422
    page = shown(response)
    assert field_error(page, "record_refusal", "witness") == WITNESS[language]
    assert signer.events() == before


NOT_SENT = {
    "en": "The employee has not been sent the plan yet; a refusal can be recorded only once "
          "they have it.",
    "fr": f"Le plan n’a pas encore été envoyé à la personne salariée{NN}; un refus ne peut "
          "être consigné qu’une fois qu’elle l’a reçu.",
    "ar": "لم تُرسل الخطة إلى الموظف بعد؛ ولا يمكن تسجيل الرفض إلا بعد أن يتسلّمها.",
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_refusal_recorded_before_the_employee_has_the_plan_is_refused_in_its_language(
        signer, language):
    signer.send(manager_confirms=False, language=language)
    signer.open_as("manager")
    before = signer.events()
    response = signer.record_refusal("Jordan Lee")
    assert response.status_code == 409
    assert NOT_SENT[language] in shown(response)
    assert signer.events() == before


PAST_DEADLINE = {
    "en": "This plan's deadline has passed, so this can no longer be done; nothing was "
          "changed.",
    "fr": f"Le délai de ce plan est écoulé{NB}: cette action n’est donc plus possible{NN}; "
          "rien n’a été modifié.",
    "ar": "انقضت مهلة هذه الخطة، لذا لم يعد من الممكن تنفيذ هذا الإجراء؛ ولم يُغيَّر أي شيء.",
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_acting_once_the_deadline_has_passed_is_refused_in_the_plans_language(
        signer, language):
    signer.open(language=language)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=15)
    with signer.sessions.begin() as session:  # the plan's deadline passes, the page open
        svc.perform(session, signer.envelope_id, "expire", actor=HR, now=later)
    before = signer.events()
    response = signer.acknowledge()
    assert response.status_code == 409
    page = shown(response)
    assert PAST_DEADLINE[language] in page
    assert f'lang="{language}"' in page
    assert signer.events() == before
