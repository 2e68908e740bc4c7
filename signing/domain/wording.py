"""What signers agree to, word for word: shown on the signing page, recorded with each
signature, and printed in the final document's acknowledgement and certificate."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType


def N_(text: str) -> str:
    """Marks ``text`` for the translators' extraction (the ``signer`` catalog); the web
    pages and the record show its translation in the plan's language."""
    return text


# What each role's signature means. The employee signs for receipt and understanding;
# the manager and HR sign for what the company commits to, as the plan's own signature
# lines say.
STATEMENTS = MappingProxyType({
    "employee": N_(
        "By signing I confirm that I have received this Performance Improvement Plan and "
        "that it has been explained to me. My signature means receipt and understanding, "
        "not agreement."),
    "manager": N_(
        "By signing I confirm, as the employee's manager, that I have discussed this "
        "Performance Improvement Plan with the employee, that I will hold the check-in "
        "meetings it sets out, and that I will give the support it describes."),
    "hr": N_(
        "By signing I confirm, for Human Resources, that this Performance Improvement Plan "
        "has been reviewed by HR and that the company will provide the support and "
        "resources it describes."),
})

# The employee's words, under the name the record used before each role had its own.
STATEMENT = STATEMENTS["employee"]


# A document of a plan's case (signing.domain.documents) is signed in words of its own:
# the outcome letter for receipt (the employee alone signs it), an amendment as the plan
# was. Kinds not listed here (the plan) take the words above.
KIND_STATEMENTS = MappingProxyType({
    "outcome_letter": MappingProxyType({
        "employee": N_(
            "By signing I confirm that I have received the outcome letter of my "
            "Performance Improvement Plan. My signature means receipt, not agreement."),
    }),
    "amendment": MappingProxyType({
        "employee": N_(
            "By signing I confirm that I have received this amendment to my Performance "
            "Improvement Plan and that it has been explained to me. My signature means "
            "receipt and understanding, not agreement."),
        "manager": N_(
            "By signing I confirm, as the employee's manager, that I have discussed this "
            "amendment to the Performance Improvement Plan with the employee, and that I "
            "will hold the check-in meetings and give the support the amended plan sets "
            "out."),
        "hr": N_(
            "By signing I confirm, for Human Resources, that this amendment to the "
            "Performance Improvement Plan has been reviewed by HR and that the company will "
            "provide the support and resources the amended plan describes."),
    }),
})


def statement_for(role: str, kind: str = "plan") -> str:
    """The words a signer of ``role`` ("employee", "manager" or "hr") is shown and signs,
    for a document of ``kind`` (signing.domain.documents)."""
    return _for_role(KIND_STATEMENTS.get(kind, STATEMENTS), role, "statement")


# Consent to electronic records and signatures, with what a disclosure under e-signature
# law (the US ESIGN Act, eIDAS practice) tells the signer: what it covers, what they
# need, their right to paper and to withdraw, and keeping their address current.
# The employee's is the consumer disclosure; the manager and HR sign as the company's
# representatives, so theirs says in which capacity they sign and leaves out the paper
# alternative and withdrawal, which are the employee's rights, not theirs.
CONSENTS = MappingProxyType({
    "employee": N_(
        "I agree to receive this plan and sign it electronically: my typed name is my "
        "signature, and this electronic record takes the place of a paper one. To read and "
        "keep it I need a device with a web browser that can open PDF files. I can ask HR "
        "for a paper copy at any time, free of charge, and I can withdraw this consent by "
        "telling HR before I sign, in which case HR will give me the plan on paper. I will "
        "tell HR if my email address changes."),
    "manager": N_(
        "I agree to sign this plan electronically in my role as the employee's manager: "
        "my typed name is my signature and has the same effect as my handwritten "
        "signature, and this electronic record takes the place of a signed paper copy. I "
        "am the person named as the manager on this plan, and I sign only for myself."),
    "hr": N_(
        "I agree to sign this plan electronically for Human Resources, in my role as the "
        "HR representative named on it: my typed name is my signature and has the same "
        "effect as my handwritten signature, and this electronic record takes the place "
        "of a signed paper copy. I am the person named as the HR representative on this "
        "plan, and I sign only for myself."),
})

# The employee's consent, under the name the record used before each role had its own;
# records made before consents were kept with each signature were made with these words.
CONSENT = CONSENTS["employee"]


# The same consents for a document of a plan's case, which is not "this plan".
DOCUMENT_CONSENTS = MappingProxyType({
    "employee": N_(
        "I agree to receive this document and sign it electronically: my typed name is my "
        "signature, and this electronic record takes the place of a paper one. To read and "
        "keep it I need a device with a web browser that can open PDF files. I can ask HR "
        "for a paper copy at any time, free of charge, and I can withdraw this consent by "
        "telling HR before I sign, in which case HR will give me the document on paper. I "
        "will tell HR if my email address changes."),
    "manager": N_(
        "I agree to sign this document electronically in my role as the employee's "
        "manager: my typed name is my signature and has the same effect as my handwritten "
        "signature, and this electronic record takes the place of a signed paper copy. I "
        "am the person named as the manager on this plan, and I sign only for myself."),
    "hr": N_(
        "I agree to sign this document electronically for Human Resources, in my role as "
        "the HR representative named on the plan: my typed name is my signature and has "
        "the same effect as my handwritten signature, and this electronic record takes the "
        "place of a signed paper copy. I am the person named as the HR representative on "
        "this plan, and I sign only for myself."),
})


def consent_for(role: str, kind: str = "plan") -> str:
    """The consent to electronic signature a signer of ``role`` is shown and agrees to,
    for a document of ``kind``."""
    return _for_role(CONSENTS if kind == "plan" else DOCUMENT_CONSENTS, role, "consent")


def _for_role(words: Mapping[str, str], role: str, what: str) -> str:
    try:
        return words[str(role)]
    except KeyError:
        raise ValueError(f"role: no {what} for {role!r}; expected one of "
                         f"{', '.join(words)}") from None
