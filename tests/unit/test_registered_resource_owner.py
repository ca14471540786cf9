"""The projection's registered resources (issue 12): an ARN without an account (a bucket's) is its
first registrant's; a later write of another account to it (two first registrations racing past
the use case's check) changes nothing the decisions read."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import count

from iamd.projections.identity import IdentityProjection
from iamd.service.domain import resources
from iamd.service.domain.events import Event, ResourcePolicyDeleted, ResourcePolicyPut, ResourceTagged, event_type
from iamd.service.eventstore.port import RecordedEvent

BUCKET = "arn:aws:s3:::raced"
OWNER, OTHER = "111111111111", "222222222222"


def test_another_accounts_write_to_a_registered_arn_changes_nothing() -> None:
    projection = IdentityProjection()
    positions = count(1)

    def append(account_id: str, event: Event) -> None:
        position = next(positions)
        projection.apply(RecordedEvent(
            id=f"e-{position}", stream=resources.stream(account_id, BUCKET), version=position, position=position,
            type=event_type("resource", event), schema_version=1, data=event.to_data(), metadata={},
            recorded_at=datetime(2026, 12, 5, tzinfo=UTC)))

    append(OWNER, ResourcePolicyPut(BUCKET, '{"owner": 1}'))
    append(OWNER, ResourceTagged(BUCKET, {"stage": "prod"}))
    append(OTHER, ResourcePolicyPut(BUCKET, '{"other": 1}'))
    append(OTHER, ResourceTagged(BUCKET, {"stage": "dev"}))
    append(OTHER, ResourcePolicyDeleted(BUCKET))
    assert projection.resources[BUCKET] == {"account_id": OWNER, "policy": '{"owner": 1}', "tags": {"stage": "prod"}}
    append(OWNER, ResourcePolicyDeleted(BUCKET))
    assert projection.resources[BUCKET]["policy"] == ""
