"""The book's Sphinx extension (book/_ext/nptsc_html.py): its pure parts."""

from __future__ import annotations

import importlib.util
from types import SimpleNamespace

import pytest

from nptsc_eval import paths

_spec = importlib.util.spec_from_file_location("nptsc_html", paths.BOOK_DIR / "_ext" / "nptsc_html.py")
nptsc_html = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(nptsc_html)


def test_a_section_toggle_is_named_after_its_chapter():
    nav = ('<li class="toctree-l1"><a class="reference internal" href="a.html">Outputs</a></li>'
           '<li class="toctree-l1 current has-children"><a class="current reference internal" href="#">Case '
           '<em>studies</em> &amp; quotes</a><details open="open"><summary><span class="toctree-toggle" '
           'role="presentation"><i class="fa-solid fa-chevron-down"></i></span></summary><ul></ul></details></li>')
    named = nptsc_html.name_section_toggles(nav)
    assert '<summary aria-label="Sections of Case studies &amp; quotes">' in named
    assert named.count("<summary") == 1 and "Sections of Outputs" not in named


def test_a_toggle_without_a_chapter_link_still_gets_a_name():
    bare = '<details><summary><span class="toctree-toggle" role="presentation"></span></summary></details>'
    assert nptsc_html.name_section_toggles(bare).startswith('<details><summary aria-label="Sections">')


def test_a_toggle_with_its_own_text_is_left_alone():
    captioned = '<details><summary><p class="caption">Findings</p><span class="toctree-toggle"></span></summary>'
    assert nptsc_html.name_section_toggles(captioned) == captioned


@pytest.mark.parametrize("url, remote", [
    ("https://unpkg.com/thebe@0.8.2/lib/index.js", True), ("//cdn.example.org/x.js", True),
    ("_static/mathjax/tex-chtml.js", False), (None, False), ("", False),
])
def test_remote_addresses_are_recognised(url, remote):
    assert nptsc_html._is_remote(url) is remote


def test_thebe_scripts_are_recognised():
    assert nptsc_html._is_thebe(SimpleNamespace(filename="_static/sphinx-thebe.js", attributes={}))
    assert nptsc_html._is_thebe(SimpleNamespace(filename=None, attributes={"body": 'const THEBE_JS_URL = "x"'}))
    assert not nptsc_html._is_thebe(SimpleNamespace(filename="_static/doctools.js", attributes={}))
