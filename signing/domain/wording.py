"""What signers agree to, word for word: shown on the signing page, recorded with each
acknowledgement, and printed in the final document's acknowledgement and certificate."""

# What the signature means.
STATEMENT = (
    "By signing I confirm that I have received this Performance Improvement Plan and that "
    "it has been explained to me. My signature means receipt and understanding, not "
    "agreement."
)

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
