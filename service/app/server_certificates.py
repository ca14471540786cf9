"""Server certificates: UploadServerCertificate, GetServerCertificate, ListServerCertificates,
UpdateServerCertificate, DeleteServerCertificate and Tag/Untag/ListServerCertificateTags (rules
and parsing: service/domain/server_certificates.py).

The private key is checked against the certificate, then sealed under the key-encryption key at
once (bound to the certificate's id, as an access key's secret to its key id): the events, the
projection's answers and the audit records never hold it in clear (`privateKey` is a secret field
of the audit records), and no answer holds it at all, as AWS. A rename (new name) appends the
certificate to the new name's stream first, then `ServerCertificateRenamed` to the old one; a rename
interrupted between the two is finished by running it again, and one that another call's change of
the certificate makes retry deletes its copy under the new name first (copied again if the
certificate is still there, gone with the refusal if it was renamed or deleted).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from iamd.projections.identity import IdentityProjection, View
from iamd.service.auth.keyring import Keyring
from iamd.service.domain import names, server_certificates
from iamd.service.domain.errors import LimitExceededError
from iamd.service.domain.events import Event, ServerCertificateDeleted
from iamd.service.domain.names import casefold
from iamd.service.domain.server_certificates import SERVER_CERTIFICATE
from iamd.service.eventstore.errors import WrongExpectedVersion

from .ports import CallContext, Clock, IdFactory, iso8601
from .queries import Page, paginate, tag_page
from .repository import Loaded, Repository, with_retries


class ServerCertificateCommands:
    def __init__(self, repo: Repository, clock: Clock, ids: IdFactory, keyring: Keyring,
                 projection: IdentityProjection) -> None:
        self.repo = repo
        self.clock = clock
        self.ids = ids
        self.keyring = keyring
        self.projection = projection

    def _now(self) -> str:
        return iso8601(self.clock.now())

    async def _load(self, account_id: str, name: str) -> Loaded:
        return await self.repo.load(server_certificates.stream(account_id, name), server_certificates.fold)

    def _held(self, account_id: str) -> int:
        return sum(1 for c in self.projection.server_certificates.values() if c["account_id"] == account_id)

    # --- commands ------------------------------------------------------------------------------
    async def upload(self, ctx: CallContext, *, name: str, path: str, body: str, private_key: str, chain: str,
                     tags: Sequence[tuple[str, str]] = ()) -> tuple[View, int]:
        server_certificates.check_name("serverCertificateName", name)
        path = names.check_path("path", path)
        tag_map = names.check_tags("tags", tags)
        parsed = server_certificates.parse(body, private_key, chain, self.clock.now())
        if self._held(ctx.account_id) >= server_certificates.MAX_PER_ACCOUNT:  # on the projection, as other quotas
            raise LimitExceededError(f"Cannot exceed quota for {server_certificates.QUOTA}: "
                                     f"{server_certificates.MAX_PER_ACCOUNT}", quota=server_certificates.QUOTA)
        cert_id = self.ids.unique_id(server_certificates.ID_PREFIX)
        ciphertext = self.keyring.encrypt(parsed.private_key_pem, context=cert_id)
        expiration = iso8601(parsed.expiration)
        del parsed  # the key in clear goes no further
        arn = server_certificates.arn_of(ctx.account_id, path, name)
        now = self._now()

        async def attempt() -> int:
            loaded = await self._load(ctx.account_id, name)
            events = server_certificates.upload(
                loaded.state, name=name, id=cert_id, arn=arn, path=path, body=body,  # type: ignore[arg-type]
                chain=chain, private_key_ciphertext=ciphertext, now=now, expiration=expiration, tags=tag_map)
            return await self.repo.append(SERVER_CERTIFICATE, loaded, events, ctx, now)

        position = await with_retries(attempt)
        return {"account_id": ctx.account_id, "name": name, "id": cert_id, "arn": arn, "path": path,
                "certificate_body": body, "certificate_chain": chain, "uploaded_at": now,
                "expiration": expiration, "tags": tag_map}, position

    async def _change(self, ctx: CallContext, name: str,
                      decide: Callable[[server_certificates.ServerCertificateState], list[Event]]) -> int:
        server_certificates.check_name("serverCertificateName", name)
        return await self.repo.change(SERVER_CERTIFICATE, server_certificates.stream(ctx.account_id, name),
                                      server_certificates.fold, ctx, self.clock, decide)

    async def update(self, ctx: CallContext, name: str, *, new_path: str, new_name: str) -> int:
        server_certificates.check_name("serverCertificateName", name)
        if new_name:
            server_certificates.check_name("newServerCertificateName", new_name)
        if new_path:
            names.check_path("newPath", new_path)
        if not new_name or new_name == name:  # the path alone (or nothing)
            return await self._change(ctx, name, lambda s: server_certificates.update_path(
                s, name, path=new_path or s.path, arn=server_certificates.arn_of(ctx.account_id, new_path or s.path,
                                                                                   s.name)))

        placed: list[tuple[str, int]] = []  # the copy this call put under the new name: (stream, version)

        async def attempt() -> int:
            if placed:
                # Another call changed the certificate after this one copied it to its new name: the
                # copy goes, whatever that call did (a rename or a delete: it must not outlive the
                # refusal as a second certificate with the same id, or a deleted one back under another
                # name; a tag or a move: it is copied again with it).
                await self._withdraw(ctx, placed.pop())
            old = await self._load(ctx.account_id, name)
            o: server_certificates.ServerCertificateState = server_certificates.require(old.state, name)  # type: ignore[arg-type]
            path = new_path or o.path
            arn = server_certificates.arn_of(ctx.account_id, path, new_name)
            target_stream = server_certificates.stream(ctx.account_id, new_name)
            now = self._now()
            if target_stream == old.stream:  # only the letters' case changes: AWS keeps one certificate
                raise server_certificates.already_exists(new_name)
            target = await self._load(ctx.account_id, new_name)
            moved = server_certificates.moved_in(target.state, o, name=new_name, path=path,  # type: ignore[arg-type]
                                                 arn=arn)
            await self.repo.append(SERVER_CERTIFICATE, target, moved, ctx, now)
            if moved:
                placed[:] = [(target.stream, (-1 if target.version is None else target.version) + len(moved))]
            return await self.repo.append(SERVER_CERTIFICATE, old, server_certificates.moved_out(
                o, name, new_name=new_name, new_stream=target_stream), ctx, now)

        return await with_retries(attempt)

    async def _withdraw(self, ctx: CallContext, placed: tuple[str, int]) -> None:
        """Delete the copy a rename appended under its new name, unless another call has changed
        it since (then it is that call's certificate now)."""
        stream, version = placed
        try:
            await self.repo.append(SERVER_CERTIFICATE, Loaded(None, stream, version, 0),
                                   [ServerCertificateDeleted()], ctx, self._now())
        except WrongExpectedVersion:
            pass

    async def delete(self, ctx: CallContext, name: str) -> int:
        return await self._change(ctx, name, lambda s: server_certificates.delete(s, name))

    async def tag(self, ctx: CallContext, name: str, tags: Sequence[tuple[str, str]]) -> int:
        tag_map = names.check_tags("tags", tags)
        return await self._change(ctx, name, lambda s: server_certificates.tag(s, name, tag_map))

    async def untag(self, ctx: CallContext, name: str, keys: Sequence[str]) -> int:
        keys = names.check_tag_keys("tagKeys", keys)
        return await self._change(ctx, name, lambda s: server_certificates.untag(s, name, keys))

    # --- queries (the identity projection; never the private key) ------------------------------
    def get(self, ctx: CallContext, name: str) -> View:
        server_certificates.check_name("serverCertificateName", name)
        found = self.projection.server_certificates.get(f"{ctx.account_id}/{casefold(name)}")
        if found is None:
            raise server_certificates.not_found(name)
        return found

    def list(self, ctx: CallContext, path_prefix: str, max_items: int, marker: str) -> Page:
        prefix = names.check_path_prefix("pathPrefix", path_prefix)
        return paginate([c for c in self.projection.server_certificates.values()
                         if c["account_id"] == ctx.account_id and c["path"].startswith(prefix)],
                        lambda c: casefold(c["name"]), max_items, marker)

    def tags(self, ctx: CallContext, name: str, max_items: int, marker: str) -> Page:
        return tag_page(self.get(ctx, name)["tags"], max_items, marker)

