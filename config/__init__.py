"""plansign's settings: one declarative table, overridable from a file and the environment.

Precedence, lowest first: the defaults in ``settings.toml`` beside this module, a TOML
file named by ``PLANSIGN_CONFIG``, then ``PLANSIGN_<NAME>`` environment variables.
"""

from config.settings import (
    ENV_PREFIX,
    SETTINGS,
    Setting,
    Settings,
    SettingsError,
    load_settings,
    read_table,
)

__all__ = [
    "ENV_PREFIX",
    "SETTINGS",
    "Setting",
    "Settings",
    "SettingsError",
    "load_settings",
    "read_table",
]
