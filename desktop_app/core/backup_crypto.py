"""Backups written outside the data folder, sealed with the administrator's passphrase.

The framing is the sync envelope's (desktop_app/sync/envelope.py: header authenticated by a tag
before any chunk is read, payload size in the header, nonce = prefix | chunk index | last flag,
so a truncated, reordered or appended file is told apart from a changed byte); only the key
differs: scrypt of the passphrase instead of X25519. ``cryptography`` ChaCha20-Poly1305 only.

File layout (big-endian)::

    header (52 bytes)  magic "\\x89SLBAK\\r\\n" | version u16 | kdf u16 (1 = scrypt) |
                       log2 N u8 | r u8 | p u8 | pad u8 | chunk size u32 | payload size u64 |
                       salt (16) | nonce prefix (7)  [+ 1 pad byte]
    header tag (16)    ChaCha20-Poly1305 of b"" with the header as AAD, nonce prefix|0|2
    chunk i            ChaCha20-Poly1305 of payload [i*chunk, (i+1)*chunk), header as AAD

A wrong passphrase fails the header tag: that is said before anything is written. Decryption
writes plaintext only after each chunk authenticates, into a new file that is removed on any
failure (``decrypt_file``).
"""

from __future__ import annotations

import hashlib
import os
import struct
from pathlib import Path
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

from desktop_app.core.errors import UserError

MAGIC = b"\x89SLBAK\r\n"
VERSION = 1
KDF_SCRYPT = 1
LOG2_N, R, P = 15, 8, 1
CHUNK_SIZE = 1 << 20
MAX_CHUNK_SIZE = 16 << 20
TAG_SIZE = 16
SUFFIX = ".slbak"
_HEADER = struct.Struct(">8sHHBBBxIQ16s7sx")
HEADER_SIZE = _HEADER.size
_FLAG_MIDDLE, _FLAG_LAST, _FLAG_HEADER = 0, 1, 2
_MAXMEM = 256 * 1024 * 1024

NOT_A_BACKUP = "这不是阳光台账的加密备份文件（扩展名应为 .slbak）"
WRONG_PASSPHRASE = "备份口令不正确（也可能是文件开头已损坏），文件未解密，当前数据库未作任何改动"
INCOMPLETE = "加密备份文件不完整（可能拷贝时中断或U盘已损坏），不能用于恢复，当前数据库未作任何改动"
DAMAGED = "加密备份文件已被改动或损坏，不能用于恢复，当前数据库未作任何改动"


class BackupCryptoError(UserError):
    """A sealed backup refused: not one, wrong passphrase, truncated or damaged."""


def is_sealed(path: Path) -> bool:
    with path.open("rb") as f:
        return f.read(len(MAGIC)) == MAGIC


def derive_key(passphrase: str, salt: bytes, log2_n: int = LOG2_N, r: int = R, p: int = P) -> bytes:
    """scrypt; parameters read from a file are bounded (a changed header never asks for gigabytes)."""
    if not (10 <= log2_n <= 20 and 1 <= r <= 32 and 1 <= p <= 16) or 128 * r * (1 << log2_n) > _MAXMEM // 2:
        raise BackupCryptoError(DAMAGED)
    try:
        return hashlib.scrypt(passphrase.encode("utf-8"), salt=salt, n=1 << log2_n, r=r, p=p, dklen=32,
                              maxmem=_MAXMEM)
    except (ValueError, MemoryError):
        raise BackupCryptoError(DAMAGED) from None


def encrypt_file(src: Path, dest: Path, passphrase: str, *, chunk_size: int = CHUNK_SIZE) -> Path:
    """Seal ``src`` into ``dest`` (written as ``dest.tmp`` then renamed)."""
    size = src.stat().st_size
    salt, prefix = os.urandom(16), os.urandom(7)
    header = _HEADER.pack(MAGIC, VERSION, KDF_SCRYPT, LOG2_N, R, P, chunk_size, size, salt, prefix)
    aead = ChaCha20Poly1305(derive_key(passphrase, salt))
    tmp = dest.with_name(dest.name + ".tmp")
    try:
        with src.open("rb") as fin, tmp.open("wb") as out:
            out.write(header)
            out.write(aead.encrypt(_nonce(prefix, 0, _FLAG_HEADER), b"", header))
            remaining, index = size, 0
            while True:
                want = min(chunk_size, remaining)
                data = _read_exact(fin, want)
                if len(data) != want:
                    raise OSError("备份文件在加密过程中被改动")
                remaining -= want
                out.write(aead.encrypt(_nonce(prefix, index, _FLAG_LAST if remaining == 0 else _FLAG_MIDDLE),
                                       data, header))
                index += 1
                if remaining == 0:
                    break
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, dest)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return dest


def decrypt_stream(src: BinaryIO, dest: BinaryIO | None, passphrase: str) -> str:
    """Decrypt ``src`` into ``dest`` (``None``: only check); returns the plaintext's SHA-256."""
    raw = _read_exact(src, HEADER_SIZE + TAG_SIZE)
    if raw[: len(MAGIC)] != MAGIC:
        raise BackupCryptoError(INCOMPLETE if MAGIC.startswith(raw) else NOT_A_BACKUP)
    if len(raw) < HEADER_SIZE + TAG_SIZE:
        raise BackupCryptoError(INCOMPLETE)
    header, tag = raw[:HEADER_SIZE], raw[HEADER_SIZE:]
    _, version, kdf, log2_n, r, p, chunk_size, size, salt, prefix = _HEADER.unpack(header)
    if version > VERSION or kdf != KDF_SCRYPT:
        raise BackupCryptoError("此加密备份的格式比本程序新，请先升级阳光台账")
    aead = ChaCha20Poly1305(derive_key(passphrase, salt, log2_n, r, p))
    try:
        aead.decrypt(_nonce(prefix, 0, _FLAG_HEADER), tag, header)
    except InvalidTag:
        raise BackupCryptoError(WRONG_PASSPHRASE) from None
    if not 1 <= chunk_size <= MAX_CHUNK_SIZE:
        raise BackupCryptoError(DAMAGED)
    digest = hashlib.sha256()
    remaining, index = size, 0
    while True:
        want = min(chunk_size, remaining)
        sealed = _read_exact(src, want + TAG_SIZE)
        if len(sealed) != want + TAG_SIZE:
            raise BackupCryptoError(INCOMPLETE)
        remaining -= want
        try:
            plain = aead.decrypt(_nonce(prefix, index, _FLAG_LAST if remaining == 0 else _FLAG_MIDDLE),
                                 sealed, header)
        except InvalidTag:
            raise BackupCryptoError(DAMAGED) from None
        digest.update(plain)
        if dest is not None:
            dest.write(plain)
        index += 1
        if remaining == 0:
            break
    if src.read(1):
        raise BackupCryptoError(DAMAGED)
    return digest.hexdigest()


def decrypt_file(src: Path, dest: Path, passphrase: str) -> str:
    """Decrypt ``src`` into the new file ``dest`` (removed on any failure); returns its SHA-256."""
    with src.open("rb") as fin:
        out = dest.open("xb")
        try:
            with out:
                return decrypt_stream(fin, out, passphrase)
        except BaseException:
            dest.unlink(missing_ok=True)
            raise


def check_file(src: Path, passphrase: str) -> str:
    """Authenticate every chunk of ``src`` without writing; returns the plaintext's SHA-256."""
    with src.open("rb") as fin:
        return decrypt_stream(fin, None, passphrase)


def _nonce(prefix: bytes, index: int, flag: int) -> bytes:
    return prefix + struct.pack(">IB", index, flag)


def _read_exact(src: BinaryIO, n: int) -> bytes:
    parts, got = [], 0
    while got < n:
        more = src.read(n - got)
        if not more:
            break
        parts.append(more)
        got += len(more)
    return b"".join(parts)
