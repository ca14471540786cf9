"""The benchmark's IAM policy sets translated into Cedar, and timed with cedarpy.

The translation is faithful for what the benchmark's documents use, and refuses (raises
`UntranslatableError`) anything it could not express exactly:

- one Cedar policy per IAM statement: Allow → `permit`, Deny → `forbid`; identity and
  boundary statements are scoped to the user (`principal == User::"<arn>"`), SCP statements
  apply to everyone in the account;
- actions are case-insensitive in IAM, so the caller lower-cases the request action, as iamd
  does; an Action list without wildcards becomes the policy's action scope (`action in [...]`),
  wildcards use `like` on the action name (`context.action_name`); NotAction is the negation;
- ARN patterns become `like` on `context.resource_arn`. IAM matches ARNs part by part; a `*`
  at the end of a part (or anywhere in the resource part) behaves exactly like Cedar's `*`,
  so only such patterns are accepted. `?` has no Cedar equivalent and is refused;
- `${aws:username}` is the caller's own name, which iamd derives itself. Cedar has no string
  interpolation, so the user's name is linked into the pattern (as linking a Cedar template per
  principal would) and the policy also checks that the context's `aws:username` is that name;
- conditions: String(Not)Equals, String(Not)Like, Bool, (Not)IpAddress, each with IAM's
  missing-key rule (negated operators hold when the key is absent). Context keys are
  lower-cased like iamd's; boolean keys are passed as Cedar booleans (IAM compares them
  case-insensitively, Cedar has no lower-casing);
- the combination for a same-account IAM user: any matching Deny wins; every SCP level must
  allow (`forbid … unless { <the level's Allow statements> }`); the permissions boundary must
  allow unless the resource policy names the user (or `*`) itself; a resource policy Allow
  naming the user grants on its own. An Allow naming only the account adds nothing in the
  same account (identity policies count there anyway) and is left out.

Explicit denies are annotated `@id("deny:…")`, the SCP/boundary guards `@id("guard:…")`, so a
Cedar Deny maps back to IAM's ExplicitDeny or ImplicitDeny for the agreement check.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .policy_bench import PolicySetup

try:
    import cedarpy
    from cedarpy import _internal as cedar_core  # the Rust call, for the "engine only" floor

    _IMPORT_ERROR: str | None = None
except ImportError as exc:  # pragma: no cover - depends on the environment
    cedarpy = None  # type: ignore[assignment]
    cedar_core = None  # type: ignore[assignment]
    _IMPORT_ERROR = f"cedarpy is not installed: {exc}"

# Global condition keys whose values are booleans (passed to Cedar as booleans).
BOOL_KEYS = frozenset(
    {"aws:securetransport", "aws:multifactorauthpresent", "aws:viaawsservice", "aws:principalisawsservice"}
)


class UntranslatableError(ValueError):
    """An IAM element the translation cannot express exactly in Cedar."""


def available() -> bool:
    return cedarpy is not None


def why_unavailable() -> str | None:
    return _IMPORT_ERROR


def version() -> str:
    from importlib.metadata import version as package_version

    return package_version("cedarpy")


# --- translation --------------------------------------------------------------------------


def _escaped(text: str) -> str:
    """Text as it goes between the quotes of a Cedar string literal."""
    if not text.isascii() or not text.isprintable():
        raise UntranslatableError(f"`{text}`: only printable ASCII is translated")
    return text.replace("\\", "\\\\").replace('"', '\\"')


def _string(text: str) -> str:
    return f'"{_escaped(text)}"'


def _like_pattern(glob: str) -> str:
    """Cedar `like` literal for an IAM glob whose only wildcard is `*`."""
    if "?" in glob:
        raise UntranslatableError(f"`{glob}`: `?` has no Cedar equivalent")
    return _string(glob)


def _any(terms: Sequence[str]) -> str:
    if "true" in terms:
        return "true"
    terms = [f"({t})" if " && " in t else t for t in terms]
    return terms[0] if len(terms) == 1 else "(" + " || ".join(terms) + ")"


def _all(terms: Iterable[str]) -> str:
    kept = [t for t in terms if t != "true"]
    return " && ".join(kept) if kept else "true"


def _strings(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def _actions(patterns: Sequence[str]) -> str:
    terms = []
    for pattern in (p.lower() for p in patterns):
        if pattern == "*":
            terms.append("true")
        elif "*" in pattern or "?" in pattern:
            terms.append(f"context.action_name like {_like_pattern(pattern)}")
        else:
            terms.append(f"action == Action::{_string(pattern)}")
    return _any(terms)


def _resource(pattern: str, username: str) -> str:
    if pattern == "*":
        return "true"
    parts = pattern.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        raise UntranslatableError(f"`{pattern}` is not an ARN pattern")
    for part in parts[1:5]:
        if "?" in part or "*" in part[:-1] or "${" in part:
            raise UntranslatableError(f"`{pattern}`: a wildcard inside an ARN part stops at `:`")
    if "${" not in parts[5]:
        return f"context.resource_arn like {_like_pattern(pattern)}"
    pieces = parts[5].split("${aws:username}")
    if any("${" in piece or "?" in piece for piece in pieces):
        raise UntranslatableError(f"`{pattern}`: only `${{aws:username}}` and `*` are translated")
    # The substituted name matches itself literally, `*` included.
    name = _escaped(username).replace("*", "\\*")
    like = _escaped(":".join(parts[:5]) + ":") + name.join(_escaped(piece) for piece in pieces)
    guard = f'context has "aws:username" && context["aws:username"] == {_string(username)}'
    return f'{guard} && context.resource_arn like "{like}"'


def _resources(patterns: Sequence[str], username: str) -> str:
    return _any([_resource(p, username) for p in patterns])


def _condition(operator: str, key: str, raw: Any) -> str:
    values = _strings(raw)
    if any("${" in v for v in values):
        raise UntranslatableError(f"`{operator}`: variables in condition values are not translated")
    key = key.lower()
    has, ref = f"context has {_string(key)}", f"context[{_string(key)}]"
    is_bool_key = key in BOOL_KEYS
    if operator == "Bool":
        if not is_bool_key:
            raise UntranslatableError(f"`{key}` is not a known boolean key")
        wanted = sorted({v.lower() for v in values} & {"true", "false"})
        return f"({has} && {_any([f'{ref} == {w}' for w in wanted] or ['false'])})"
    if is_bool_key:
        raise UntranslatableError(f"`{operator}` on boolean key `{key}`")
    positive, negated = {
        "StringEquals": ("equals", False),
        "StringNotEquals": ("equals", True),
        "StringLike": ("like", False),
        "StringNotLike": ("like", True),
        "IpAddress": ("ip", False),
        "NotIpAddress": ("ip", True),
    }.get(operator, (None, False))
    if positive == "equals":
        test = f"[{', '.join(_string(v) for v in values)}].contains({ref})"
    elif positive == "like":
        test = _any([f"{ref} like {_like_pattern(v)}" for v in values])
    elif positive == "ip":
        test = _any([f"ip({ref}).isInRange(ip({_string(v)}))" for v in values])
    else:
        raise UntranslatableError(f"condition operator `{operator}` is not translated")
    # IAM: a missing key fails a positive operator and satisfies a negated one.
    return f"(!({has}) || !({test}))" if negated else f"({has} && {test})"


def _principal(st: Mapping[str, Any], principal_arn: str, account: str) -> tuple[str, bool]:
    """(Cedar test, whether it names users or everyone); account entries name neither."""
    element = st["Principal"]
    if element == "*":
        return "true", True
    named: list[str] = []
    for kind, entries in element.items():
        for entry in _strings(entries):
            if kind == "AWS" and entry == "*":
                return "true", True
            if kind == "AWS" and entry in (account, f"arn:aws:iam::{account}:root"):
                continue  # the caller's account: delegation, see the module docstring
            if kind != "AWS" or ":user/" not in entry:
                raise UntranslatableError(f"principal `{entry}` is not translated")
            named.append(f"principal == User::{_string(entry)}")
    if not named:
        return "false", False
    return _any(named), True


def _action_scope(st: Mapping[str, Any]) -> str | None:
    """A scope constraint for an Action list without wildcards (idiomatic Cedar), else None."""
    actions = [a.lower() for a in _strings(st.get("Action", []))]
    if not actions or any("*" in a or "?" in a for a in actions):
        return None
    if len(actions) == 1:
        return f"action == Action::{_string(actions[0])}"
    return f"action in [{', '.join(f'Action::{_string(a)}' for a in actions)}]"


def _statement_body(st: Mapping[str, Any], username: str, *, scoped: bool = False) -> str:
    """The statement as one Cedar condition (without its Action when `scoped`)."""
    if "Action" in st:
        action = "true" if scoped else _actions(_strings(st["Action"]))
    else:
        excluded = _actions(_strings(st["NotAction"]))
        action = "false" if excluded == "true" else f"!({excluded})"
    if "Resource" in st:
        resource = _resources(_strings(st["Resource"]), username)
    elif "NotResource" in st:
        excluded = _resources(_strings(st["NotResource"]), username)
        resource = "false" if excluded == "true" else f"!({excluded})"
    else:
        raise UntranslatableError("statements without Resource are not translated")
    conditions = [
        _condition(op, key, raw) for op, block in (st.get("Condition") or {}).items() for key, raw in block.items()
    ]
    if "NotPrincipal" in st:
        raise UntranslatableError("NotPrincipal is not translated")
    return _all([action, resource, *conditions])


def _statements(doc: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    statements = doc["Statement"]
    return [statements] if isinstance(statements, Mapping) else list(statements)


def _policy(
    annotation: str, effect: str, principal_scope: str, body: str, *, unless: bool = False, action_scope: str | None = None
) -> str:
    clause = "unless" if unless else "when"
    scope = f"{principal_scope}, {action_scope or 'action'}, resource"
    return f'@id({_string(annotation)})\n{effect} ({scope})\n{clause} {{ {body} }};'


def translate(setup: PolicySetup, *, principal_arn: str, username: str) -> str:
    """Cedar policy text deciding like IAM for `principal_arn`'s requests under `setup`."""
    account = principal_arn.split(":")[4]
    user_scope = f"principal == User::{_string(principal_arn)}"
    out: list[str] = []

    def add_document(doc: Mapping[str, Any], name: str, scope: str) -> list[str]:
        """Emits the document's statements; returns the bodies of its Allow statements."""
        allows = []
        for n, st in enumerate(_statements(doc)):
            action_scope = _action_scope(st)
            body = _statement_body(st, username, scoped=action_scope is not None)
            label = f"{name}:{st.get('Sid') or n}"
            if st["Effect"] == "Deny":
                out.append(_policy(f"deny:{label}", "forbid", scope, body, action_scope=action_scope))
            else:
                allows.append(_statement_body(st, username))  # for a guard: the whole statement
                if name.startswith("identity"):
                    out.append(_policy(f"allow:{label}", "permit", scope, body, action_scope=action_scope))
        return allows

    for i, doc in enumerate(setup.identity):
        add_document(doc, f"identity:p{i}", user_scope)
    direct_grants: list[str] = []  # resource policy Allows naming the user or everyone
    if setup.resource is not None:
        for n, st in enumerate(_statements(setup.resource)):
            who, names_user = _principal(st, principal_arn, account)
            action_scope = _action_scope(st)
            body = _all([who, _statement_body(st, username, scoped=action_scope is not None)])
            label = f"resource:{st.get('Sid') or n}"
            if st["Effect"] == "Deny":
                if not names_user:
                    raise UntranslatableError("a Deny naming an account is not translated")
                out.append(_policy(f"deny:{label}", "forbid", "principal", body, action_scope=action_scope))
            elif names_user:
                direct_grants.append(_all([who, _statement_body(st, username)]))
                out.append(_policy(f"allow:{label}", "permit", "principal", body, action_scope=action_scope))
    if setup.boundary is not None:
        allows = add_document(setup.boundary, "boundary", user_scope)
        out.append(_policy("guard:boundary", "forbid", user_scope, _any(allows + direct_grants or ["false"]), unless=True))
    for level, docs in enumerate(setup.scp_levels):
        allows = [body for i, doc in enumerate(docs) for body in add_document(doc, f"scp-L{level}-{i}", "principal")]
        guard = _any(allows or ["false"])
        if guard != "true":  # a level with an unconditional Allow * needs no guard
            out.append(_policy(f"guard:scp-L{level}", "forbid", "principal", guard, unless=True))
    return "\n\n".join(out) + "\n"


# --- requests and timing ------------------------------------------------------------------


def cedar_request(principal: str, action: str, resource: str, context: Mapping[str, str]) -> dict[str, Any]:
    """What a caller builds per request: lower-cased keys and action, typed booleans."""
    ctx: dict[str, Any] = {}
    for key, value in context.items():
        key = key.lower()
        if key in BOOL_KEYS:
            folded = value.lower()
            if folded == "true" or folded == "false":
                ctx[key] = folded == "true"
                continue
        ctx[key] = value
    action_name = action.lower()
    ctx["action_name"] = action_name
    ctx["resource_arn"] = resource
    return {
        "principal": {"type": "User", "id": principal},
        "action": {"type": "Action", "id": action_name},
        "resource": {"type": "Resource", "id": resource},
        "context": ctx,
    }


class CedarSetup:
    """One translated policy set, parsed once, with an (empty) pre-parsed entity set."""

    def __init__(self, setup: PolicySetup, *, principal: str, username: str) -> None:
        assert cedarpy is not None, _IMPORT_ERROR
        self.principal = principal
        self.text = translate(setup, principal_arn=principal, username=username)
        self.policy_set = cedarpy.PolicySet.from_str(self.text)
        self.policy_count = len(self.policy_set)
        # Everything the policies test is in the request, so no entity data is needed.
        self.entities = cedarpy.Entities.from_json_str("[]")

    def three_state(self, action: str, resource: str, context: Mapping[str, str]) -> str:
        result = cedarpy.is_authorized(cedar_request(self.principal, action, resource, context), self.policy_set,
                                       self.entities)  # fmt: skip
        if result.diagnostics.errors:
            raise AssertionError(f"cedar evaluation errors: {result.diagnostics.errors}")
        if result.allowed:
            return "Allow"
        annotations = result.diagnostics.id_annotations_by_reason.values()
        return "ExplicitDeny" if any(a.startswith("deny:") for a in annotations) else "ImplicitDeny"

    def check_agrees(self, samples: Sequence[tuple[str, str, Mapping[str, str]]], expected: Sequence[str]) -> None:
        """Raises unless Cedar decides every sample as iamd did (Allow/ExplicitDeny/ImplicitDeny)."""
        wrong = []
        for (action, resource, context), want in zip(samples, expected, strict=True):
            got = self.three_state(action, resource, context)
            if got != want:
                wrong.append(f"{action} {resource}: iamd {want}, cedar {got}")
        if wrong:
            raise AssertionError(f"{len(wrong)} of {len(samples)} decisions differ, e.g. " + "; ".join(wrong[:5]))
        if len(set(expected)) < 3:
            raise AssertionError("the samples must include allowed, implicitly and explicitly denied requests")

    def batches(
        self, raw: Sequence[tuple[str, str, Mapping[str, str]]]
    ) -> tuple[Callable[[int], object], Callable[[int], object], Callable[[int], object]]:
        """(decide only, request and decide, the Rust call alone), each making n calls."""
        assert cedarpy is not None and cedar_core is not None
        is_authorized = cedarpy.is_authorized
        policy_set, entities, principal = self.policy_set, self.entities, self.principal
        mask = len(raw) - 1
        assert len(raw) & mask == 0, "a power of two"
        # Decide only: the request is ready, its context already serialised (cedarpy would
        # otherwise json.dumps it on every call).
        ready = []
        for action, resource, context in raw:
            request = cedar_request(principal, action, resource, context)
            ready.append({**request, "context": json.dumps(request["context"])})
        assert all(is_authorized(r, policy_set, entities).allowed for r in ready)
        core_entities = entities._inner

        def decide_only(n: int) -> object:
            for i in range(n):
                is_authorized(ready[i & mask], policy_set, entities)
            return None

        def request_and_decide(n: int) -> object:
            for i in range(n):
                action, resource, context = raw[i & mask]
                is_authorized(cedar_request(principal, action, resource, context), policy_set, entities)
            return None

        def engine_call(n: int) -> object:
            for i in range(n):
                cedar_core.is_authorized(ready[i & mask], policy_set, core_entities, None, False)
            return None

        return decide_only, request_and_decide, engine_call
