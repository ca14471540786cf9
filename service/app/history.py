"""Time travel and history: the identity state as it was at a past position or moment, the events
that changed an entity, and the determinism check (rebuild from the log, compare with live).

A past state is rebuilt by replaying the identity log up to the moment asked for; the few most
recent rebuilds are kept, so explaining several decisions of one moment replays once.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson

from iamd.projections.identity import IDENTITY_STREAMS, IdentityProjection
from iamd.projections.principals import AwsPolicyLookup, PrincipalPolicyCache
from iamd.projections.runner import ProjectionRunner
from iamd.service.domain.errors import FieldProblem, InvalidInputError, NoSuchEntityError
from iamd.service.domain.events import GROUP, POLICY, ROLE, USER
from iamd.service.domain.names import parse_policy_arn, stream_name
from iamd.service.eventstore.port import EventStore

from .authorize import Authorizer
from .ports import Clock

_CACHE_SIZE = 4


@dataclass(frozen=True)
class AsOf:
    position: int = 0  # 0: not given
    time: str = ""  # ISO 8601; "": not given

    @property
    def given(self) -> bool:
        return bool(self.position or self.time)


class TimeTravel:
    def __init__(self, store: EventStore, clock: Clock, runner: ProjectionRunner,
                 aws_policies: AwsPolicyLookup | None = None) -> None:
        self.store = store
        self.clock = clock
        self.runner = runner
        self.aws_policies = aws_policies  # AWS managed policies are today's, whatever the moment
        self._cache: OrderedDict[tuple[int, str], Authorizer] = OrderedDict()

    async def authorizer_at(self, as_of: AsOf, moment: str = "") -> Authorizer:
        """An Authorizer over the identity state as it was at `as_of` (its position is the state's),
        deciding at that moment: as_of's time, else `moment` (ISO 8601), else now."""
        if as_of.position and as_of.time:
            raise InvalidInputError("give as_of as a position or a time, not both",
                                    problems=[FieldProblem("asOf", "one of position, time")])
        until = None
        if as_of.time:
            try:
                until = datetime.fromisoformat(as_of.time.replace("Z", "+00:00"))
            except ValueError:
                raise InvalidInputError(f"as_of time `{as_of.time}` is not ISO 8601",
                                        problems=[FieldProblem("asOf.time", "ISO 8601")]) from None
            if until.tzinfo is None:
                until = until.replace(tzinfo=UTC)
        # The live engine decided with that moment's aws:CurrentTime (and MFA age): so does the
        # past one, or a grant that has expired since reads as never having been in force.
        at = until or (datetime.fromisoformat(moment.replace("Z", "+00:00")) if moment else None)
        clock: Clock = _FixedClock(at) if at is not None else self.clock
        # Times are whole seconds, in entity history and audit records alike: an event shown at T
        # happened at T, so as of T includes it (its commit, a fraction later, would not be).
        limit = until.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S") if until is not None else ""
        projection = IdentityProjection()
        async for event in self.store.read_all(filter=IDENTITY_STREAMS):
            if as_of.position and event.position > as_of.position:
                break
            if until is not None:
                shown = event.metadata.get("time")
                later = shown[:19] > limit if isinstance(shown, str) and len(shown) >= 19 else event.recorded_at > until
                if later:
                    break
            projection.apply(event)
        key = (projection.position, at.isoformat() if at is not None else "")
        cached = self._cache.get(key)
        if cached is not None:
            self._cache.move_to_end(key)
            return cached
        authorizer = Authorizer(PrincipalPolicyCache(projection, self.aws_policies), self.runner, clock)
        self._cache[key] = authorizer
        if len(self._cache) > _CACHE_SIZE:
            self._cache.popitem(last=False)
        return authorizer

    async def replay_matches_live(self, live: IdentityProjection) -> tuple[bool, int, list[str]]:
        """Rebuild the identity state from the log alone, up to the live projection's position,
        and compare it with what the live projection serves: (equal, position, differences)."""
        position = live.position
        # A deep copy taken now: the live projection keeps applying events while we replay.
        theirs = orjson.loads(orjson.dumps(live.to_snapshot()))
        rebuilt = IdentityProjection()
        async for event in self.store.read_all(filter=IDENTITY_STREAMS):
            if event.position > position:
                break
            rebuilt.apply(event)
        mine = orjson.loads(orjson.dumps(rebuilt.to_snapshot()))
        differences = [key for key in sorted(set(mine) | set(theirs)) if mine.get(key) != theirs.get(key)]
        # A state equal to itself can still be wrong: a reference to an entity that is gone.
        differences += [f"dangling reference: {d}" for d in rebuilt.dangling_references()]
        return not differences, position, differences


class _FixedClock:
    """A clock stopped at a past moment: the one a past decision was made at."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)

    def now(self) -> datetime:
        return self.moment


async def entity_history(store: EventStore, account_id: str, kind: str, name: str) -> list[dict[str, Any]]:
    """Every event of an entity's stream, oldest first, with who did it and when."""
    if kind == POLICY:
        arn = name
        owner, path, name = parse_policy_arn("policyArn", arn)
        if owner != account_id:  # an AWS managed policy or another account's: not the caller's namesake
            raise NoSuchEntityError(f"Policy {arn} does not exist or is not attachable.", resource_type=kind,
                                    resource_name=arn)
    if kind not in (USER, GROUP, ROLE, POLICY):
        raise InvalidInputError(f"no history for `{kind}` entities", problems=[FieldProblem("target.kind", kind)])
    events = await _with_renames(store, await store.read_stream(stream_name(kind, account_id, name)))
    if kind == POLICY:  # the policies ever at that ARN: one of that name at another path is another's
        held, kept = False, []
        for e in events:
            if e.type == "PolicyCreated":
                held = e.data.get("path", "/") == path
            if held:
                kept.append(e)
        events = kept
    if not events:
        raise NoSuchEntityError(f"no {kind} named {name} ever existed", resource_type=kind, resource_name=name)
    return [{"position": e.position, "version": e.version, "type": e.type, "time": e.metadata.get("time", ""),
             "actor": e.metadata.get("actor", ""), "request_id": e.metadata.get("request_id", ""),
             "source_ip": e.metadata.get("source_ip", ""),
             "data": shown(e.data)} for e in events]


async def _with_renames(store: EventStore, events: list[Any]) -> list[Any]:
    """The stream's events and, for each rename into it (a claim its old stream confirmed with the
    matching Renamed), the renamed entity's events in its old stream: its creation (or its own claim)
    up to that Renamed, not those of another entity that held or took the old name. Oldest first."""
    found = {e.position: e for e in events}
    for claim in events:
        if not claim.type.endswith("NameClaimed") or not claim.data.get("from_stream"):
            continue
        old = await store.read_stream(claim.data["from_stream"])
        last = int(claim.data.get("from_version", -1)) + 1
        closing = [e for e in old if e.version == last and e.type.endswith("Renamed")
                   and e.data.get("new_stream") == claim.stream]
        if not closing:
            continue  # a claim that lost its race (released): no rename happened
        mine = [e for e in old if e.version <= last]
        starts = [i for i, e in enumerate(mine) if e.type in ("UserCreated", "GroupCreated")
                  or e.type.endswith("NameClaimed")]
        mine = mine[starts[-1]:] if starts else mine
        for e in await _with_renames(store, mine):
            found.setdefault(e.position, e)
    return [found[p] for p in sorted(found)]


def shown(value: Any) -> Any:
    """The value without its secrets, at any depth: a rename's NameClaimed carries the entity's whole
    state (a login profile's password hashes, a credential's hash) into the new name's stream."""
    if isinstance(value, dict):
        return {k: shown(v) for k, v in value.items() if k not in NOT_SHOWN}
    if isinstance(value, list):
        return [shown(v) for v in value]
    return value


# Encrypted or hashed secrets: useless to a reader of the history, and no business of theirs.
NOT_SHOWN = frozenset({"secret_ciphertext", "seed_ciphertext", "token_sha256", "password_hash",
                        "private_key_ciphertext", "previous_hashes"})
