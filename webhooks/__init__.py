"""Outgoing webhooks and incoming email-provider events (a later issue)."""
