"""Loading settings from the declarative table, a settings file and the environment."""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

ENV_PREFIX = "PLANSIGN_"
CONFIG_FILE_VARIABLE = "PLANSIGN_CONFIG"
TABLE_PATH = files("config").joinpath("settings.toml")

_TYPES: dict[type, str] = {bool: "true or false", int: "a whole number", float: "a number",
                           str: "text", list: "a list (in the environment: a JSON array)"}


class SettingsError(Exception):
    """A setting that is unknown, of the wrong type, or a secret given outside the environment."""

    def __init__(self, message: str, name: str | None = None) -> None:
        self.name = name
        super().__init__(message)


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str
    type: type
    secret: bool = False
    min: float | None = None

    @property
    def env_var(self) -> str:
        return ENV_PREFIX + self.name.upper()


def read_table(path: Traversable = TABLE_PATH) -> dict[str, Setting]:
    """The table of settings: name, default, one line of help, and whether it is secret."""
    with path.open("rb") as fh:
        raw = tomllib.load(fh)
    table = {}
    for name, spec in raw.items():
        secret = bool(spec.get("secret", False))
        if secret and "default" in spec:
            raise SettingsError(f"{path}: secret setting {name} must not have a default", name)
        if "help" not in spec or ("default" not in spec and not secret):
            raise SettingsError(f"{path}: setting {name} needs a default and a help line", name)
        kind = type(spec["default"]) if not secret else str
        table[name] = Setting(name, spec.get("default"), spec["help"], kind, secret,
                              spec.get("min"))
    return table


SETTINGS = read_table()


def _convert(setting: Setting, value: Any, origin: str) -> Any:
    converted = _as_type(setting, value, origin)
    if setting.min is not None and converted < setting.min:
        raise SettingsError(
            f"{origin}: {value!r} is too small; {setting.name} must be at least "
            f"{setting.min:g} ({setting.help})",
            setting.name,
        )
    return converted


def _as_type(setting: Setting, value: Any, origin: str) -> Any:
    if isinstance(value, setting.type) and not (setting.type is int and isinstance(value, bool)):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            if setting.type is bool:
                if text.lower() in ("1", "true", "yes", "on"):
                    return True
                if text.lower() in ("0", "false", "no", "off"):
                    return False
                raise ValueError(text)
            if setting.type in (int, float):
                return setting.type(text)
            if setting.type is list:  # a table of rows, given in the environment as JSON
                parsed = json.loads(text)
                if isinstance(parsed, list):
                    return parsed
        except ValueError:  # json.JSONDecodeError is one
            pass
    if setting.type is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    raise SettingsError(
        f"{origin}: {value!r} is not {_TYPES.get(setting.type, setting.type.__name__)} "
        f"(setting {setting.name}: {setting.help})",
        setting.name,
    )


class Settings(Mapping[str, Any]):
    """Resolved settings, read by attribute (``settings.company_name``) or by key."""

    def __init__(self, values: dict[str, Any], sources: dict[str, str],
                 table: Mapping[str, Setting]) -> None:
        self._values = values
        self.sources = sources
        self.table = table

    def __getattr__(self, name: str) -> Any:
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(f"no setting named {name}") from None

    def __getitem__(self, name: str) -> Any:
        return self._values[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        shown = {k: ("***" if self.table[k].secret and v else v)
                 for k, v in self._values.items()}
        return f"Settings({shown})"


def load_settings(
    environ: Mapping[str, str] | None = None,
    *,
    config_file: Path | None = None,
    overrides: Mapping[str, Any] | None = None,
    table: Mapping[str, Setting] | None = None,
) -> Settings:
    """Defaults, then the settings file, then the environment, then explicit overrides
    (used by tests and by callers that embed plansign)."""
    environ = os.environ if environ is None else environ
    table = SETTINGS if table is None else table
    values = {name: s.default for name, s in table.items()}
    sources = dict.fromkeys(table, "default")

    file_name = config_file or (Path(environ[CONFIG_FILE_VARIABLE])
                                if environ.get(CONFIG_FILE_VARIABLE) else None)
    if file_name is not None:
        for name, value in _read_file(file_name).items():
            setting = _known(table, name, str(file_name))
            if setting.secret:
                raise SettingsError(
                    f"{file_name}: {name} is a secret; set it in the environment as "
                    f"{setting.env_var}, never in a file",
                    name,
                )
            values[name] = _convert(setting, value, f"{file_name}: {name}")
            sources[name] = str(file_name)

    for name, setting in table.items():
        if setting.env_var in environ:
            values[name] = _convert(setting, environ[setting.env_var], setting.env_var)
            sources[name] = "environment"

    for name, value in (overrides or {}).items():
        setting = _known(table, name, "override")
        values[name] = _convert(setting, value, name)
        sources[name] = "override"
    return Settings(values, sources, table)


def _known(table: Mapping[str, Setting], name: str, origin: str) -> Setting:
    if name not in table:
        raise SettingsError(
            f"{origin}: {name} is not a plansign setting; known settings: "
            + ", ".join(sorted(table)),
            name,
        )
    return table[name]


def _read_file(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise SettingsError(f"settings file {path} does not exist") from None
    except OSError as exc:
        raise SettingsError(f"settings file {path} cannot be read: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"settings file {path} is not valid TOML: {exc}") from None
