"""SAML identity providers: register, read and change them (rules: service/domain/saml.py; what
they share with OIDC providers: service/app/identity_providers.py).

A private key for encrypted assertions (AddPrivateKey) is checked, then sealed under the
key-encryption key at once, bound to its new KeyId (as a server certificate's key to its id):
events, the projection, answers and audit records never hold it in clear (`addPrivateKey` is a
secret field of the audit records), and no answer holds it at all, as AWS (GetSAMLProvider lists
KeyId and Timestamp only). AssumeRoleWithSAML opens it only to decrypt an encrypted assertion.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Sequence

from iamd.projections.identity import IdentityProjection
from iamd.service.auth.keyring import Keyring
from iamd.service.domain import names, saml

from .identity_providers import ProviderCommands
from .ports import CallContext, Clock, iso8601
from .repository import Repository

SAML = "saml-provider"
_UUID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def _unique_id() -> str:
    """SAMLProviderUUID and a private key's KeyId: 26 of [A-Z0-9] (the model: [A-Z0-9]{22,64})."""
    return "".join(secrets.choice(_UUID_ALPHABET) for _ in range(26))


class SamlProviderCommands(ProviderCommands):
    KIND = SAML
    QUOTA = saml.QUOTA
    MAX_PER_ACCOUNT = saml.MAX_PER_ACCOUNT
    domain = saml

    def __init__(self, repo: Repository, clock: Clock, projection: IdentityProjection, keyring: Keyring) -> None:
        super().__init__(repo, clock, projection)
        self.keyring = keyring

    def _views(self) -> dict:
        return self.projection.saml_providers

    def _stream(self, ctx: CallContext, arn: str) -> str:
        return saml.stream(ctx.account_id, saml.name_of_arn(arn, ctx.account_id))

    async def _encryption(self, mode: str, add_private_key: str, remove_private_key: str) -> saml.EncryptionChange:
        """The encryption change asked for, its new key (if any) sealed already. The key is checked
        in a worker thread: checking an RSA key's primes is CPU work (a fraction of a second at
        4096 bits, the most parse_private_key takes) that would otherwise hold the event loop."""
        saml.check_encryption_mode(mode)
        if remove_private_key:
            saml.check_private_key_id(remove_private_key)
        sealed = None
        if add_private_key:
            pem = await asyncio.to_thread(saml.parse_private_key, add_private_key)
            key_id = _unique_id()
            sealed = saml.SealedKey(key_id, self.keyring.encrypt(pem, context=key_id))
            del pem  # the key in clear goes no further
        return saml.EncryptionChange(mode=mode, add=sealed, remove=remove_private_key)

    async def create(self, ctx: CallContext, *, name: str, metadata_document: str,
                     tags: Sequence[tuple[str, str]] = (), assertion_encryption_mode: str = "",
                     add_private_key: str = "") -> tuple[str, int]:
        saml.check_name(name)
        metadata = saml.parse_metadata(metadata_document)
        tag_map = names.check_tags("tags", tags)
        self._check_quota(ctx)
        encryption = await self._encryption(assertion_encryption_mode, add_private_key, "")
        arn = saml.arn_of(ctx.account_id, name)
        uuid = _unique_id()
        now = iso8601(self.clock.now())
        position = await self._change(ctx, arn, lambda s: saml.create(s, arn, name, metadata_document, metadata, uuid,
                                                                      tag_map, now, encryption))
        return arn, position

    async def update(self, ctx: CallContext, arn: str, metadata_document: str, *,
                     assertion_encryption_mode: str = "", add_private_key: str = "",
                     remove_private_key: str = "") -> int:
        """UpdateSAMLProvider: the metadata (required unless the call changes the encryption
        settings), the AssertionEncryptionMode, a key added or a key removed (not both: a rotation
        adds the new key, then removes the old one in a second request)."""
        saml.name_of_arn(arn, ctx.account_id)
        encryption = await self._encryption(assertion_encryption_mode, add_private_key, remove_private_key)
        metadata = (saml.parse_metadata(metadata_document) if metadata_document or encryption.is_empty else None)
        now = iso8601(self.clock.now())
        return await self._change(ctx, arn, lambda s: saml.update(s, arn, metadata_document, metadata, encryption,
                                                                  now))
