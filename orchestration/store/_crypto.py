"""AES-256-GCM encryption of secrets at rest.

Contract: `TokenCipher(key)` (32 bytes) encrypts `plaintext` bound to `context` (the
associated data, e.g. ``b"ws-1/meta"``) into ``b"\\x01" + key_id(8) + nonce(12) +
ciphertext||tag``; a fresh random nonce is drawn per call, so equal plaintexts never give
equal blobs. `decrypt` raises `TokenDecryptionError` when the key is not the one that
encrypted the blob (the message gives both key ids, never key material), the context
differs (a blob copied to another workspace's row) or the blob was altered.
"""

from __future__ import annotations

import hashlib
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from orchestration.store._errors import SecretKeyError, TokenDecryptionError

__all__ = ["TokenCipher"]

_VERSION = b"\x01"
_KEY_ID_BYTES = 8
_NONCE_BYTES = 12
_HEADER = len(_VERSION) + _KEY_ID_BYTES + _NONCE_BYTES


class TokenCipher:
    """Encrypts and decrypts secrets with one AES-256-GCM key."""

    def __init__(self, key: bytes) -> None:
        if len(key) != 32:
            raise SecretKeyError(f"the token key must be 32 bytes, got {len(key)}")
        self._aead = AESGCM(key)
        self._key_id = hashlib.sha256(b"mediaplan-key-id:" + key).digest()[:_KEY_ID_BYTES]

    @property
    def key_id(self) -> str:
        """A non-secret fingerprint of the key (hex), stored with each blob."""
        return self._key_id.hex()

    def __repr__(self) -> str:
        return f"TokenCipher(key_id={self.key_id})"

    def encrypt(self, plaintext: bytes, context: bytes) -> bytes:
        nonce = os.urandom(_NONCE_BYTES)
        return _VERSION + self._key_id + nonce + self._aead.encrypt(nonce, plaintext, context)

    def decrypt(self, blob: bytes, context: bytes, what: str = "secret") -> bytes:
        """The plaintext of `blob`; `what` names the secret in error messages."""
        if len(blob) <= _HEADER or blob[:1] != _VERSION:
            raise TokenDecryptionError(f"{what}: stored ciphertext is malformed")
        key_id = blob[1 : 1 + _KEY_ID_BYTES]
        nonce = blob[1 + _KEY_ID_BYTES : _HEADER]
        if key_id != self._key_id:
            raise TokenDecryptionError(
                f"{what}: encrypted with key {key_id.hex()} but the configured "
                f"MEDIAPLAN_SECRET_KEY is key {self.key_id}; restore the original key "
                "or reconnect the integration"
            )
        try:
            return self._aead.decrypt(nonce, blob[_HEADER:], context)
        except InvalidTag:
            raise TokenDecryptionError(
                f"{what}: ciphertext failed authentication (altered, or moved from "
                "another workspace or platform)"
            ) from None
