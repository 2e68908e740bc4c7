"""Fonts, wrapping and direction of people's text, and the footer's place: no PDF needed."""

from __future__ import annotations

import pytest

from docgen.stamp.document import Frame, RecordPdf
from docgen.stamp.fonts import document_fonts
from docgen.stamp.footer import footer_baseline
from docgen.stamp.geometry import Box
from docgen.stamp.scan import PageScan
from docgen.stamp.writing import is_rtl, needs_shaping

A4 = Frame(width=595.3, height=841.9, left=62.4, right=62.4)


@pytest.fixture
def pdf():
    text = "Léa Brändli Łukasz Żółć Ελένη Ольга محمد 张伟 Hello world 🙂"
    with document_fonts(text, ["Léa Brändli", "Łukasz Żółć", "Ольга Петрова", "محمد",
                               "张伟"]) as fonts:
        record = RecordPdf(fonts, A4, company="Acme", running_footer="x")
        record.add_page()
        yield record, fonts


@pytest.mark.parametrize(("name", "hand"), [
    ("Léa Brändli", "script0"),  # Dancing Script
    ("Łukasz Żółć", "script1"),  # Z003: Dancing Script has no Ł
    ("Ольга Петрова", "script1"),  # Z003 writes Cyrillic too
    ("محمد", None),  # no signature hand writes Arabic: drawn in the regular fonts
    ("张伟", None),
])
def test_each_name_gets_a_signature_hand_that_can_write_all_of_it(pdf, name, hand):
    _, fonts = pdf
    assert fonts.script_for(name) == hand


def test_characters_no_font_has_are_reported():
    with document_fonts("a \U000f0000 b", []) as fonts:  # a private-use character
        assert fonts.missing == {"\U000f0000"}


def test_fallback_fonts_are_only_those_the_text_needs():
    with document_fonts("Plain Latin text only", ["Léa Brändli"]) as fonts:
        assert fonts._fallbacks == []
        assert fonts.script_families == ("script0",)


def test_lines_wrap_at_spaces_and_never_run_past_the_width(pdf):
    record, _ = pdf
    record.set_font("sans", "", 10)
    text = "The escalation target depends on Tier 2 answering within a day. " * 8
    lines = record.wrap(text, 200)
    assert len(lines) > 5
    assert " ".join(lines) == text.strip()
    assert all(record.get_string_width(line) <= 200 for line in lines)


def test_chinese_wraps_between_characters_and_keeps_punctuation_with_them(pdf):
    record, _ = pdf
    record.set_font("sans", "", 10)
    text = "我同意这些目标，但是第二级支持的响应时间需要改进。" * 6
    lines = record.wrap(text, 150)
    assert "".join(lines) == text
    assert all(record.get_string_width(line) <= 150 for line in lines)
    assert not any(line.startswith(("，", "。")) for line in lines)


def test_a_word_longer_than_a_line_is_broken_anywhere(pdf):
    record, _ = pdf
    record.set_font("sans", "", 10)
    url = "https://example.com/" + "a" * 300
    lines = record.wrap(f"See {url} please", 150)
    assert "".join(lines).replace(" ", "") == f"See{url}please"
    assert all(record.get_string_width(line) <= 150 for line in lines)


def test_shaping_and_direction_follow_the_script():
    assert not needs_shaping("Plain text, Ünïcödé, Ελληνικά, русский, 中文")
    assert needs_shaping("مرحبا")
    assert needs_shaping("e\u0301")  # a decomposed é: the mark must be placed
    assert needs_shaping("नमस्ते")
    assert is_rtl("مرحبا بالعالم hello") and is_rtl("  «שלום»")
    assert not is_rtl("hello مرحبا") and not is_rtl("123 456")


def page(ink: list[Box], height: float = 841.9) -> PageScan:
    return PageScan(index=0, width=595.3, height=height, origin=(0, 0), rotation=0,
                    ink=tuple(ink), rules=(), hits={})


def test_the_footer_goes_under_the_lowest_content():
    baseline = footer_baseline(page([Box(62, 60, 533, 700), Box(62, 803, 533, 813.5)]))
    assert baseline is not None
    assert baseline - 0.76 * 6.5 > 813.5  # its top below the original's footer
    assert baseline + 0.24 * 6.5 < 841.9 - 5  # on the paper


def test_the_footer_goes_above_content_that_reaches_the_bottom_edge():
    baseline = footer_baseline(page([Box(62, 40, 533, 838)]))
    assert baseline is not None and baseline + 0.24 * 6.5 < 40


def test_a_page_full_to_both_edges_has_no_room_for_the_footer():
    assert footer_baseline(page([Box(62, 5, 533, 838)])) is None


def test_widths_worked_out_directly_are_fpdf2s_own(pdf):
    from fpdf import FPDF

    record, _ = pdf
    words = ["Léa", "Brändli", "Łukasz", "Żółć", "Ελένη", "Ольга", "Hello", "world", "—",
             "88.8%", "“quoted”", "…"]
    for style, size in (("", 9.5), ("B", 7.5), ("", 11.0)):
        record.set_font("sans", style, size)
        for text in [*words, " ".join(words)]:
            for _ in range(2):  # measured, then from the record's memory of it
                assert record.get_string_width(text) == pytest.approx(
                    FPDF.get_string_width(record, text), abs=1e-9)
    # Text fpdf2 must shape or take from another font is measured by fpdf2 itself.
    record.set_font("sans", "", 9.5)
    for text in ("محمد", "张伟 🙂"):
        assert record.get_string_width(text) == FPDF.get_string_width(record, text)
