"""The inner archive of a sync package: a ZIP with a signed manifest and hashed members.

Members are stored (``ZIP_STORED``): the JSONL members are zstd streams already and the
attachments are photos and scans. ``manifest.json`` is canonical JSON (UTF-8) naming every
other member with its SHA-256 and size; ``manifest.sig`` is the sender's Ed25519 signature
over the manifest's exact bytes. Nothing is read whole: JSONL members are written and read
as streams, hashes are taken in 1 MiB chunks.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import zstandard
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from desktop_app.sync.errors import PackageError

MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
CHUNK = 1 << 20
FORMAT = 1
SUITE = "x25519-hkdf-sha256-chacha20poly1305/ed25519"


def canonical(value: Any) -> bytes:
    """The one byte form of a JSON document that is signed or hashed."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def file_sha256(path: Path) -> tuple[str, int]:
    """SHA-256 (hex) and size of a file, read in chunks."""
    h, size = hashlib.sha256(), 0
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            h.update(chunk)
            size += len(chunk)
    return h.hexdigest(), size


class JsonlWriter:
    """Lines of text into a zstd-compressed file, streamed (memory flat). zstd compresses on its
    own threads (one per core): the export's second core compresses while the first reads and
    encodes rows; the bytes differ from a one-thread stream, the content does not."""

    def __init__(self, path: Path, level: int = 3) -> None:
        self.path = path
        self._raw = open(path, "wb")
        self._z = zstandard.ZstdCompressor(level=level, threads=-1).stream_writer(self._raw, closefd=False)
        self._buf: list[str] = []
        self._buffered = 0
        self.lines = 0

    def write(self, line: str) -> None:
        self._buf.append(line)
        self._buffered += 1
        if self._buffered >= 4096:
            self.flush()

    def write_many(self, lines: list[str]) -> None:
        self._buf.extend(lines)
        self._buffered += len(lines)
        if self._buffered >= 4096:
            self.flush()

    def write_encoded(self, data: bytes, lines: int) -> None:
        """``lines`` lines already encoded (UTF-8, each ending in a newline), after what is buffered."""
        self.flush()
        self._z.write(data)
        self.lines += lines

    def flush(self) -> None:
        if self._buf:
            self._buf.append("")
            self._z.write("\n".join(self._buf).encode("utf-8"))
            self.lines += self._buffered
            self._buf, self._buffered = [], 0

    def close(self) -> None:
        self.flush()
        self._z.close()  # type: ignore[no-untyped-call]
        self._raw.close()

    def __del__(self) -> None:
        # a writer dropped half-way (an export cancelled or refused) lets its file go with it,
        # not to the collector with a ResourceWarning; the work folder holding it is removed
        raw = getattr(self, "_raw", None)
        if raw is not None and not raw.closed:
            raw.close()


def sign(manifest_bytes: bytes, sign_private: bytes) -> bytes:
    return Ed25519PrivateKey.from_private_bytes(sign_private).sign(manifest_bytes)


def write_container(dest: Path, manifest: dict[str, Any], members: dict[str, Path], sign_private: bytes) -> bytes:
    """Write the archive: ``members`` (name → file) hashed into the manifest, which is signed.
    Returns the manifest bytes that were signed."""
    listed: dict[str, Any] = {}
    for name, path in sorted(members.items()):
        digest, size = file_sha256(path)
        listed[name] = {"sha256": digest, "size": size}
    manifest = {**manifest, "members": listed}
    body = canonical(manifest)
    with zipfile.ZipFile(dest, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
        zf.writestr(MANIFEST, body)
        zf.writestr(SIGNATURE, sign(body, sign_private))
        for name, path in sorted(members.items()):
            zf.write(path, name)
    return body


class Container:
    """An archive opened for reading: the manifest is parsed, nothing else is trusted until
    :meth:`verify_signature` and :meth:`check_members` have passed."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self._zf = zipfile.ZipFile(path)
            names = self._zf.namelist()
            if len(set(names)) != len(names):
                raise PackageError("同步包内有重复的文件，包已损坏或被改动")
            self.manifest_bytes = self._zf.read(MANIFEST)
            self.signature = self._zf.read(SIGNATURE)
            manifest = json.loads(self.manifest_bytes.decode("utf-8"))
        except PackageError:
            raise
        except (zipfile.BadZipFile, KeyError, ValueError, OSError, EOFError) as exc:
            raise PackageError(f"同步包内容已损坏，无法读取（{type(exc).__name__}）") from exc
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise PackageError("同步包的格式版本不受支持，请升级本程序或请对方重新导出")
        self.manifest: dict[str, Any] = manifest
        self.names = set(names)

    def close(self) -> None:
        self._zf.close()

    def __enter__(self) -> Container:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def verify_signature(self, sign_public: bytes) -> None:
        try:
            Ed25519PublicKey.from_public_bytes(sign_public).verify(self.signature, self.manifest_bytes)
        except InvalidSignature as exc:
            raise PackageError("同步包的签名不符：包已被改动，或不是由登记的发送方生成，已拒绝导入") from exc

    def members(self) -> dict[str, dict[str, Any]]:
        listed = self.manifest.get("members")
        if not isinstance(listed, dict):
            raise PackageError("同步包的清单缺少成员列表，包已损坏")
        return listed

    def check_members(self) -> None:
        """Every member listed with its hash and size, nothing unlisted (streamed)."""
        listed = self.members()
        extra = self.names - set(listed) - {MANIFEST, SIGNATURE}
        if extra:
            raise PackageError(f"同步包内有清单未列出的文件（{sorted(extra)[0]}），包已被改动")
        for name, meta in listed.items():
            if name not in self.names:
                raise PackageError(f"同步包缺少文件 {name}，包不完整")
            h, size = hashlib.sha256(), 0
            try:
                with self._zf.open(name) as f:
                    while chunk := f.read(CHUNK):
                        h.update(chunk)
                        size += len(chunk)
            except (zipfile.BadZipFile, OSError, EOFError) as exc:
                raise PackageError(f"同步包内文件 {name} 已损坏") from exc
            if h.hexdigest() != meta.get("sha256") or size != meta.get("size"):
                raise PackageError(f"同步包内文件 {name} 的校验值不符：包已损坏或被改动")

    def open(self, name: str) -> IO[bytes]:
        return self._zf.open(name)

    def read_json(self, name: str) -> Any:
        try:
            return json.loads(self._zf.read(name).decode("utf-8"))
        except (KeyError, ValueError) as exc:
            raise PackageError(f"同步包内文件 {name} 无法读取") from exc

    def iter_lines(self, name: str) -> Iterator[str]:
        """The lines of a zstd JSONL member, streamed."""
        if name not in self.names:
            return
        try:
            with self._zf.open(name) as raw:
                reader = zstandard.ZstdDecompressor().stream_reader(raw)
                text = io.TextIOWrapper(reader, encoding="utf-8", newline="\n")
                for line in text:
                    if line.endswith("\n"):
                        line = line[:-1]
                    if line:
                        yield line
        except (zstandard.ZstdError, UnicodeDecodeError, zipfile.BadZipFile, OSError, EOFError) as exc:
            raise PackageError(f"同步包内文件 {name} 已损坏，无法解压") from exc

    def iter_json_arrays(self, name: str, size: int = 1 << 20) -> Iterator[bytes]:
        """The non-empty lines of a zstd JSONL member as JSON arrays of about ``size`` bytes
        (``b"[line,line,…]"``), streamed: split as bytes (a newline never occurs inside a UTF-8
        sequence), left to the decoder to check as UTF-8."""
        if name not in self.names:
            return
        try:
            with self._zf.open(name) as raw:
                reader = zstandard.ZstdDecompressor().stream_reader(raw)
                rest = b""
                while True:
                    data = reader.read(size)
                    lines = (rest + data).split(b"\n")
                    rest = lines.pop() if data else b""
                    block = b",".join(filter(None, lines))
                    if block:
                        yield b"[" + block + b"]"
                    if not data:
                        return
        except (zstandard.ZstdError, zipfile.BadZipFile, OSError, EOFError) as exc:
            raise PackageError(f"同步包内文件 {name} 已损坏，无法解压") from exc

    def extract(self, name: str, dest: Path) -> None:
        tmp = dest.with_name(dest.name + ".part")
        with self._zf.open(name) as src, open(tmp, "wb") as out:
            while chunk := src.read(CHUNK):
                out.write(chunk)
        tmp.replace(dest)


def rewrite(src: Path, dest: Path, replace: dict[str, bytes], sign_private: bytes,
            manifest_changes: dict[str, Any] | None = None) -> None:
    """A copy of an archive with some members (and manifest fields) replaced, the manifest
    re-hashed and re-signed (for tests and tools that build a package the way a dishonest but
    key-holding sender, or another program version, would)."""
    with Container(src) as c, zipfile.ZipFile(dest, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as out:
        manifest = {**c.manifest, **(manifest_changes or {})}
        listed = dict(c.members())
        for name, data in replace.items():
            listed[name] = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
        manifest["members"] = listed
        body = canonical(manifest)
        out.writestr(MANIFEST, body)
        out.writestr(SIGNATURE, sign(body, sign_private))
        for name in sorted(listed):
            out.writestr(name, replace[name] if name in replace else c._zf.read(name))
