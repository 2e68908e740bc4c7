"""The services of the app serving a request, typed: the web layer asks here rather
than for string keys in ``app.extensions``."""

from __future__ import annotations

from flask import Flask, current_app

from signing.services import Services

KEY = "plansign"


def services_of(app: Flask) -> Services:
    """The :class:`Services` that ``create_app`` gave ``app``."""
    services: Services = app.extensions[KEY]
    return services


def services() -> Services:
    """The services of the app serving this request."""
    return services_of(current_app)
