"""Settings: defaults, file, environment, secrets, and the README's list."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from config import SETTINGS, Setting, SettingsError, load_settings, read_table

README = Path(__file__).resolve().parents[2] / "README.md"


def test_defaults():
    settings = load_settings({})
    assert settings.company_name == ""  # none is invented: documents say "the employer"
    assert settings.converter_timeout == 60.0
    assert all(source == "default" for source in settings.sources.values())


def test_every_setting_has_one_line_of_help():
    for setting in SETTINGS.values():
        assert setting.help.endswith(".") and "\n" not in setting.help, setting.name


def test_a_table_entry_without_help_or_default_is_refused(tmp_path):
    table = tmp_path / "settings.toml"
    table.write_text('[colour]\ndefault = "blue"\n')
    with pytest.raises(SettingsError, match="setting colour needs a default and a help line"):
        read_table(table)
    table.write_text('[token]\nsecret = true\ndefault = "x"\nhelp = "A token."\n')
    with pytest.raises(SettingsError, match="secret setting token must not have a default"):
        read_table(table)


def test_environment_overrides_and_converts_types():
    settings = load_settings({"PLANSIGN_CONVERTER_TIMEOUT": "12.5",
                              "PLANSIGN_CONVERTER_POOL_SIZE": "3"})
    assert settings.converter_timeout == 12.5
    assert settings.converter_pool_size == 3
    assert settings.sources["converter_timeout"] == "environment"


def test_bad_environment_value_names_the_variable():
    with pytest.raises(SettingsError) as info:
        load_settings({"PLANSIGN_CONVERTER_POOL_SIZE": "many"})
    assert str(info.value).startswith(
        "PLANSIGN_CONVERTER_POOL_SIZE: 'many' is not a whole number")


def test_file_then_environment(tmp_path):
    path = tmp_path / "plansign.toml"
    path.write_text('company_name = "Northwind"\nconverter_retries = 5\n')
    settings = load_settings({"PLANSIGN_CONFIG": str(path), "PLANSIGN_CONVERTER_RETRIES": "1"})
    assert settings.company_name == "Northwind"
    assert settings.converter_retries == 1
    assert settings.sources["company_name"] == str(path)


def test_unknown_setting_in_file(tmp_path):
    path = tmp_path / "plansign.toml"
    path.write_text("compnay_name = 'x'\n")
    with pytest.raises(SettingsError, match="compnay_name is not a plansign setting"):
        load_settings({}, config_file=path)


def test_secrets_come_only_from_the_environment(tmp_path):
    table = {**SETTINGS, "api_key": Setting("api_key", None, "A key.", str, secret=True)}
    path = tmp_path / "plansign.toml"
    path.write_text("api_key = 'hunter2'\n")
    with pytest.raises(SettingsError, match="api_key is a secret; set it in the environment"):
        load_settings({}, config_file=path, table=table)
    settings = load_settings({"PLANSIGN_API_KEY": "hunter2"}, table=table)
    assert settings.api_key == "hunter2"
    assert "hunter2" not in repr(settings)


def test_readme_lists_every_setting_with_its_variable_and_default():
    text = README.read_text(encoding="utf-8")
    section = text.split("<!-- settings -->")[1].split("<!-- /settings -->")[0]
    rows = re.findall(r"^\| `(\w+)` \| `(PLANSIGN_\w+)` \| `([^`]*)` \|", section, re.M)
    assert {name for name, _, _ in rows} == set(SETTINGS)
    for name, env, default in rows:
        assert env == SETTINGS[name].env_var
        setting = SETTINGS[name]
        shown = "(secret)" if setting.secret else '""' if setting.default == "" else setting.default
        assert default == str(shown), name


def test_numbers_below_their_minimum_are_refused():
    with pytest.raises(SettingsError) as info:
        load_settings({"PLANSIGN_CONVERTER_TIMEOUT": "0"})
    assert str(info.value).startswith(
        "PLANSIGN_CONVERTER_TIMEOUT: '0' is too small; converter_timeout must be at least 1")


def test_settings_file_that_is_a_folder(tmp_path):
    with pytest.raises(SettingsError, match="cannot be read"):
        load_settings({}, config_file=tmp_path)


def test_the_lease_defaults_are_the_settings():
    """The webhooks package reads no settings; its default lease must be the product's."""
    import datetime as dt

    from config import SETTINGS
    from signing.domain import outbox
    from webhooks.delivery import DeliveryConfig

    default = SETTINGS["worker_lease_seconds"].default
    assert DeliveryConfig().min_lease == default
    assert dt.timedelta(seconds=default) == outbox.LEASE


def test_a_default_language_that_is_not_supported_is_refused_naming_the_setting():
    from signing.domain.sending import default_language

    assert default_language(load_settings({"PLANSIGN_DEFAULT_LANGUAGE": "De"})) == "de"
    with pytest.raises(SettingsError) as info:
        default_language(load_settings({"PLANSIGN_DEFAULT_LANGUAGE": "pt"}))
    assert info.value.name == "default_language"
    assert str(info.value) == ("default_language: 'pt' is not a supported language; "
                               "choose one of en, es, fr, de, ar")
