"""The signing service: the app, envelopes, links, email and the plansign CLI."""
