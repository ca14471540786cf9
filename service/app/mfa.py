"""Virtual MFA devices (TOTP): create (the seed is returned once), enable with two consecutive
codes, deactivate, delete, list; and checking a code for STS (each time step usable once)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from iamd.projections.identity import IdentityProjection, View
from iamd.service.auth import totp
from iamd.service.auth.keyring import Keyring
from iamd.service.domain import identity, mfa, names
from iamd.service.domain.errors import AccessDeniedError, FieldProblem, InvalidInputError, ValidationError
from iamd.service.domain.events import USER
from iamd.service.domain.names import casefold, stream_name

from .authenticate import Caller
from .ports import CallContext, Clock, iso8601
from .repository import Loaded, Repository, with_retries

MFA = "mfa"
# ResyncMFADevice looks for the device's codes this many 30-second steps either side of iamd's
# clock (30 minutes): a device is resynchronized because it drifted further than the one step
# either side that a code is accepted within.
RESYNC_WINDOW = 60


@dataclass(frozen=True)
class NewVirtualMFADevice:
    serial_number: str
    base32_seed: str
    provisioning_uri: str

    def __repr__(self) -> str:  # never print the seed
        return f"NewVirtualMFADevice({self.serial_number!r})"


def _serial_parts(serial_number: str) -> tuple[str, str]:
    """(account, device name) of `arn:aws:iam::ACCOUNT:mfa/PATH/NAME`."""
    prefix = "arn:aws:iam::"
    if not serial_number.startswith(prefix) or ":mfa/" not in serial_number:
        raise InvalidInputError(f"`{serial_number}` is not a virtual MFA device serial number (its ARN)",
                                problems=[FieldProblem("serialNumber", "arn:aws:iam::ACCOUNT:mfa/NAME")])
    account, _, rest = serial_number[len(prefix):].partition(":mfa/")
    return account, rest.rsplit("/", 1)[-1]


class MfaCommands:
    def __init__(self, repo: Repository, clock: Clock, keyring: Keyring, projection: IdentityProjection) -> None:
        self.repo = repo
        self.clock = clock
        self.keyring = keyring
        self.projection = projection

    async def _load(self, account_id: str, name: str) -> Loaded:
        return await self.repo.load(stream_name(MFA, account_id, name), mfa.fold)

    async def _existing(self, account_id: str, name: str, serial_number: str) -> tuple[Loaded, mfa.MFADeviceState]:
        """The device's stream and state; NoSuchEntity unless it exists under that serial number."""
        loaded = await self._load(account_id, name)
        state: mfa.MFADeviceState = loaded.state  # type: ignore[assignment]
        if not state.exists or state.serial_number != serial_number:
            raise mfa.not_found(serial_number)
        return loaded, state

    async def create_virtual_mfa_device(self, ctx: CallContext, *, name: str, path: str = "",
                                        tags: Sequence[tuple[str, str]] = ()) -> tuple[NewVirtualMFADevice, int]:
        names.check_name("user", "virtualMFADeviceName", name)
        path = names.check_path("path", path)
        tag_map = names.check_tags("tags", tags)
        serial = f"arn:aws:iam::{ctx.account_id}:mfa{path}{name}"
        seed = totp.new_seed(os.urandom(20))
        ciphertext = self.keyring.encrypt(seed.encode(), context=serial)
        now = iso8601(self.clock.now())

        async def attempt() -> int:
            loaded = await self._load(ctx.account_id, name)
            events = mfa.create(loaded.state, name=name, serial_number=serial, path=path,
                                seed_ciphertext=ciphertext, now=now, tags=tag_map)
            return await self.repo.append(MFA, loaded, events, ctx, now)

        position = await with_retries(attempt)
        return NewVirtualMFADevice(serial, seed, totp.provisioning_uri(seed, f"{name}@{ctx.account_id}")), position

    def _seed(self, state: mfa.MFADeviceState) -> str:
        return self.keyring.decrypt(state.seed_ciphertext, context=state.serial_number).decode()

    async def enable_mfa_device(self, ctx: CallContext, *, user_name: str, serial_number: str,
                                code1: str, code2: str) -> int:
        names.check_name(USER, "userName", user_name)
        account_id, name = _serial_parts(serial_number)
        account = self.projection.account(ctx.account_id)
        user = account.users.get(casefold(user_name)) if account else None
        if user is None or account_id != ctx.account_id:
            raise identity.not_found(USER, user_name) if user is None else mfa.not_found(serial_number)
        now = self.clock.now()

        async def attempt() -> int:
            loaded, state = await self._existing(ctx.account_id, name, serial_number)
            step = totp.verify_consecutive(self._seed(state), code1, code2, now.timestamp())
            # The device refers to the user: reserved in the user's stream first (it races
            # DeleteUser there), then committed in the device's (Repository.reference).
            owner = await self.repo.load_entity(USER, ctx.account_id, user_name)
            u: identity.EntityState = identity.require(owner.state, user_name)  # type: ignore[arg-type]
            if u.id != user["id"]:
                raise identity.not_found(USER, user_name)  # another user of that name since the check
            # Counted at the user's stream version the reservation below is appended at (a call the
            # device or its codes refuse anyway needs no count).
            devices = (await self._enabled_for(ctx, u, loaded.stream, iso8601(now))
                       if step is not None and not state.user_name else 0)
            return await self.repo.reference(
                USER, owner,
                lambda rid, version: identity.reserve(u, user_name, reservation_id=rid, relation="mfa",
                                                      holder_stream=loaded.stream, holder_id=serial_number,
                                                      holder_version=version),
                MFA, loaded,
                lambda rid: mfa.enable(state, user_name=u.name, user_id=u.id, devices_of_user=devices, step=step,
                                       now=iso8601(now), reservation_id=rid), ctx, iso8601(now))

        return await with_retries(attempt)

    async def _enabled_for(self, ctx: CallContext, user: identity.EntityState, enabling: str, now: str) -> int:
        """How many devices other than `enabling` (a stream) are enabled for the user, read from the
        devices' streams, not the projection: a concurrent EnableMFADevice may have committed but
        not be projected yet, and counting it out let two calls pass MFADevicesPerUser together.
        Every enabling reserves in the user's stream first; settling those reservations makes each
        one committed or void (one in flight is voided and retries), so none slips past the count."""
        reservations = {rid: r for rid, r in user.reservations.items() if r["relation"] == "mfa"}
        await self.repo.settle_reservations(reservations, ctx, now)
        streams = {r["holder_stream"] for r in reservations.values()}
        streams |= {stream_name(MFA, ctx.account_id, _serial_parts(d["serial_number"])[1])
                    for d in self.devices_of(ctx.account_id, user.id)}
        streams.discard(enabling)
        loaded = await asyncio.gather(*(self.repo.load(stream, mfa.fold) for stream in streams))
        return sum(1 for device in loaded if device.state.user_id == user.id)  # type: ignore[attr-defined]

    async def resync_mfa_device(self, ctx: CallContext, *, user_name: str, serial_number: str,
                                code1: str, code2: str) -> int:
        """ResyncMFADevice: find the device's two consecutive codes within RESYNC_WINDOW steps of
        iamd's clock and keep how far off the device is."""
        names.check_name(USER, "userName", user_name)
        account = self.projection.account(ctx.account_id)
        if account is None or casefold(user_name) not in account.users:
            raise identity.not_found(USER, user_name)
        name = self._own_device(ctx, serial_number)
        now = self.clock.now()

        async def attempt() -> int:
            loaded, state = await self._existing(ctx.account_id, name, serial_number)
            step = (totp.verify_consecutive(self._seed(state), code1, code2, now.timestamp(), window=RESYNC_WINDOW)
                    if state.user_name else None)
            events = mfa.resync(state, user_name=user_name, serial_number=serial_number, step=step,
                                current_step=totp.time_step(now.timestamp()), now=iso8601(now))
            return await self.repo.append(MFA, loaded, events, ctx, iso8601(now))

        return await with_retries(attempt)

    def mfa_device(self, ctx: CallContext, caller: Caller, serial_number: str, user_name: str = "") -> View:
        """GetMFADevice: a device enabled for the user (the calling user when none is named)."""
        name = user_name or (caller.name if caller.kind == "user" else "")
        if name:
            names.check_name(USER, "userName", name)
        account = self.projection.account(ctx.account_id)
        user = account.users.get(casefold(name)) if account and name else None
        if name and user is None:
            raise identity.not_found(USER, name)
        device = self.projection.mfa_devices.get(serial_number)
        if (device is None or device["account_id"] != ctx.account_id or not device["user_id"]
                or (user is not None and device["user_id"] != user["id"])):
            raise mfa.not_found(serial_number)
        return device

    async def deactivate_mfa_device(self, ctx: CallContext, *, user_name: str, serial_number: str,
                                    caller: Caller | None = None) -> int:
        # No UserName: the calling IAM user (API reference: "it defaults to the principal making the request").
        user_name = user_name or (caller.name if caller is not None and caller.kind == "user" else "")
        return await self._change_device(ctx, serial_number, lambda s: mfa.deactivate(s, user_name))

    async def delete_virtual_mfa_device(self, ctx: CallContext, *, serial_number: str) -> int:
        return await self._change_device(ctx, serial_number, mfa.delete)

    async def tag_mfa_device(self, ctx: CallContext, *, serial_number: str, tags: Sequence[tuple[str, str]]) -> int:
        tag_map = names.check_tags("tags", tags)
        return await self._change_device(ctx, serial_number, lambda s: mfa.tag(s, serial_number, tag_map))

    async def untag_mfa_device(self, ctx: CallContext, *, serial_number: str, tag_keys: Sequence[str]) -> int:
        keys = names.check_tag_keys("tagKeys", tag_keys)
        return await self._change_device(ctx, serial_number, lambda s: mfa.untag(s, serial_number, keys))

    def mfa_device_tags(self, ctx: CallContext, serial_number: str) -> dict[str, str]:
        self._own_device(ctx, serial_number)
        device = self.projection.mfa_devices.get(serial_number)
        if device is None:
            raise mfa.not_found(serial_number)
        return dict(device.get("tags", {}))

    @staticmethod
    def _own_device(ctx: CallContext, serial_number: str) -> str:
        """The device name of a serial number of the caller's account (another's is not found)."""
        account_id, name = _serial_parts(serial_number)
        if account_id != ctx.account_id:
            raise mfa.not_found(serial_number)
        return name

    async def _change_device(self, ctx: CallContext, serial_number: str, decide: Any) -> int:
        """Decide on the device whose serial number (ARN) this is, exactly. The stream is found by
        the name alone: another path or account ending in that name is no such device (else it
        would sidestep a policy on the device's real ARN, which authorization checked instead)."""
        name = self._own_device(ctx, serial_number)

        def checked(state: mfa.MFADeviceState) -> Any:
            if not state.exists or state.serial_number != serial_number:
                raise mfa.not_found(serial_number)
            return decide(state)

        return await self.repo.change(MFA, stream_name(MFA, ctx.account_id, name), mfa.fold, ctx, self.clock, checked)

    def list_mfa_devices(self, ctx: CallContext, caller: Caller, user_name: str = "") -> list[View]:
        name = user_name or (caller.name if caller.kind == "user" else "")
        account = self.projection.account(ctx.account_id)
        user = account.users.get(casefold(name)) if account and name else None
        if name and user is None:
            raise identity.not_found(USER, name)
        return sorted((d for d in self.projection.mfa_devices.values()
                       if d["account_id"] == ctx.account_id and user and d["user_id"] == user["id"]),
                      key=lambda d: d["enabled_at"])

    def list_virtual_mfa_devices(self, ctx: CallContext, assignment_status: str = "") -> list[View]:
        """The account's virtual devices: Assigned (enabled for a user), Unassigned, or Any."""
        if assignment_status not in ("", "Any", "Assigned", "Unassigned"):
            raise ValidationError(
                f"1 validation error detected: Value '{assignment_status[:64]}' at 'assignmentStatus' failed to "
                "satisfy constraint: Member must satisfy enum value set: [Unassigned, Any, Assigned]",
                problems=[FieldProblem("assignmentStatus", "Assigned, Unassigned or Any")])
        devices = [d for d in self.projection.mfa_devices.values() if d["account_id"] == ctx.account_id
                   and (assignment_status in ("", "Any") or bool(d["user_id"]) == (assignment_status == "Assigned"))]
        return sorted(devices, key=lambda d: d["serial_number"])

    def devices_of(self, account_id: str, user_id: str) -> list[View]:
        return [d for d in self.projection.mfa_devices.values()
                if d["account_id"] == account_id and d["user_id"] == user_id]

    async def verify_for(self, ctx: CallContext, caller: Caller, serial_number: str, code: str) -> str:
        """Check an MFA code of the calling user's device for STS; returns when it was accepted."""
        account_id, name = _serial_parts(serial_number)
        now = self.clock.now()
        loaded = await self._load(account_id, name)
        state: mfa.MFADeviceState = loaded.state  # type: ignore[assignment]
        if not state.exists or state.serial_number != serial_number:
            raise AccessDeniedError("MultiFactorAuthentication failed: the MFA device is not enabled for the caller.")
        # Around the device's own time: a device ResyncMFADevice found drifting is `drift` steps off.
        device_time = now.timestamp() + state.drift * totp.DEFAULT_STEP
        step = totp.verify_totp(self._seed(state), code, device_time) if state.seed_ciphertext else None
        events = mfa.use(state, user_id=caller.principal_id, step=step, now=iso8601(now))
        # Appended at the version the step was checked against: a replay racing us loses.
        await self.repo.append(MFA, loaded, events, ctx, iso8601(now))
        return iso8601(now)
