"""Shared form helpers: choices that show a tree."""

from django.utils import translation

from keyaccount.core.forms import tree_choices

ROWS = [
    (3, 2, "江苏"),
    (1, None, "中国"),
    (2, 1, "华东"),
    (5, None, "欧洲"),
    (4, 2, "浙江"),
    (6, 1, "华北"),
]


def test_tree_choices_keep_tree_order_and_name_each_child_with_its_parent():
    with translation.override("en"):
        assert tree_choices(ROWS) == [
            (1, "中国"),
            (2, "华东 (中国)"),
            (3, "江苏 (华东)"),
            (4, "浙江 (华东)"),
            (6, "华北 (中国)"),
            (5, "欧洲"),
        ]


def test_tree_choices_start_a_row_whose_parent_is_not_offered_at_the_top():
    # e.g. the org units a user sees: their team, without the company above it
    with translation.override("en"):
        assert tree_choices([(7, 99, "East team"), (8, 7, "East one")]) == [
            (7, "East team"),
            (8, "East one (East team)"),
        ]


def test_tree_choices_show_no_leading_blanks():
    for language in ("en", "zh-hans"):
        with translation.override(language):
            labels = [label for _i, label in tree_choices(ROWS)]
        assert labels[0] == "中国"
        assert all(label == label.strip() and "\u00a0" not in label for label in labels)
        assert all(
            label.startswith(name) for label, name in zip(labels, "中华江浙华欧", strict=True)
        )
