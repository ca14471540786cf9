"""Review of iamctl against the aws CLI's documented and implemented behaviour (no server)."""

from __future__ import annotations

import pytest

from iamd.client import cli


# --- --output text: the aws CLI's awscli/text.py -----------------------------------------------


def test_text_output_lines_up_the_columns_of_a_list_of_objects():
    # The aws CLI prints every item of a list of objects with the same columns: the sorted union of
    # the items' scalar keys, '' where an item lacks one (awscli/text.py, _all_scalar_keys), so that
    # `cut -f` picks the same member on every line. A user that never signed in has no
    # PasswordLastUsed: its UserName must stay in the same column as the others'.
    data = {"Users": [
        {"UserName": "alice", "Arn": "arn:a", "PasswordLastUsed": "2026-01-02T00:00:00Z"},
        {"UserName": "bob", "Arn": "arn:b"},
    ]}
    assert cli.render_text(data).splitlines() == [
        "USERS\tarn:a\t2026-01-02T00:00:00Z\talice",
        "USERS\tarn:b\t\tbob",
    ]


def test_text_output_prints_a_labelled_list_of_values_one_per_line():
    # awscli/text.py, _format_scalar_list: with an identifier, one `LABEL<TAB>value` line per value.
    data = {"ClientIDList": ["app-1", "app-2"], "Url": "idp.example.com"}
    assert cli.render_text(data).splitlines() == [
        "idp.example.com",
        "CLIENTIDLIST\tapp-1",
        "CLIENTIDLIST\tapp-2",
    ]


def test_text_output_of_a_query_selecting_rows_is_one_line_per_row():
    # --query 'Users[].[UserName,Arn]': a bare list of lists, one tab-separated line per row.
    assert cli.render_text([["alice", "arn:a"], ["bob", "arn:b"]]).splitlines() == ["alice\tarn:a", "bob\tarn:b"]
