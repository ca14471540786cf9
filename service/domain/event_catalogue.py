"""The schema of every identity event, as markdown for auditors who read the raw log (docs/events.md).

Generated from the event classes themselves (service/domain/events.py), so it cannot drift:
`make docs` writes it, and a test fails when the file differs from what this renders.
"""

from __future__ import annotations

import dataclasses
import inspect

from .events import _KIND_SPECIFIC, _SHARED, KIND_PREFIX, Event

_HEADER = """# The identity events in the log

Every change iamd makes is one or more events appended to a stream of the log (SQLite by default,
KurrentDB when configured). This page lists every identity event type with its payload, generated
from `service/domain/events.py` (`make docs`); audit records and digests are described in
[audit.md](audit.md).

**Streams.** `account-ACCOUNT-root` (the account and its root keys), `account-ACCOUNT-passwordpolicy`,
`account-ACCOUNT-alias`, `account-MANAGEMENT-rootaccess` (centralized root access),
`account-ACCOUNT-stspreferences`, `account-ACCOUNT-rootpassword`, `account-ACCOUNT-outboundfederation`,
`user-ACCOUNT-NAME`, `group-ACCOUNT-NAME`, `role-ACCOUNT-NAME`,
`policy-ACCOUNT-NAME`, `instanceprofile-ACCOUNT-NAME`, `samlprovider-ACCOUNT-NAME`,
`servercertificate-ACCOUNT-NAME` (names case-folded),
`mfa-ACCOUNT-NAME`,
`session-ACCOUNT-<key id>`,
`resource-ACCOUNT-<sha256 of the ARN>`, `oidc-ACCOUNT-<sha256 of the URL>`, `org-MANAGEMENT-organization`,
`aliasclaim-ALIAS`, `iamd-deployment` (the deployment and its key-encryption key).

**Every event** carries metadata beside its payload: `request_id`, `operation` (the RPC),
`actor` (the caller's ARN), `source_ip`, `user_agent`, `time`, and for a command made through the
API `audit` (the call's audit fact: its record can be rebuilt from the events alone). Payloads
are JSON; times are ISO 8601 UTC. Secrets are never in the log in clear: `*_ciphertext` fields are
sealed under the key-encryption key, tokens are stored as SHA-256 hashes, console passwords as salted
scrypt hashes (`password_hash`); a server certificate's private key, a SAML provider's
assertion-decryption keys and an account's outbound federation signing keys are only in
`private_key_ciphertext`.

Facts shared by users, groups and roles (and some by policies and accounts) are stored under a
kind-prefixed type name: `PolicyAttached` is `UserPolicyAttached`, `GroupPolicyAttached` or
`RolePolicyAttached`.
"""


def _fields(cls: type[Event]) -> list[str]:
    rows = []
    for f in dataclasses.fields(cls):  # type: ignore[arg-type]
        if f.default is not dataclasses.MISSING:
            default = f" = `{f.default!r}`"
        elif f.default_factory is not dataclasses.MISSING:  # type: ignore[misc]
            default = f" = `{f.default_factory()!r}`"  # type: ignore[misc]
        else:
            default = ""
        rows.append(f"| `{f.name}` | `{f.type}`{default} |")
    return rows


def _section(cls: type[Event], names: list[str]) -> str:
    doc = inspect.cleandoc(cls.__dict__.get("__doc__") or "")
    own_doc = "" if doc.startswith(cls.__name__ + "(") else doc  # dataclass's generated signature: no doc
    lines = [f"### {' / '.join(f'`{n}`' for n in names)}", ""]
    if own_doc:
        lines += [" ".join(own_doc.split("\n\n")[0].split()), ""]
    fields = _fields(cls)
    if fields:
        lines += ["| field | type |", "|---|---|", *fields]
    else:
        lines += ["No payload fields."]
    return "\n".join(lines) + "\n"


def catalogue_markdown() -> str:
    sections = [_HEADER, "## Events of one kind of stream\n"]
    sections += [_section(cls, [cls.__name__]) for cls in _KIND_SPECIFIC]
    sections.append("## Facts shared by several kinds\n")
    sections += [_section(cls, [KIND_PREFIX[k] + cls.__name__ for k in cls.KINDS]) for cls in _SHARED]
    return "\n".join(sections)


if __name__ == "__main__":
    print(catalogue_markdown(), end="")
