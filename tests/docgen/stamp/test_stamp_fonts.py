"""Stamping is quick enough to do inline because fonts are parsed once per process and
each document gets its own small subsets (see docgen/stamp/fonts.py). These tests check
that both hold; how fast stamping is, is measured by bench/bench_finalize.py, not here.
"""

from __future__ import annotations

from docgen.stamp import fonts, stamp
from tests.docgen.stamp import stampkit as kit


def test_a_second_document_parses_no_font_again(plan_pdf):
    completion = kit.acknowledged(plan_pdf, comments=kit.COMMENTS[:1])
    stamp(plan_pdf, completion)  # the first pays for loading fonts, once per process
    before = fonts._face.cache_info()
    stamp(plan_pdf, completion)
    after = fonts._face.cache_info()
    assert after.misses == before.misses
    assert after.hits > before.hits


def test_each_document_gets_fonts_cut_down_to_its_text(plan_pdf, monkeypatch):
    subsets = []
    original = fonts._subset

    def recorded(font, chars, folder, name):
        path = original(font, chars, folder, name)
        subsets.append((font, path.stat().st_size))
        return path

    monkeypatch.setattr(fonts, "_subset", recorded)
    stamp(plan_pdf, kit.acknowledged(plan_pdf, comments=kit.COMMENTS[:1]))
    assert subsets
    for font, size in subsets:
        assert size < font.path.stat().st_size / 2, font.path
