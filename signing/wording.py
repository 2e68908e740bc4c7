"""What signers agree to, word for word: shown on the signing page, recorded with each
acknowledgement, and printed in the final document's acknowledgement and certificate."""

# What the signature means.
STATEMENT = (
    "By signing I confirm that I have received this Performance Improvement Plan and that "
    "it has been explained to me. My signature means receipt and understanding, not "
    "agreement."
)

# Consent to electronic records and signatures.
CONSENT = (
    "I agree to receive and sign this document electronically, and that my typed name is "
    "my signature. I can ask HR for a paper copy at any time."
)
