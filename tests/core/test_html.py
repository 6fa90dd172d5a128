"""``core.html``: the hot paths' ``format_html`` escapes exactly as Django's does."""

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy

from keyaccount.core.html import html, html_join

VALUES = [
    "plain",
    "<script>alert('x')</script>",
    'a "quoted" & <tagged> value',
    mark_safe("<b>safe</b>"),
    gettext_lazy("Opportunities"),
    12,
    None,
    "",
    "中文 · 名称",
]


def test_html_escapes_as_format_html():
    template = '<td title="{}">{}</td>'
    for a in VALUES:
        for b in VALUES:
            assert html(template, a, b) == format_html(template, a, b)


def test_html_marks_its_result_safe_and_nests():
    inner = html("<i>{}</i>", "<x>")
    outer = html("<div>{}</div>", inner)
    assert isinstance(outer, SafeString)
    assert outer == "<div><i>&lt;x&gt;</i></div>"


def test_html_join_as_format_html_join():
    rows = [(a, b) for a in VALUES for b in VALUES[:3]]
    assert html_join("<li>{}:{}</li>", rows) == format_html_join("", "<li>{}:{}</li>", rows)
    assert html_join("<li>{}</li>", []) == ""
