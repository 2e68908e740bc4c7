"""The company's name and look from the settings: one frozen Branding, checked at start,
each bad setting refused by name; the logo PNG or SVG (drawn to PNG, only plain shapes);
the colour checked for contrast; a command that makes documents stops on a bad one."""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path

import pytest
from PIL import Image

from config import load_settings
from signing.branding import (
    MIN_TEXT_CONTRAST,
    NEUTRAL_COLOUR,
    BrandingError,
    HrContact,
    branding_from_settings,
    contrast_with_white,
)
from signing.cli import main

SVG = (b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="120" '
       b'height="40" viewBox="0 0 120 40"><rect width="120" height="40" fill="#1f3864"/>'
       b'<circle cx="20" cy="20" r="12" fill="#ffffff"/></svg>')


def settings(**values: str):
    return load_settings({}, overrides=values)


def png_file(tmp_path: Path, size: tuple[int, int] = (90, 30)) -> Path:
    path = tmp_path / "logo.png"
    out = io.BytesIO()
    Image.new("RGB", size, (31, 56, 100)).save(out, "PNG")
    path.write_bytes(out.getvalue())
    return path


def test_nothing_configured_is_a_neutral_look():
    branding = branding_from_settings(settings())
    assert branding.legal_name == "" and branding.logo is None
    assert branding.primary_colour == NEUTRAL_COLOUR and not branding.configured_colour
    assert branding.sender_name == "plansign" and branding.reply_to is None
    assert branding.hr_contact is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        branding.legal_name = "x"  # type: ignore[misc]


def test_everything_configured(tmp_path: Path):
    branding = branding_from_settings(settings(
        company_name="Harbor & Finch Analytics, Inc.", company_logo_path=str(png_file(tmp_path)),
        company_primary_colour="#0B5CAD", mail_from_name="Harbor & Finch HR",
        mail_reply_to="hr@harborfinch.example", hr_contact_name="People Team",
        hr_contact_email="people@harborfinch.example", hr_contact_phone="+1 (555) 010-2030 ext. 4"))
    assert branding.logo is not None
    assert (branding.logo.width_px, branding.logo.height_px) == (90, 30)
    assert branding.primary_colour == "#0b5cad"
    assert branding.sender_name == "Harbor & Finch HR"
    assert branding.reply_to == "hr@harborfinch.example"
    assert branding.hr_contact == HrContact("People Team", "people@harborfinch.example",
                                            "+1 (555) 010-2030 ext. 4")
    # "Inc." ends the sentence with its own full stop, never "Inc..".
    assert branding.name_in_sentence() == "Harbor & Finch Analytics, Inc."


def test_the_sender_is_the_company_when_no_sender_name_is_given():
    assert branding_from_settings(settings(company_name="Acme Ltd")).sender_name == "Acme Ltd"


@pytest.mark.parametrize(("values", "setting", "words"), [
    ({"company_primary_colour": "navy"}, "company_primary_colour", "#rrggbb"),
    ({"company_primary_colour": "#1f38"}, "company_primary_colour", "#rrggbb"),
    ({"mail_reply_to": "HR <hr@example.com>"}, "mail_reply_to", "is not an email address"),
    ({"hr_contact_name": "People Team"}, "hr_contact_email", "needs a name and an email"),
    ({"hr_contact_email": "hr@example.com"}, "hr_contact_name", "needs a name and an email"),
    ({"hr_contact_name": "P", "hr_contact_email": "p@example.com",
      "hr_contact_phone": "call me"}, "hr_contact_phone", "not a telephone number"),
    ({"company_name": "x" * 201}, "company_name", "at most 200"),
    ({"company_logo_path": "/nonexistent/logo.png"}, "company_logo_path", "does not exist"),
])
def test_a_bad_setting_is_refused_by_name(values, setting, words):
    with pytest.raises(BrandingError) as info:
        branding_from_settings(settings(**values))
    assert info.value.name == setting
    assert str(info.value).startswith(f"{setting}: ") and words in str(info.value)


def test_contrast_is_measured_as_wcag_does():
    assert round(contrast_with_white("#000000"), 1) == 21.0
    assert round(contrast_with_white("#767676"), 2) == 4.54  # the lightest AA grey
    assert contrast_with_white(NEUTRAL_COLOUR) > 11


def test_logos_plansign_cannot_use(tmp_path: Path):
    def refused(data: bytes | None, name: str = "logo.png", folder: bool = False) -> str:
        path = tmp_path / name
        if folder:
            path.mkdir()
        else:
            assert data is not None
            path.write_bytes(data)
        with pytest.raises(BrandingError) as info:
            branding_from_settings(settings(company_logo_path=str(path)))
        assert info.value.name == "company_logo_path"
        return str(info.value)

    assert "is not a file" in refused(None, "dir", folder=True)
    assert "neither a PNG nor an SVG" in refused(b"GIF89a....", "logo.gif")
    assert "at most 1,048,576 bytes" in refused(b"\x89PNG\r\n\x1a\n" + b"0" * (1 << 20))
    assert "cannot be read as a PNG" in refused(b"\x89PNG\r\n\x1a\n" + b"0" * 100, "cut.png")
    # SVGs that could run, fetch or expand something: refused before anything draws them.
    for body, why in [
        (b'<script>alert(1)</script>', "<script>"),
        (b'<image href="file:///etc/passwd" width="9" height="9"/>', "<image>"),
        (b'<rect width="9" height="9" fill="url(http://evil.example/x)"/>', "outside resource"),
        (b'<rect width="9" height="9" onload="x()"/>', "onload"),
        (b'<use href="http://evil.example/a.svg#x"/>', "<use>"),
    ]:
        svg = (b'<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9">' + body
               + b"</svg>")
        assert why in refused(svg, "bad.svg"), why
    entity = (b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaa">]>'
              b'<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9">&a;</svg>')
    assert "not an SVG plansign accepts" in refused(entity, "entity.svg")


def test_an_svg_logo_is_drawn_to_png(tmp_path: Path):
    path = tmp_path / "logo.svg"
    path.write_bytes(SVG)
    logo = branding_from_settings(settings(company_logo_path=str(path))).logo
    assert logo is not None and logo.png.startswith(b"\x89PNG")
    assert logo.height_px == 240 and logo.width_px == 720
    with Image.open(io.BytesIO(logo.png)) as image:
        assert image.getpixel((5, 5))[:3] == (31, 56, 100)


def test_generate_stops_at_start_on_a_bad_logo(runner, clean_env, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch):
    from docgen.sample import SAMPLE_PLAN_PATH

    monkeypatch.setenv("PLANSIGN_COMPANY_LOGO_PATH", str(tmp_path / "missing.png"))
    result = runner.invoke(main, ["generate", str(SAMPLE_PLAN_PATH), "--format", "docx",
                                  "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert "company_logo_path:" in result.output and "does not exist" in result.output
    assert "Traceback" not in result.output and not (tmp_path / "out").exists()


def test_generate_puts_the_configured_name_and_logo_in_the_header(
        runner, clean_env, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, plan_data):
    import yaml

    del plan_data["company"]
    plan = tmp_path / "plan.yaml"
    plan.write_text(yaml.safe_dump(plan_data), encoding="utf-8")
    monkeypatch.setenv("PLANSIGN_COMPANY_NAME", "Harbor & Finch Analytics, Inc.")
    monkeypatch.setenv("PLANSIGN_COMPANY_LOGO_PATH", str(png_file(tmp_path)))
    result = runner.invoke(main, ["generate", str(plan), "--format", "docx",
                                  "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    import zipfile

    with zipfile.ZipFile(tmp_path / "out" / "plan.docx") as package:
        header = "".join(package.read(n).decode() for n in package.namelist()
                         if n.startswith("word/header"))
        assert any(n.startswith("word/media/") for n in package.namelist())
    assert "Harbor &amp; Finch Analytics, Inc.<" in header and "<w:drawing" in header


@pytest.mark.parametrize("light", ["#ffcc00", "#7fd3ff", "#ffffff", "#1f9e4a"])
def test_a_colour_too_light_for_text_gets_a_darker_shade_of_itself(light):
    branding = branding_from_settings(settings(company_primary_colour=light))
    assert branding.accent_colour == light  # kept for accents that carry no text
    assert contrast_with_white(branding.primary_colour) >= MIN_TEXT_CONTRAST
    assert contrast_with_white(branding.primary_colour) < MIN_TEXT_CONTRAST + 0.5  # no darker
    # The same hue: each channel scaled alike.
    r, g, b = (int(light[i:i + 2], 16) for i in (1, 3, 5))
    dr, dg, db = (int(branding.primary_colour[i:i + 2], 16) for i in (1, 3, 5))
    if max(r, g, b):
        assert all(abs(d - c * max(dr, dg, db) / max(r, g, b)) <= 1.5
                   for c, d in ((r, dr), (g, dg), (b, db)))


def test_a_dark_enough_colour_is_used_as_it_is():
    branding = branding_from_settings(settings(company_primary_colour="#0B5CAD"))
    assert branding.primary_colour == branding.accent_colour == "#0b5cad"


def test_each_hr_team_may_have_its_own_contact():
    branding = branding_from_settings(settings(
        hr_contact_name="People Team", hr_contact_email="people@example.com",
        hr_contacts_by_team=[{"team": "EMEA", "name": "EMEA People",
                              "email": "emea@example.com", "phone": "+44 20 7946 0000"}]))
    assert branding.contact_for("EMEA") == HrContact("EMEA People", "emea@example.com",
                                                     "+44 20 7946 0000")
    assert branding.contact_for("Sales HR") == branding.contact_for(None) == HrContact(
        "People Team", "people@example.com", "")
    assert branding_from_settings(settings()).contact_for("EMEA") is None


@pytest.mark.parametrize(("rules", "words"), [
    (["EMEA"], r"hr_contacts_by_team\[0\]: must be a table"),
    ([{"team": "EMEA", "name": "E", "email": "e@example.com", "fax": "1"}],
     r"hr_contacts_by_team\[0\]\.fax: not a field"),
    ([{"name": "E", "email": "e@example.com"}], r"\[0\]\.team: name the HR team"),
    ([{"team": "EMEA", "name": "E"}], r"\[0\]\.email: the HR contact needs a name and an"),
    ([{"team": "EMEA", "name": "E", "email": "not an address"}], r"\[0\]\.email: "),
    ([{"team": "EMEA", "name": "E", "email": "e@example.com", "phone": "call"}],
     r"\[0\]\.phone: 'call' is not a telephone number"),
    ([{"team": "EMEA", "name": "E", "email": "e@example.com"},
      {"team": "EMEA", "name": "F", "email": "f@example.com"}],
     r"\[1\]\.team: 'EMEA' is named twice"),
])
def test_a_team_contact_that_cannot_be_used_is_refused_naming_it(rules, words):
    with pytest.raises(BrandingError, match=words) as info:
        branding_from_settings(settings(hr_contacts_by_team=rules))
    assert info.value.name == "hr_contacts_by_team"
