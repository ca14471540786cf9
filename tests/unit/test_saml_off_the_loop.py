"""AssumeRoleWithSAML's verification (service/app/sts.py): unauthenticated CPU work, so it runs in
a thread of its own pool, never on the event loop, and at most `saml_verifications` at once; past
that the call is refused with Throttling rather than queued. `saml.verify` is replaced here by one
that waits for the test to let it finish, so that every step is decided by ordering, never by
time."""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from iamd.service.app.ports import CallContext
from iamd.service.app.sts import SamlParams, StsCommands
from iamd.service.auth.keyring import Keyring
from iamd.service.domain import saml
from iamd.service.domain.errors import InvalidIdentityTokenError, ThrottlingError

PROVIDER = "arn:aws:iam::123456789012:saml-provider/MyIdP"
ROLE = "arn:aws:iam::123456789012:role/SamlRole"
GUARD = 30  # seconds: only so that a broken build fails instead of hanging; nothing is timed


class Clock:
    def now(self) -> datetime:
        return datetime.now(UTC)


def _sts(limit: int = 4) -> StsCommands:
    provider = {"arn": PROVIDER, "name": "MyIdP", "account_id": "123456789012", "entity_id": "https://idp",
                "certificates": ["MIIB"], "assertion_encryption_mode": "", "private_keys": []}
    principals = SimpleNamespace(projection=SimpleNamespace(saml_providers={PROVIDER: provider}))
    return StsCommands(None, Clock(), None, Keyring.generate(), principals, None, None,  # type: ignore[arg-type]
                       saml_verifications=limit)


CTX = CallContext(request_id="r", account_id="", actor_arn="")  # AssumeRoleWithSAML: no caller yet


def _call(sts: StsCommands, provider: str = PROVIDER):  # noqa: ANN202
    return sts.assume_role_with_saml(CTX, SamlParams(ROLE, provider, "PHNhbWw+"), {})


class BlockingVerify:
    """saml.verify as a slow verification: notes the thread it runs on, waits to be released, then
    refuses the assertion (which ends the call)."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.threads: list[int] = []
        self.thread_names: list[str] = []
        self.entered = threading.Semaphore(0)
        self.finished = threading.Semaphore(0)

    def __call__(self, *_: object, **__: object) -> saml.VerifiedAssertion:
        self.threads.append(threading.get_ident())
        self.thread_names.append(threading.current_thread().name)
        self.entered.release()
        try:
            assert self.release.wait(GUARD), "the test never released the verification"
            raise InvalidIdentityTokenError("Response signature invalid")
        finally:
            self.finished.release()

    async def wait_entered(self, count: int) -> None:
        for _ in range(count):
            assert await asyncio.to_thread(self.entered.acquire, True, GUARD)

    async def wait_finished(self, count: int) -> None:
        for _ in range(count):
            assert await asyncio.to_thread(self.finished.acquire, True, GUARD)


@pytest.fixture
def verify(monkeypatch: pytest.MonkeyPatch) -> BlockingVerify:
    fake = BlockingVerify()
    monkeypatch.setattr(saml, "verify", fake)
    return fake


async def test_the_loop_serves_other_work_while_an_assertion_is_verified(verify: BlockingVerify) -> None:
    """The verification waits for a coroutine to run on the loop: on the loop itself it could not
    (it would hold the loop until GUARD ran out, and then fail)."""
    sts = _sts()
    order: list[str] = []

    async def other_work() -> None:
        await verify.wait_entered(1)
        order.append("other work done")
        verify.release.set()

    async def assume() -> None:
        with pytest.raises(InvalidIdentityTokenError, match="Response signature invalid"):
            await _call(sts)
        order.append("assertion refused")

    await asyncio.gather(assume(), other_work())
    assert order == ["other work done", "assertion refused"]
    assert verify.threads and threading.get_ident() not in verify.threads
    assert verify.thread_names[0].startswith("iamd-saml")  # its own pool, not the loop's default executor


async def test_past_the_bound_a_call_is_throttled_not_queued(verify: BlockingVerify) -> None:
    sts = _sts(limit=2)
    running = [asyncio.create_task(_call(sts)) for _ in range(2)]
    await verify.wait_entered(2)
    with pytest.raises(ThrottlingError, match="Too many SAML assertions"):
        await _call(sts)
    assert len(verify.threads) == 2  # the third never reached the verification

    verify.release.set()
    for task in running:
        with pytest.raises(InvalidIdentityTokenError):
            await task
    with pytest.raises(InvalidIdentityTokenError):  # the slots are free again
        await _call(sts)
    assert len(verify.threads) == 3


async def test_a_caller_that_stops_waiting_keeps_its_slot_until_the_work_ends(verify: BlockingVerify) -> None:
    """A disconnected caller (its task cancelled) cannot leave a verification running outside the
    bound: the slot is freed when the thread is done, not when the caller goes."""
    sts = _sts(limit=1)
    task = asyncio.create_task(_call(sts))
    await verify.wait_entered(1)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    with pytest.raises(ThrottlingError):
        await _call(sts)

    verify.release.set()
    await verify.wait_finished(1)
    # The loop hears of the thread's end a moment after it (call_soon_threadsafe), then frees the slot.
    deadline = asyncio.get_running_loop().time() + GUARD
    while True:
        try:
            await _call(sts)
        except ThrottlingError:
            assert asyncio.get_running_loop().time() < deadline, "the slot of a finished verification was never freed"
            await asyncio.sleep(0.01)
        except InvalidIdentityTokenError:
            break
    assert len(verify.threads) == 2


async def test_a_provider_that_does_not_exist_takes_no_slot(verify: BlockingVerify) -> None:
    sts = _sts(limit=1)
    for _ in range(3):
        with pytest.raises(InvalidIdentityTokenError, match="Specified provider doesn't exist"):
            await _call(sts, PROVIDER + "x")
    assert verify.threads == []
