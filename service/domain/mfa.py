"""Virtual MFA devices: one stream per device, folded into its state; the deciders of its commands.

Code checking itself (TOTP) is in service/auth/totp.py; the app layer decrypts the seed and
passes the verified time step here, which refuses a step already spent (no replay).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from . import names
from .errors import (AccessDeniedError, DeleteConflictError, EntityAlreadyExistsError, InvalidAuthenticationCodeError,
                     LimitExceededError, NoSuchEntityError)
from .events import (
    Event,
    MFADeviceDeactivated,
    MFADeviceEnabled,
    MFADeviceResynchronized,
    MFADeviceTagged,
    MFADeviceUsed,
    ReservationVoided,
    VirtualMFADeviceCreated,
    VirtualMFADeviceDeleted,
    VirtualMFADeviceSeedReencrypted,
)

MAX_DEVICES_PER_USER = 8


@dataclass
class MFADeviceState:
    exists: bool = False
    name: str = ""
    serial_number: str = ""
    path: str = "/"
    seed_ciphertext: str = ""
    created_at: str = ""
    user_name: str = ""  # "" while not enabled for a user
    user_id: str = ""
    enabled_at: str = ""
    last_step: int = -1
    last_used_at: str = ""
    drift: int = 0  # time steps the device's clock is ahead of iamd's (ResyncMFADevice)
    tags: dict[str, str] = field(default_factory=dict)


def fold(events: Iterable[Event]) -> MFADeviceState:
    state = MFADeviceState()
    for event in events:
        match event:
            case VirtualMFADeviceCreated():
                state = MFADeviceState(True, event.name, event.serial_number, event.path, event.seed_ciphertext,
                                       event.created_at, tags=dict(event.tags))
            case MFADeviceTagged(tags=tags):
                state.tags = dict(tags)
            case VirtualMFADeviceSeedReencrypted():  # a rotation of the key-encryption key
                state.seed_ciphertext = event.seed_ciphertext
            case MFADeviceEnabled():
                state.user_name, state.user_id = event.user_name, event.user_id
                state.enabled_at, state.last_step = event.enabled_at, event.last_step
                state.drift = 0
            case MFADeviceUsed():
                state.last_step, state.last_used_at = event.step, event.used_at
            case MFADeviceResynchronized():
                state.last_step, state.drift = event.step, event.drift
            case MFADeviceDeactivated():
                state.user_name, state.user_id, state.enabled_at = "", "", ""
            case VirtualMFADeviceDeleted():
                state = MFADeviceState()
            case ReservationVoided():
                pass  # an enabling whose user was deleted meanwhile: it can no longer be committed
            case _:
                raise ValueError(f"{type(event).__name__} does not apply to an MFA device")
    return state


def not_found(serial_number: str) -> NoSuchEntityError:
    return NoSuchEntityError(f"MFA device with serial number {serial_number} does not exist.",
                             resource_type="mfa device", resource_name=serial_number)


def create(state: MFADeviceState, *, name: str, serial_number: str, path: str, seed_ciphertext: str,
           now: str, tags: Mapping[str, str] | None = None) -> list[Event]:
    if state.exists:
        raise EntityAlreadyExistsError("MFADevice entity at the same path and name already exists.",
                                       resource_type="mfa device", resource_name=name)
    return [VirtualMFADeviceCreated(name, serial_number, path, seed_ciphertext, now, dict(tags or {}))]


def tag(state: MFADeviceState, serial_number: str, tags: Mapping[str, str]) -> list[Event]:
    if not state.exists:
        raise not_found(serial_number)
    merged = names.merge_tags(state.tags, tags)
    return [MFADeviceTagged(merged)] if merged != state.tags else []


def untag(state: MFADeviceState, serial_number: str, keys: Iterable[str]) -> list[Event]:
    if not state.exists:
        raise not_found(serial_number)
    remaining = names.without_tags(state.tags, keys)
    return [MFADeviceTagged(remaining)] if remaining != state.tags else []


def enable(state: MFADeviceState, *, user_name: str, user_id: str, devices_of_user: int, step: int | None,
           now: str, reservation_id: str = "") -> list[Event]:
    if not state.exists:
        raise not_found(state.serial_number or "?")
    if state.user_name:
        raise EntityAlreadyExistsError("MFA device is already in use.", resource_type="mfa device",
                                       resource_name=state.serial_number)
    if devices_of_user >= MAX_DEVICES_PER_USER:
        raise LimitExceededError(f"Cannot exceed quota for MFADevicesPerUser: {MAX_DEVICES_PER_USER}",
                                 quota="MFADevicesPerUser")
    if step is None:
        raise InvalidAuthenticationCodeError("Authentication code for device is not valid.")
    # Never rewound: enabling again (after a deactivation) with codes of earlier steps would make
    # codes already spent since then usable once more.
    return [MFADeviceEnabled(user_name, user_id, now, max(step, state.last_step), reservation_id)]


def use(state: MFADeviceState, *, user_id: str, step: int | None, now: str) -> list[Event]:
    """Accept a code for the device's own user: its step must be newer than any spent one. A code
    that is wrong, spent or for another's device is AccessDenied, as STS answers it (API reference,
    GetSessionToken: "An incorrect MFA code causes the API to return an access denied error")."""
    if not state.exists or state.user_id != user_id:
        raise AccessDeniedError("MultiFactorAuthentication failed: the MFA device is not enabled for the caller.")
    if step is None or step <= state.last_step:
        raise AccessDeniedError("MultiFactorAuthentication failed with invalid MFA one time pass code.")
    return [MFADeviceUsed(step, now)]


def resync(state: MFADeviceState, *, user_name: str, serial_number: str, step: int | None, current_step: int,
           now: str) -> list[Event]:
    """ResyncMFADevice: the device must be enabled for the user; `step` is where its two
    consecutive codes matched (None: nowhere near), which must be newer than any spent one."""
    if not state.exists or not state.user_name or state.user_name.casefold() != user_name.casefold():
        raise not_found(serial_number)
    if step is None or step <= state.last_step:
        raise InvalidAuthenticationCodeError("Authentication code for device is not valid.")
    return [MFADeviceResynchronized(step, step - current_step, now)]


def deactivate(state: MFADeviceState, user_name: str) -> list[Event]:
    # A device enabled for nobody has no association to remove (with no user name, "" matched it).
    if not state.exists or not state.user_name or state.user_name.casefold() != user_name.casefold():
        raise not_found(state.serial_number or "?")
    return [MFADeviceDeactivated(state.user_name)]


def delete(state: MFADeviceState) -> list[Event]:
    if not state.exists:
        raise not_found(state.serial_number or "?")
    if state.user_name:
        raise DeleteConflictError("MFA device is still in use by a user; deactivate it first.",
                                  blockers=[f"enabled for {state.user_name}"], resource_type="mfa device",
                                  resource_name=state.serial_number)
    return [VirtualMFADeviceDeleted()]
