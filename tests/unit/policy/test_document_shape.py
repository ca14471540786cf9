"""A policy document is a JSON object of bounded depth, whatever path reads it."""

from __future__ import annotations

import pytest

from iamd.service.domain import names
from iamd.service.domain.errors import ValidationError
from iamd.service.policy import MalformedPolicyError, PolicyType, compile_policy, validate_policy
from iamd.service.policy.document import MAX_NESTING_DEPTH, nesting_depth, parse_document

NOT_OBJECTS = ["null", "[]", "[{}]", "0", "-1.5e3", '"text"', "true", "false", " null "]


@pytest.mark.parametrize("text", NOT_OBJECTS)
@pytest.mark.parametrize("policy_type", list(PolicyType))
def test_json_that_is_not_an_object_is_a_problem_for_every_policy_type(text: str, policy_type: PolicyType) -> None:
    problems = validate_policy(text, policy_type)
    assert problems and problems[0].path == "" and "JSON object" in (problems[0].hint or "")
    with pytest.raises(MalformedPolicyError):
        compile_policy(text, policy_id="p", policy_type=policy_type)


@pytest.mark.parametrize("text", ["[" * 1000 + "]" * 1000, '{"a":' * 100_000, "[{" * 50_000,
                                  '{"Statement": ' + "[" * (MAX_NESTING_DEPTH + 1) + "]" * (MAX_NESTING_DEPTH + 1) + "}"])
def test_nesting_beyond_the_bound_is_refused_before_parsing(text: str) -> None:
    document, problems = parse_document(text)
    assert document is None
    assert problems and f"more than {MAX_NESTING_DEPTH} levels" in (problems[-1].hint or "")
    with pytest.raises(MalformedPolicyError):
        compile_policy(text, policy_id="p", policy_type=PolicyType.RESOURCE)


def test_nesting_within_the_bound_gets_its_ordinary_problems() -> None:
    text = '{"Statement": ' + "[" * (MAX_NESTING_DEPTH - 1) + "]" * (MAX_NESTING_DEPTH - 1) + "}"  # exactly the bound
    document, problems = parse_document(text)
    assert document is not None and not problems
    assert validate_policy(text, PolicyType.IDENTITY)  # a statement must be an object: reported with its path


def test_brackets_inside_strings_do_not_count_as_nesting() -> None:
    text = '{"Sid": "' + "[" * 500 + '\\"{{{", "a": ["]]]"]}'
    assert nesting_depth(text) == 2
    assert nesting_depth('{"a": [[["x"]]]}') == 4
    assert nesting_depth('"unterminated [[[[') == 0


def test_the_deepest_valid_policy_is_far_within_the_bound() -> None:
    text = ('{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*", '
            '"Condition": {"StringEquals": {"aws:username": ["a", "b"]}}}]}')
    assert nesting_depth(text) == 6 < MAX_NESTING_DEPTH
    assert validate_policy(text, PolicyType.IDENTITY) == []


@pytest.mark.parametrize("key", ["a\nb", "tab\tkey", "nul\x00", "bell\x07", "zero\u200bwidth", "emoji\U0001f600"])
def test_tag_keys_outside_aws_pattern_are_refused(key: str) -> None:
    with pytest.raises(ValidationError) as caught:
        names.check_tags("tags", [(key, "v")])
    assert caught.value.problems[0].field == "tags.1.member.key"
    with pytest.raises(ValidationError):
        names.check_tags("tags", [("k", key)])
    with pytest.raises(ValidationError):
        names.check_tag_keys("tagKeys", [key])


@pytest.mark.parametrize("key", ["Cost Center", "käse", "東京", "٣", "a_b.c:d/e=f+g-h@i", "non\u00a0breaking"])
def test_tag_keys_of_letters_numbers_spaces_and_the_punctuation_pass(key: str) -> None:
    assert names.check_tags("tags", [(key, key)]) == {key: key}


def test_untag_keys_are_bounded() -> None:
    with pytest.raises(ValidationError):
        names.check_tag_keys("tagKeys", [f"k{i}" for i in range(names.MAX_TAGS + 1)])
    with pytest.raises(ValidationError):
        names.check_tag_keys("tagKeys", [""])


@pytest.mark.parametrize("prefix", ["/a\n", "/a b", "a/", "/" + "x" * 512, "/\x00"])
def test_path_prefixes_follow_aws_pattern(prefix: str) -> None:
    with pytest.raises(ValidationError):
        names.check_path_prefix("pathPrefix", prefix)


def test_constraint_messages_echo_only_the_start_of_a_huge_value() -> None:
    with pytest.raises(ValidationError) as caught:
        names.check_name("user", "userName", "x" * 100_000)
    assert len(caught.value.message) < 500


def test_an_escaped_lone_surrogate_is_a_problem_not_a_crash() -> None:
    # It could not be encoded, not even quoted back in the error message.
    text = '{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "\\ud800"}}'
    problems = validate_policy(text, PolicyType.IDENTITY)
    assert problems and "surrogate" in (problems[0].hint or "")
    paired = text.replace("\\ud800", "arn:aws:s3:::\\ud83d\\ude00")  # a pair is a character (an emoji)
    assert validate_policy(paired, PolicyType.IDENTITY) == []


def test_paths_need_a_character_between_slashes() -> None:
    assert names.check_path("path", "/") == "/" and names.check_path("path", "/a/b/") == "/a/b/"
    for path in ("//", "/a", "a/", "/a b/", "/\n/"):
        with pytest.raises(ValidationError):
            names.check_path("path", path)


def test_new_member_accounts_need_aws_names_and_emails() -> None:
    from iamd.service.domain.errors import InvalidInputError
    from iamd.service.domain.organizations import check_new_account

    check_new_account("dev", "dev@example.com")
    for account_name, email in (("", "a@b.co"), ("x" * 51, "a@b.co"), ("tab\t", "a@b.co"), ("a", "a b@c.de"),
                                ("a", "ab@cd"), ("a", "é@bcd.e"), ("a", "a@b.c" + "o" * 60)):
        with pytest.raises(InvalidInputError) as caught:
            check_new_account(account_name, email)
        assert caught.value.problems[0].field == ("accountName" if account_name in ("", "x" * 51, "tab\t") else "email")


def test_no_document_beyond_the_api_transport_limit_is_parsed() -> None:
    from iamd.service.app.identity import check_policy_document

    with pytest.raises(ValidationError) as caught:
        check_policy_document("policyDocument", " " * 131_073 + "{}", PolicyType.RESOURCE)
    assert caught.value.problems[0].field == "policyDocument"


def test_a_thousand_problems_are_reported_within_a_bounded_size() -> None:
    import json

    from iamd.service.policy.validate import REPORTED_PROBLEMS_BUDGET

    text = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Permit", "Action": "s3", "Resource": "x" * 5000, "k" * 5000: 1} for _ in range(1000)]})
    problems = validate_policy(text, PolicyType.IDENTITY)
    assert "more problems not shown" in problems[-1].message
    assert sum(len(p.path) + len(p.message) + len(p.hint or "") for p in problems) <= REPORTED_PROBLEMS_BUDGET + 100
    with pytest.raises(MalformedPolicyError) as caught:
        compile_policy(text, policy_id="p", policy_type=PolicyType.IDENTITY)
    assert caught.value.problems == problems
