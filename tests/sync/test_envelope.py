"""The package envelope on real files: round trips, and every kind of damage refused with its reason.

Decryption always goes through ``open_to_file`` (temp output deleted on error), the way callers
must use ``open_sealed``: after a refusal nothing usable is left behind.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from db.keys import KeyPairs, new_key_pairs
from desktop_app.core.errors import UserError
from desktop_app.sync import envelope
from desktop_app.sync.envelope import (
    CHUNK_SIZE,
    HEADER_SIZE,
    TAG_SIZE,
    is_package,
    key_fingerprint,
    open_sealed,
    open_to_file,
    recipient_fingerprint,
    seal,
)
from desktop_app.sync.errors import (
    NotAPackage,
    PackageDamaged,
    PackageError,
    PackageIncomplete,
    PackageNotForMe,
    PackageTooNew,
)

SMALL = 4096  # chunk size for the damage tests: many chunks, quick to try thousands of files
START = HEADER_SIZE + TAG_SIZE  # where the first chunk starts


@pytest.fixture(scope="module")
def keys() -> KeyPairs:
    return new_key_pairs()


def _payload(n: int) -> bytes:
    return os.urandom(n)


def _seal_file(tmp_path: Path, payload: bytes, public: bytes, chunk_size: int = CHUNK_SIZE) -> Path:
    src = tmp_path / "payload.zip"
    src.write_bytes(payload)
    package = tmp_path / "package.slsync"
    with src.open("rb") as s, package.open("wb") as d:
        seal(s, d, public, chunk_size=chunk_size)
    return package


def _refused(tmp_path: Path, package_bytes: bytes, private: bytes) -> PackageError:
    """Write the bytes as a package file, open it, return the refusal; the output must be gone."""
    package = tmp_path / "damaged.slsync"
    package.write_bytes(package_bytes)
    out = tmp_path / "out.zip"
    with pytest.raises(PackageError) as caught:
        open_to_file(package, out, private)
    assert not out.exists()
    return caught.value


def _chunk_starts(size: int, chunk_size: int) -> list[int]:
    """File offsets where each sealed chunk starts, plus the end of the file."""
    count = max(1, -(-size // chunk_size))
    starts = [START + i * (chunk_size + TAG_SIZE) for i in range(count)]
    return [*starts, START + size + count * TAG_SIZE]


@pytest.mark.parametrize("size", [0, 1, CHUNK_SIZE - 1, CHUNK_SIZE, CHUNK_SIZE + 1, 3 * CHUNK_SIZE + 7])
def test_round_trip_real_chunk_size(tmp_path: Path, keys: KeyPairs, size: int) -> None:
    payload = _payload(size)
    package = _seal_file(tmp_path, payload, keys.enc_public)
    chunks = max(1, -(-size // CHUNK_SIZE))
    assert package.stat().st_size == START + size + chunks * TAG_SIZE
    assert payload[:64] not in package.read_bytes() or size < 64
    out = tmp_path / "out.zip"
    open_to_file(package, out, keys.enc_private)
    assert out.read_bytes() == payload


def test_each_seal_is_different(tmp_path: Path, keys: KeyPairs) -> None:
    payload = _payload(1000)
    first = _seal_file(tmp_path, payload, keys.enc_public).read_bytes()
    second = _seal_file(tmp_path, payload, keys.enc_public).read_bytes()
    assert first != second  # fresh ephemeral key and nonce prefix every time
    assert first[:8] == second[:8] == envelope.MAGIC


def test_seal_from_a_stream_that_cannot_seek(tmp_path: Path, keys: KeyPairs) -> None:
    class Pipe(io.RawIOBase):
        def __init__(self, data: bytes) -> None:
            self._data = io.BytesIO(data)

        def readable(self) -> bool:
            return True

        def readinto(self, buffer: bytearray) -> int:  # type: ignore[override]
            chunk = self._data.read(min(len(buffer), 1000))
            buffer[: len(chunk)] = chunk
            return len(chunk)

    payload = _payload(3 * SMALL + 5)
    package = tmp_path / "p.slsync"
    with package.open("wb") as d:
        seal(io.BufferedReader(Pipe(payload)), d, keys.enc_public, chunk_size=SMALL)
    out = tmp_path / "out.zip"
    open_to_file(package, out, keys.enc_private)
    assert out.read_bytes() == payload


def test_truncation_anywhere_is_incomplete(tmp_path: Path, keys: KeyPairs) -> None:
    size = 3 * SMALL + 7
    whole = _seal_file(tmp_path, _payload(size), keys.enc_public, SMALL).read_bytes()
    boundaries = _chunk_starts(size, SMALL)
    assert boundaries[-1] == len(whole)
    cuts = set(range(0, len(whole), 997)) | set(range(0, START + 2))
    for b in [*boundaries[:-1], START]:
        cuts |= {b - 1, b, b + 1}
    cuts |= {len(whole) - 1, len(whole) - TAG_SIZE}
    for cut in sorted(c for c in cuts if 0 <= c < len(whole)):
        error = _refused(tmp_path, whole[:cut], keys.enc_private)
        assert isinstance(error, PackageIncomplete), cut
        assert str(error) == "同步包不完整（可能拷贝时中断或U盘已损坏），请重新导出后再导入"


def test_truncation_with_real_chunk_size_at_a_chunk_boundary(tmp_path: Path, keys: KeyPairs) -> None:
    whole = _seal_file(tmp_path, _payload(2 * CHUNK_SIZE + 3), keys.enc_public).read_bytes()
    for cut in (START + CHUNK_SIZE + TAG_SIZE, START + 2 * (CHUNK_SIZE + TAG_SIZE), len(whole) - 1):
        assert isinstance(_refused(tmp_path, whole[:cut], keys.enc_private), PackageIncomplete)


def test_any_flipped_byte_is_damage(tmp_path: Path, keys: KeyPairs) -> None:
    size = 3 * SMALL + 7
    whole = _seal_file(tmp_path, _payload(size), keys.enc_public, SMALL).read_bytes()
    offsets = set(range(START)) | set(range(START, len(whole), 61))
    for b in _chunk_starts(size, SMALL)[:-1]:
        offsets |= {b, b + 1, b + SMALL - 1, b + SMALL, b + SMALL + TAG_SIZE - 1}
    offsets.add(len(whole) - 1)
    for at in sorted(o for o in offsets if o < len(whole)):
        for mask in (0x01, 0x80):
            damaged = bytearray(whole)
            damaged[at] ^= mask
            error = _refused(tmp_path, bytes(damaged), keys.enc_private)
            assert isinstance(error, PackageDamaged), (at, mask, error)
            assert "已被改动或损坏" in str(error)


def test_reordered_dropped_duplicated_or_extra_chunks_are_refused(tmp_path: Path, keys: KeyPairs) -> None:
    size = 3 * SMALL + 7
    whole = _seal_file(tmp_path, _payload(size), keys.enc_public, SMALL).read_bytes()
    s = _chunk_starts(size, SMALL)
    head, c0, c1, c2, c3 = whole[:START], *(whole[s[i] : s[i + 1]] for i in range(4))
    variants = {
        "swapped": head + c1 + c0 + c2 + c3,
        "last two swapped": head + c0 + c1 + c3 + c2,
        "middle dropped, repeated": head + c0 + c2 + c2 + c3,
        "last duplicated": whole + c3,
        "one byte appended": whole + b"\x00",
    }
    for name, data in variants.items():
        assert isinstance(_refused(tmp_path, data, keys.enc_private), PackageDamaged), name
    # a whole chunk missing at the end: incomplete, not damaged
    assert isinstance(_refused(tmp_path, head + c0 + c1 + c2, keys.enc_private), PackageIncomplete)


def test_package_for_another_pc(tmp_path: Path, keys: KeyPairs) -> None:
    other = new_key_pairs()
    whole = _seal_file(tmp_path, _payload(5000), other.enc_public, SMALL).read_bytes()
    error = _refused(tmp_path, whole, keys.enc_private)
    assert isinstance(error, PackageNotForMe)
    assert "此同步包不是发给本机的" in str(error)
    assert envelope.short_fingerprint(key_fingerprint(other.enc_public)) in str(error)
    assert envelope.short_fingerprint(key_fingerprint(keys.enc_public)) in str(error)


def test_recipient_fingerprint_read_from_header(tmp_path: Path, keys: KeyPairs) -> None:
    package = _seal_file(tmp_path, _payload(10), keys.enc_public)
    assert recipient_fingerprint(package) == key_fingerprint(keys.enc_public)
    with package.open("rb") as f:
        f.seek(0)
        assert recipient_fingerprint(f) == key_fingerprint(keys.enc_public)
        assert f.tell() == 0  # put back: the same handle can be opened next
        assert is_package(f)
        out = io.BytesIO()
        open_sealed(f, out, keys.enc_private)
    assert len(out.getvalue()) == 10
    assert is_package(package)


@pytest.mark.parametrize(
    "content",
    [
        b"PK\x03\x04 a zip file, not a package" + bytes(200),
        "这是一个文本文件\n".encode() * 40,
        os.urandom(300),
    ],
)
def test_not_a_package(tmp_path: Path, keys: KeyPairs, content: bytes) -> None:
    error = _refused(tmp_path, content, keys.enc_private)
    assert isinstance(error, NotAPackage)
    assert str(error).startswith("这不是阳光台账的同步包")
    path = tmp_path / "x.bin"
    path.write_bytes(content)
    assert not is_package(path)
    with pytest.raises(NotAPackage):
        recipient_fingerprint(path)


def test_empty_file_is_incomplete(tmp_path: Path, keys: KeyPairs) -> None:
    assert isinstance(_refused(tmp_path, b"", keys.enc_private), PackageIncomplete)


def test_newer_format_version_or_suite(
    tmp_path: Path, keys: KeyPairs, monkeypatch: pytest.MonkeyPatch
) -> None:
    with monkeypatch.context() as m:  # a package as a future program would write it
        m.setattr(envelope, "VERSION", 2)
        newer = _seal_file(tmp_path, _payload(100), keys.enc_public).read_bytes()
    error = _refused(tmp_path, newer, keys.enc_private)
    assert isinstance(error, PackageTooNew)
    assert str(error) == "此同步包的格式版本 2 比本程序新，请先升级阳光台账"
    with pytest.raises(PackageTooNew):
        recipient_fingerprint(tmp_path / "damaged.slsync")

    with monkeypatch.context() as m:
        m.setattr(envelope, "SUITE", 7)
        other_suite = _seal_file(tmp_path, _payload(100), keys.enc_public).read_bytes()
    error = _refused(tmp_path, other_suite, keys.enc_private)
    assert isinstance(error, PackageTooNew)
    assert "加密方式（编号 7）" in str(error) and "请先升级阳光台账" in str(error)


def test_package_error_is_a_user_error() -> None:
    assert issubclass(PackageError, UserError)


@settings(max_examples=150, deadline=None)
@given(payload=st.binary(max_size=3000), chunk_size=st.integers(min_value=1, max_value=700))
def test_round_trip_property(payload: bytes, chunk_size: int) -> None:
    keys = _PROPERTY_KEYS
    sealed = io.BytesIO()
    seal(io.BytesIO(payload), sealed, keys.enc_public, chunk_size=chunk_size)
    chunks = max(1, -(-len(payload) // chunk_size))
    assert len(sealed.getvalue()) == START + len(payload) + chunks * TAG_SIZE
    sealed.seek(0)
    out = io.BytesIO()
    open_sealed(sealed, out, keys.enc_private)
    assert out.getvalue() == payload


@settings(max_examples=100, deadline=None)
@given(
    payload=st.binary(min_size=1, max_size=600),
    chunk_size=st.integers(min_value=1, max_value=200),
    data=st.data(),
)
def test_damage_property(payload: bytes, chunk_size: int, data: st.DataObject) -> None:
    """Any cut is incomplete and any flipped byte is damage, whatever the sizes."""
    keys = _PROPERTY_KEYS
    sealed = io.BytesIO()
    seal(io.BytesIO(payload), sealed, keys.enc_public, chunk_size=chunk_size)
    whole = sealed.getvalue()
    cut = data.draw(st.integers(min_value=0, max_value=len(whole) - 1))
    with pytest.raises(PackageIncomplete):
        open_sealed(io.BytesIO(whole[:cut]), io.BytesIO(), keys.enc_private)
    at = data.draw(st.integers(min_value=0, max_value=len(whole) - 1))
    mask = data.draw(st.integers(min_value=1, max_value=255))
    flipped = bytearray(whole)
    flipped[at] ^= mask
    with pytest.raises(PackageDamaged):
        open_sealed(io.BytesIO(bytes(flipped)), io.BytesIO(), keys.enc_private)


_PROPERTY_KEYS = new_key_pairs()


def test_open_to_file_never_touches_an_existing_file(tmp_path: Path, keys: KeyPairs) -> None:
    package = _seal_file(tmp_path, _payload(10), keys.enc_public)
    existing = tmp_path / "existing.zip"
    existing.write_bytes(b"keep me")
    with pytest.raises(FileExistsError):
        open_to_file(package, existing, keys.enc_private)
    assert existing.read_bytes() == b"keep me"
