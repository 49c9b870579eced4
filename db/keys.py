"""Key pairs of an installation (USB sync): Ed25519 to sign packages, X25519 to receive them.

From the ``cryptography`` package; stored as raw 32-byte keys (db.models.sync.InstallationKey).
"""

from __future__ import annotations

from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

_RAW = serialization.Encoding.Raw
_PRIVATE = serialization.PrivateFormat.Raw
_PUBLIC = serialization.PublicFormat.Raw
_NONE = serialization.NoEncryption()


@dataclass(frozen=True)
class KeyPairs:
    sign_private: bytes
    sign_public: bytes
    enc_private: bytes
    enc_public: bytes


def new_key_pairs() -> KeyPairs:
    sign = Ed25519PrivateKey.generate()
    enc = X25519PrivateKey.generate()
    return KeyPairs(
        sign_private=sign.private_bytes(_RAW, _PRIVATE, _NONE),
        sign_public=sign.public_key().public_bytes(_RAW, _PUBLIC),
        enc_private=enc.private_bytes(_RAW, _PRIVATE, _NONE),
        enc_public=enc.public_key().public_bytes(_RAW, _PUBLIC),
    )
