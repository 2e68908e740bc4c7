"""What signers agree to, word for word: shown on the signing page, recorded with each
signature, and printed in the final document's acknowledgement and certificate."""

from __future__ import annotations

from types import MappingProxyType

# What each role's signature means. The employee signs for receipt and understanding;
# the manager and HR sign for what the company commits to, as the plan's own signature
# lines say.
STATEMENTS = MappingProxyType({
    "employee": (
        "By signing I confirm that I have received this Performance Improvement Plan and "
        "that it has been explained to me. My signature means receipt and understanding, "
        "not agreement."),
    "manager": (
        "By signing I confirm, as the employee's manager, that I have discussed this "
        "Performance Improvement Plan with the employee, that I will hold the check-in "
        "meetings it sets out, and that I will give the support it describes."),
    "hr": (
        "By signing I confirm, for Human Resources, that this Performance Improvement Plan "
        "has been reviewed by HR and that the company will provide the support and "
        "resources it describes."),
})

# The employee's words, under the name the record used before each role had its own.
STATEMENT = STATEMENTS["employee"]


def statement_for(role: str) -> str:
    """The words a signer of ``role`` ("employee", "manager" or "hr") is shown and signs."""
    try:
        return STATEMENTS[str(role)]
    except KeyError:
        raise ValueError(f"role: no statement for {role!r}; expected one of "
                         f"{', '.join(STATEMENTS)}") from None


# Consent to electronic records and signatures, with what a disclosure under e-signature
# law (the US ESIGN Act, eIDAS practice) tells the signer: what it covers, what they
# need, their right to paper and to withdraw, and keeping their address current.
CONSENT = (
    "I agree to receive this plan and sign it electronically: my typed name is my "
    "signature, and this electronic record takes the place of a paper one. To read and "
    "keep it I need a device with a web browser that can open PDF files. I can ask HR "
    "for a paper copy at any time, free of charge, and I can withdraw this consent by "
    "telling HR before I sign, in which case HR will give me the plan on paper. I will "
    "tell HR if my email address changes."
)
