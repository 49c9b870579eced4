"""The public card of an installation (``.slcard``): what the other side registers to trust it.

A card is a small UTF-8 JSON file: name, level, region code, origin, site id, the Ed25519
signing and X25519 encryption public keys (base64), the program version and when it was made,
signed with the card's own Ed25519 key (a card whose signature fails is refused: a damaged or
edited card is never registered). The signature proves only that whoever made the card holds
its key; that the key is the township's (or the district's) is what the fingerprint, read over
the phone, proves.

The fingerprint is the first 80 bits of SHA-256 over the canonical public fields (origin,
site id, both keys), written as 20 decimal digits in 5 groups of 4 ("0412 7781 …"): the 80-bit
number is reduced modulo 10^20, so about 66 bits survive, far more than anyone can search for a
card that reads the same.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from desktop_app.core.errors import UserError

CARD_SUFFIX = ".slcard"
CARD_FORMAT = 1
CARD_KIND = "阳光台账同步名片"
LEVELS = ("township", "district")
LEVEL_TEXT = {"township": "乡镇", "district": "区"}
_MAX_CARD_BYTES = 64 * 1024


def program_version() -> str:
    try:
        from importlib.metadata import version

        return version("sunshine-ledger")
    except Exception:  # running from a frozen build without package metadata
        return "0.1.0"


def canonical(value: Any) -> bytes:
    """The one byte form that is hashed and signed (sorted keys, no spaces, UTF-8)."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def fingerprint(origin: uuid.UUID, site_id: uuid.UUID, sign_public: bytes, enc_public: bytes) -> str:
    """Twenty digits in five groups of four, the same on both PCs for the same card."""
    fields = {"enc_public": _b64(enc_public), "origin": origin.hex, "sign_public": _b64(sign_public),
              "site_id": site_id.hex}
    number = int.from_bytes(hashlib.sha256(canonical(fields)).digest()[:10], "big") % 10**20
    digits = f"{number:020d}"
    return " ".join(digits[i:i + 4] for i in range(0, 20, 4))


@dataclass(frozen=True)
class Card:
    name: str
    level: str  # township / district
    region_code: str | None
    origin: uuid.UUID
    site_id: uuid.UUID
    sign_public: bytes
    enc_public: bytes
    program_version: str
    created_at: str  # ISO time as the maker's clock had it: display only

    @property
    def level_text(self) -> str:
        return LEVEL_TEXT.get(self.level, self.level)

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.origin, self.site_id, self.sign_public, self.enc_public)

    def fields(self) -> dict[str, Any]:
        """Everything the signature covers."""
        return {
            "format": CARD_FORMAT, "kind": CARD_KIND, "name": self.name, "level": self.level,
            "region_code": self.region_code, "origin": self.origin.hex, "site_id": self.site_id.hex,
            "sign_public": _b64(self.sign_public), "enc_public": _b64(self.enc_public),
            "program_version": self.program_version, "created_at": self.created_at,
        }


def make_card(*, name: str, level: str, region_code: str | None, origin: uuid.UUID, site_id: uuid.UUID,
              sign_private: bytes, enc_public: bytes, created_at: datetime) -> tuple[Card, bytes]:
    """The card of this installation and its file bytes (signed with ``sign_private``)."""
    key = Ed25519PrivateKey.from_private_bytes(sign_private)
    sign_public = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    card = Card(name=name, level=level, region_code=region_code, origin=origin, site_id=site_id,
                sign_public=sign_public, enc_public=enc_public, program_version=program_version(),
                created_at=created_at.isoformat(timespec="seconds"))
    fields = card.fields()
    signed = dict(fields, signature=_b64(key.sign(canonical(fields))))
    text = json.dumps(signed, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    return card, text.encode("utf-8")


def write_card(path: Path, data: bytes) -> Path:
    """Write the card file (``.slcard`` added when the name has no suffix)."""
    if not path.suffix:
        path = path.with_suffix(CARD_SUFFIX)
    if path.parent and not path.parent.is_dir():
        raise UserError(f"文件夹不存在：{path.parent}", field="--out")
    path.write_bytes(data)
    return path


_BAD = "不是有效的阳光台账同步名片"


def _field(doc: dict[str, Any], name: str) -> Any:
    if name not in doc:
        raise UserError(f"{_BAD}：缺少“{name}”")
    return doc[name]


def _key(doc: dict[str, Any], name: str) -> bytes:
    value = _field(doc, name)
    try:
        raw = base64.b64decode(str(value), validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 32:
        raise UserError(f"{_BAD}：公钥“{name}”格式不对")
    return raw


def _uuid(doc: dict[str, Any], name: str) -> uuid.UUID:
    try:
        return uuid.UUID(hex=str(_field(doc, name)))
    except ValueError:
        raise UserError(f"{_BAD}：“{name}”格式不对") from None


def parse_card(data: bytes) -> Card:
    """Read a card's bytes; refuse anything malformed or whose signature does not verify."""
    if len(data) > _MAX_CARD_BYTES:
        raise UserError(f"{_BAD}（文件过大）")
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise UserError(f"{_BAD}（文件内容无法读取）") from None
    if not isinstance(doc, dict) or doc.get("kind") != CARD_KIND:
        raise UserError(_BAD)
    if doc.get("format") != CARD_FORMAT:
        raise UserError(f"此名片由更新版本的阳光台账生成（名片格式 {doc.get('format')}），请先升级本程序")
    level = _field(doc, "level")
    if level not in LEVELS:
        raise UserError(f"{_BAD}：级别“{level}”不明")
    name = _field(doc, "name")
    region = doc.get("region_code")
    if not isinstance(name, str) or not name.strip() or not (region is None or isinstance(region, str)):
        raise UserError(f"{_BAD}：名称或区划代码格式不对")
    card = Card(name=name, level=level, region_code=region, origin=_uuid(doc, "origin"),
                site_id=_uuid(doc, "site_id"), sign_public=_key(doc, "sign_public"),
                enc_public=_key(doc, "enc_public"), program_version=str(doc.get("program_version", "")),
                created_at=str(doc.get("created_at", "")))
    try:
        signature = base64.b64decode(str(_field(doc, "signature")), validate=True)
        fields = {k: v for k, v in doc.items() if k != "signature"}
        if fields != card.fields():  # extra or altered fields are not what was signed
            raise InvalidSignature
        Ed25519PublicKey.from_public_bytes(card.sign_public).verify(signature, canonical(fields))
    except (InvalidSignature, binascii.Error, ValueError):
        raise UserError("名片的签名无法验证：文件已被改动或损坏，未登记。请让对方重新导出名片") from None
    return card


def read_card(path: Path) -> Card:
    if not path.is_file():
        raise UserError(f"名片文件不存在：{path}", field="FILE")
    return parse_card(path.read_bytes())
