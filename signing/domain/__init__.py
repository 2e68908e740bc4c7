"""The signing domain: envelopes and their workflow, links, the audit trail, the
outbox and what the worker does with it (email, finalizing, webhooks), who may see
what. Plain Python over the database: it imports neither Flask nor click."""
