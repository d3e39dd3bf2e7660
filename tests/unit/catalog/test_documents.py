"""Markdown rendering: organizers' HTML is shown as text, tables and typography work."""

from __future__ import annotations

from portal.catalog.documents import render_markdown


def test_raw_html_is_escaped_not_passed_through() -> None:
    html = render_markdown("Hello <script>alert('x')</script>\n\n<iframe src=//evil></iframe>\n")
    assert "<script" not in html
    assert "<iframe" not in html
    assert "&lt;script&gt;" in html
    assert "&lt;iframe" in html


def test_inline_html_attributes_are_escaped() -> None:
    html = render_markdown('A <img src=x onerror="alert(1)"> picture\n')
    assert "<img" not in html
    assert "&lt;img" in html


def test_javascript_links_are_not_made_clickable() -> None:
    html = render_markdown("[click me](javascript:alert(1))\n")
    assert 'href="javascript:' not in html


def test_tables_render() -> None:
    html = render_markdown("| Format | Who |\n| --- | --- |\n| Peer | Two people |\n")
    assert "<table>" in html
    assert "<th>Format</th>" in html
    assert "<td>Two people</td>" in html


def test_headings_lists_and_links_render() -> None:
    html = render_markdown("## Goals\n\n- one\n- two\n\n[FAQ](/faq)\n")
    assert "<h2>Goals</h2>" in html
    assert "<li>one</li>" in html
    assert '<a href="/faq">FAQ</a>' in html


def test_strikethrough_and_smart_quotes() -> None:
    html = render_markdown('~~old~~ "new"\n')
    assert "<s>old</s>" in html
    assert "\u201cnew\u201d" in html
