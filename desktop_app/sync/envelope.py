"""The outer envelope of a sync package: streaming public-key encryption for one recipient.

Only ``cryptography`` primitives (X25519, HKDF-SHA256, ChaCha20-Poly1305); this module adds the
framing and nothing else. Authenticity of the *sender* is not this layer's job: anyone holding
the recipient's public card can seal a file for it, so the inner manifest is signed (Ed25519).

File layout (big-endian integers)::

    header  (95 bytes)  magic "\\x89SLSYNC\\n" | version u16 | suite u16 | chunk size u32 |
                        payload size u64 | SHA-256 of the recipient's X25519 public key (32) |
                        ephemeral X25519 public key (32) | nonce prefix (7, random)
    header tag (16)     ChaCha20-Poly1305 of b"" with the header as AAD, nonce prefix|0|2
    chunk i (one or more)  ChaCha20-Poly1305 of payload bytes [i*chunk, (i+1)*chunk) with the
                        header as AAD, nonce = prefix | i (u32) | 1 if last else 0;
                        every chunk but the last is full, the last holds the rest (0 bytes for
                        an empty payload)

key = HKDF-SHA256(X25519(ephemeral, recipient), info = label | ephemeral public | recipient
public). The header tag authenticates the header (and so the payload size) before any chunk
is read; the size fixes where each chunk ends, so truncation anywhere is told apart from a
changed byte, and the counter and last flag in the nonce refuse reordered, dropped or appended
chunks. Memory stays flat: one chunk (1 MiB by default) in and one out at a time.

A changed byte in magic, version, suite or recipient would otherwise read as "not a package",
"too new" or "for another PC": before saying so, ``open_sealed`` checks whether the header tag
verifies with the expected values put back, and if it does the reason is "damaged".
(Beyond sync-spec "The file / Outer": the payload size in the header, and the header tag.)

Every refusal is a ``PackageError`` subclass with a Chinese reason (desktop_app.sync.errors).
``open_sealed`` writes plaintext as it authenticates each chunk, so on failure ``dest`` holds a
prefix of the payload: callers decrypt into a temp file (next to the database) and delete it
on any error — ``open_to_file`` does exactly that.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import struct
import tempfile
from pathlib import Path
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from desktop_app.sync.errors import (
    NotAPackage,
    PackageDamaged,
    PackageIncomplete,
    PackageNotForMe,
    PackageTooNew,
)

MAGIC = b"\x89SLSYNC\n"
VERSION = 1
SUITE = 1  # x25519-hkdf-sha256-chacha20poly1305
SUITE_NAME = "x25519-hkdf-sha256-chacha20poly1305"
CHUNK_SIZE = 1 << 20
MAX_CHUNK_SIZE = 16 << 20
TAG_SIZE = 16
_PREFIX_SIZE = 7
_FIXED = struct.Struct(">8sHH")  # magic, version, suite
_HEADER = struct.Struct(">8sHHIQ32s32s7s")
HEADER_SIZE = _HEADER.size
_FP_AT = _FIXED.size + 4 + 8  # where the recipient fingerprint starts in the header
_HKDF_INFO = b"sunshine-ledger/sync-envelope/v1"
_FLAG_MIDDLE, _FLAG_LAST, _FLAG_HEADER = 0, 1, 2

INCOMPLETE = "同步包不完整（可能拷贝时中断或U盘已损坏），请重新导出后再导入"
DAMAGED = "同步包已被改动或损坏，无法解密，请重新导出后再导入"
NOT_A_PACKAGE = "这不是阳光台账的同步包，请选择扩展名为 .slsync 的同步包文件"


def key_fingerprint(public: bytes) -> str:
    """SHA-256 (hex) of a raw X25519 public key: what the header names the recipient by."""
    return hashlib.sha256(public).hexdigest()


def short_fingerprint(fingerprint: str) -> str:
    """The first 16 hex digits in groups of four, for messages."""
    head = fingerprint[:16].upper()
    return " ".join(head[i : i + 4] for i in range(0, len(head), 4))


def seal(src: BinaryIO, dest: BinaryIO, recipient_public: bytes, *, chunk_size: int = CHUNK_SIZE) -> None:
    """Encrypt ``src`` (read from its current position to the end) into ``dest`` for one recipient.

    ``src`` should be a regular file (seekable: the payload size goes into the header); any
    other stream is first spooled to a temporary file.
    """
    if not 1 <= chunk_size <= MAX_CHUNK_SIZE:
        raise ValueError(f"chunk_size must be 1..{MAX_CHUNK_SIZE}")
    size = _remaining_size(src)
    if size is None:
        with tempfile.TemporaryFile() as spool:
            shutil.copyfileobj(src, spool, CHUNK_SIZE)
            spool.seek(0)
            seal(spool, dest, recipient_public, chunk_size=chunk_size)
        return
    recipient = X25519PublicKey.from_public_bytes(recipient_public)
    ephemeral = X25519PrivateKey.generate()
    eph_public = ephemeral.public_key().public_bytes_raw()
    prefix = os.urandom(_PREFIX_SIZE)
    header = _HEADER.pack(
        MAGIC,
        VERSION,
        SUITE,
        chunk_size,
        size,
        bytes.fromhex(key_fingerprint(recipient_public)),
        eph_public,
        prefix,
    )
    aead = ChaCha20Poly1305(_derive(ephemeral.exchange(recipient), eph_public, recipient_public))
    dest.write(header)
    dest.write(aead.encrypt(_nonce(prefix, 0, _FLAG_HEADER), b"", header))
    remaining = size
    index = 0
    while True:
        want = min(chunk_size, remaining)
        data = _read_exact(src, want)
        if len(data) != want:
            raise ValueError("the payload shrank while it was being sealed")
        remaining -= want
        flag = _FLAG_LAST if remaining == 0 else _FLAG_MIDDLE
        dest.write(aead.encrypt(_nonce(prefix, index, flag), data, header))
        index += 1
        if remaining == 0:
            break
    if src.read(1):
        raise ValueError("the payload grew while it was being sealed")


def open_sealed(src: BinaryIO, dest: BinaryIO, recipient_private: bytes) -> None:
    """Decrypt a package read from ``src`` into ``dest``; raise a ``PackageError`` if refused.

    On failure ``dest`` has received part of the payload: write to a temp file and delete it.
    """
    private = X25519PrivateKey.from_private_bytes(recipient_private)
    header, aead = _open_header(src, private)
    _, _, _, chunk_size, size, _, _, prefix = _HEADER.unpack(header)
    remaining = size
    index = 0
    while True:
        want = min(chunk_size, remaining)
        sealed = _read_exact(src, want + TAG_SIZE)
        if len(sealed) != want + TAG_SIZE:
            raise PackageIncomplete(INCOMPLETE)
        remaining -= want
        flag = _FLAG_LAST if remaining == 0 else _FLAG_MIDDLE
        try:
            dest.write(aead.decrypt(_nonce(prefix, index, flag), sealed, header))
        except InvalidTag:
            raise PackageDamaged(DAMAGED) from None
        index += 1
        if remaining == 0:
            break
    if src.read(1):
        raise PackageDamaged(DAMAGED)


def open_to_file(package: Path, dest: Path, recipient_private: bytes) -> None:
    """Decrypt ``package`` into the new file ``dest``; on any failure ``dest`` is removed.

    ``dest`` must not exist (an existing file is never overwritten nor deleted); put it next to
    the database, not in the system temp dir, so a year's package never fills a small C: drive.
    """
    with package.open("rb") as src:
        out = dest.open("xb")
        try:
            with out:
                open_sealed(src, out, recipient_private)
        except BaseException:
            dest.unlink(missing_ok=True)
            raise


def recipient_fingerprint(src: BinaryIO | Path) -> str:
    """The recipient's key fingerprint (``key_fingerprint``) named in the header, unverified.

    Lets the caller say "this package is for another PC" before trying to decrypt. Raises
    ``NotAPackage`` / ``PackageIncomplete`` / ``PackageTooNew`` like ``open_sealed``.
    """
    raw = _peek(src, HEADER_SIZE + TAG_SIZE)
    _check_fixed(raw, None)
    return raw[_FP_AT : _FP_AT + 32].hex()


def is_package(src: BinaryIO | Path) -> bool:
    """Whether the file starts with the package magic (a file object is put back where it was)."""
    return _peek(src, len(MAGIC)) == MAGIC


# --- internals -------------------------------------------------------------------------------


def _open_header(src: BinaryIO, private: X25519PrivateKey) -> tuple[bytes, ChaCha20Poly1305]:
    raw = _read_exact(src, HEADER_SIZE + TAG_SIZE)
    _check_fixed(raw, private)
    header, tag = raw[:HEADER_SIZE], raw[HEADER_SIZE:]
    mine = private.public_key().public_bytes_raw()
    theirs = header[_FP_AT : _FP_AT + 32].hex()
    if theirs != key_fingerprint(mine):
        if _verifies_when_repaired(raw, private):
            raise PackageDamaged(DAMAGED)
        raise PackageNotForMe(
            f"此同步包不是发给本机的（收件方指纹 {short_fingerprint(theirs)}，本机指纹 "
            f"{short_fingerprint(key_fingerprint(mine))}），请确认选的是发给本机的同步包"
        )
    aead = _header_aead(header, tag, private)
    if aead is None:
        raise PackageDamaged(DAMAGED)
    chunk_size = _HEADER.unpack(header)[3]
    if not 1 <= chunk_size <= MAX_CHUNK_SIZE:
        raise PackageDamaged(DAMAGED)
    return header, aead


def _check_fixed(raw: bytes, private: X25519PrivateKey | None) -> None:
    """Magic, version, suite and length of the header; a damaged fixed field says "damaged"."""
    if raw[: len(MAGIC)] != MAGIC:
        if len(raw) < len(MAGIC) and MAGIC.startswith(raw):
            raise PackageIncomplete(INCOMPLETE)
        if private is not None and _verifies_when_repaired(raw, private):
            raise PackageDamaged(DAMAGED)
        raise NotAPackage(NOT_A_PACKAGE)
    if len(raw) < _FIXED.size:
        raise PackageIncomplete(INCOMPLETE)
    _, version, suite = _FIXED.unpack(raw[: _FIXED.size])
    if version != VERSION or suite != SUITE:
        if private is not None and _verifies_when_repaired(raw, private):
            raise PackageDamaged(DAMAGED)
        if version > VERSION:
            raise PackageTooNew(f"此同步包的格式版本 {version} 比本程序新，请先升级阳光台账")
        if version != VERSION:
            raise PackageDamaged(DAMAGED)
        raise PackageTooNew(f"此同步包使用的加密方式（编号 {suite}）本程序不认识，请先升级阳光台账")
    if len(raw) < HEADER_SIZE + TAG_SIZE:
        raise PackageIncomplete(INCOMPLETE)


def _verifies_when_repaired(raw: bytes, private: X25519PrivateKey) -> bool:
    """Whether the header tag verifies once magic, version, suite and recipient are the expected ones.

    Tells a changed byte in those fields (damage) from a file that really is something else.
    """
    if len(raw) < HEADER_SIZE + TAG_SIZE:
        return False
    mine = bytes.fromhex(key_fingerprint(private.public_key().public_bytes_raw()))
    header = _FIXED.pack(MAGIC, VERSION, SUITE) + raw[_FIXED.size : _FP_AT] + mine
    header += raw[_FP_AT + 32 : HEADER_SIZE]
    return _header_aead(header, raw[HEADER_SIZE:], private) is not None


def _header_aead(header: bytes, tag: bytes, private: X25519PrivateKey) -> ChaCha20Poly1305 | None:
    eph_public, prefix = _HEADER.unpack(header)[6:8]
    try:
        shared = private.exchange(X25519PublicKey.from_public_bytes(eph_public))
    except ValueError:  # a low-order point: never made by seal
        return None
    aead = ChaCha20Poly1305(_derive(shared, eph_public, private.public_key().public_bytes_raw()))
    try:
        aead.decrypt(_nonce(prefix, 0, _FLAG_HEADER), tag, header)
    except InvalidTag:
        return None
    return aead


def _derive(shared: bytes, eph_public: bytes, recipient_public: bytes) -> bytes:
    hkdf = HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=None,
        info=_HKDF_INFO + eph_public + recipient_public,
    )
    return hkdf.derive(shared)


def _nonce(prefix: bytes, index: int, flag: int) -> bytes:
    return prefix + struct.pack(">IB", index, flag)


def _read_exact(src: BinaryIO, n: int) -> bytes:
    data = src.read(n)
    if len(data) == n or not data:
        return data
    parts = [data]
    got = len(data)
    while got < n:
        more = src.read(n - got)
        if not more:
            break
        parts.append(more)
        got += len(more)
    return b"".join(parts)


def _remaining_size(src: BinaryIO) -> int | None:
    try:
        if not src.seekable():
            return None
        here = src.tell()
        end = src.seek(0, os.SEEK_END)
        src.seek(here)
    except (OSError, AttributeError):
        return None
    return end - here


def _peek(src: BinaryIO | Path, n: int) -> bytes:
    if isinstance(src, Path):
        with src.open("rb") as f:
            return _read_exact(f, n)
    here = src.tell() if src.seekable() else None
    data = _read_exact(src, n)
    if here is not None:
        src.seek(here)
    return data
