"""The web layer: the Flask app, the signer's pages, the HR API, rate limits, and the
SendGrid Event Webhook. Views translate HTTP to calls of :mod:`signing.domain`."""
