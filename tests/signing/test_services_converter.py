"""The converter pool the composition root builds follows the converter settings."""

from __future__ import annotations

import pytest

from config import SettingsError, load_settings
from signing.services import Services


@pytest.mark.parametrize(("value", "idle_timeout"), [(None, 300.0), ("2.5", 2.5), ("0", None)])
def test_the_pool_stops_idle_instances_after_converter_idle_timeout(
        clean_env: None, value: str | None, idle_timeout: float | None) -> None:
    environ = {} if value is None else {"PLANSIGN_CONVERTER_IDLE_TIMEOUT": value}
    services = Services(load_settings(environ))
    try:
        pool = services.converter_pool
        assert pool.idle_timeout == idle_timeout
        assert pool.started == 0  # made, not started: LibreOffice starts on first use
    finally:
        services.close()


def test_a_negative_idle_timeout_is_refused_naming_the_setting() -> None:
    with pytest.raises(SettingsError, match=r"PLANSIGN_CONVERTER_IDLE_TIMEOUT.*at least 0"):
        load_settings({"PLANSIGN_CONVERTER_IDLE_TIMEOUT": "-1"})
