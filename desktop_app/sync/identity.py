"""Who this installation is and whom it trusts (USB sync, issue #12).

Services in the house shape: they take the caller's Session, never commit, return frozen rows
and audit every write. The site (one row: township or district, name, region) outlives
restores; the origin and its keys are renewed at every install and restore (db.migrate).

Trust: the district registers each township's card, each township registers its district's.
A card with the site id of a partner already registered but another origin is that site's
new PC (a restore on a new machine): the old partner is retired with ``successor`` set and keeps
its acknowledged positions, so a late stick from the old PC still verifies and its acks never
move the new PC's positions (SYNC.md §3.7, §4.5).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.audit import AuditRecord, record_audit
from db.changelog import session_origin
from db.models import (
    Book,
    Installation,
    InstallationKey,
    Organisation,
    Region,
    Site,
    SyncPartner,
)
from db.types import utcnow
from desktop_app.core.errors import UserError, ValidationError
from desktop_app.sync.cards import LEVEL_TEXT, LEVELS, Card, fingerprint, make_card
from desktop_app.sync.district_guard import remember_site_level

DEFAULT_NAME = "本机"
TOWNSHIP_LEVEL = "乡镇"

# 省级行政区划代码 (GB/T 2260): the first two digits of every real county code.
PROVINCES = frozenset({
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65",
    "71", "81", "82",
})


@dataclass(frozen=True)
class SiteInfo:
    site_id: uuid.UUID
    level: str  # township / district
    name: str
    region_code: str | None
    named: bool  # False while the name is still the placeholder "本机"

    @property
    def level_text(self) -> str:
        return LEVEL_TEXT.get(self.level, self.level)


@dataclass(frozen=True)
class MyKeys:
    """The current origin's keys (the attribute names of db.models.sync.InstallationKey)."""

    origin: uuid.UUID
    sign_private: bytes
    sign_public: bytes
    enc_private: bytes
    enc_public: bytes


@dataclass(frozen=True)
class PartnerRow:
    origin: uuid.UUID
    site_id: uuid.UUID
    name: str
    level: str
    region_code: str | None
    sign_public: bytes
    enc_public: bytes
    fingerprint: str
    trusted_at: datetime
    trusted_by: str
    retired_at: datetime | None
    successor: uuid.UUID | None

    @property
    def level_text(self) -> str:
        return LEVEL_TEXT.get(self.level, self.level)

    @property
    def active(self) -> bool:
        return self.retired_at is None


@dataclass(frozen=True)
class TrustResult:
    partner: PartnerRow
    outcome: str  # new / succession / already
    retired: PartnerRow | None  # the partner this card succeeds
    message: str


def _partner_row(p: SyncPartner) -> PartnerRow:
    return PartnerRow(origin=p.origin, site_id=p.site_id, name=p.name, level=p.level, region_code=p.region_code,
                      sign_public=p.sign_public, enc_public=p.enc_public, fingerprint=p.fingerprint,
                      trusted_at=p.trusted_at, trusted_by=p.trusted_by, retired_at=p.retired_at,
                      successor=p.successor)


def _site_row(session: Session) -> Site:
    row = session.get(Site, 1)
    if row is None:  # every migrated file has it (s0001); a damaged one does not
        raise UserError("数据库缺少本机站点信息，请运行 verify 检查数据库")
    return row


def _township_org(session: Session) -> tuple[str, str] | None:
    """The township's name and region code, from the region of this database's 乡镇 organisation
    (e.g. "大桥镇", not "大桥镇股份经济联合社": the name a district officer files packages under)."""
    row = session.execute(
        select(Region.name, Region.code).select_from(Organisation)
        .join(Region, Region.id == Organisation.region_id)
        .where(Organisation.level == TOWNSHIP_LEVEL, Organisation.deleted.is_(False))
        .order_by(Organisation.id).limit(1)
    ).first()
    return (row[0], row[1]) if row else None


def site(session: Session) -> SiteInfo:
    """What this database is. A township that was never named takes the name and code of its
    乡镇 organisation's region (else stays "本机" until ``set_site``/``sync identity --name``)."""
    row = _site_row(session)
    name, region = row.name, row.region_code
    if row.level == "township" and (name == DEFAULT_NAME or region is None):
        org = _township_org(session)
        if org is not None:
            name = org[0] if name == DEFAULT_NAME else name
            region = region if region is not None else org[1]
    return SiteInfo(site_id=row.site_id, level=row.level, name=name, region_code=region,
                    named=name != DEFAULT_NAME)


def my_keys(session: Session) -> MyKeys:
    origin = session_origin(session)
    k = session.get(InstallationKey, origin)
    if k is None:
        raise UserError("本机安装标识没有同步密钥：请用本版本程序重新打开数据库，或联系管理员")
    return MyKeys(origin=origin, sign_private=k.sign_private, sign_public=k.sign_public,
                  enc_private=k.enc_private, enc_public=k.enc_public)


def my_card(session: Session) -> tuple[Card, bytes]:
    """This installation's public card and the bytes of its ``.slcard`` file."""
    me, keys = site(session), my_keys(session)
    return make_card(name=me.name, level=me.level, region_code=me.region_code, origin=keys.origin,
                     site_id=me.site_id, sign_private=keys.sign_private, enc_public=keys.enc_public,
                     created_at=utcnow())


def partners(session: Session, *, include_retired: bool = True) -> list[PartnerRow]:
    q = select(SyncPartner).order_by(SyncPartner.level.desc(), SyncPartner.name, SyncPartner.trusted_at)
    if not include_retired:
        q = q.where(SyncPartner.retired_at.is_(None))
    return [_partner_row(p) for p in session.scalars(q)]


def partner(session: Session, origin: uuid.UUID) -> PartnerRow | None:
    p = session.get(SyncPartner, origin)
    return _partner_row(p) if p is not None else None


def partner_by_sign_key(session: Session, sign_public: bytes) -> PartnerRow | None:
    p = session.scalars(select(SyncPartner).where(SyncPartner.sign_public == sign_public)).first()
    return _partner_row(p) if p is not None else None


def _describe(name: str, level: str) -> str:
    return f"{LEVEL_TEXT.get(level, level)}“{name}”"


def trust_card(session: Session, card: Card, *, actor: str) -> TrustResult:
    """Register the other side's card (its fingerprint already checked by the user)."""
    me = site(session)
    own_origins = set(session.scalars(select(Installation.id)))
    if card.origin in own_origins or card.site_id == me.site_id:
        raise UserError("这是本机自己的名片，无需登记：请登记对方（区经管站或乡镇）电脑导出的名片")
    if me.level == card.level == "township":
        raise UserError(f"{_describe(card.name, card.level)}是乡镇的名片：乡镇电脑只登记区经管站的名片，"
                        "乡镇之间不直接交换数据")
    if me.level == card.level == "district":
        raise UserError(f"{_describe(card.name, card.level)}是另一个区级数据库的名片：区级数据库只登记本区各乡镇的名片")
    if (me.level == "district" and me.region_code and card.region_code
            and not card.region_code.startswith(me.region_code)):
        raise UserError(f"{_describe(card.name, card.level)}的区划代码 {card.region_code} 不属于本区（{me.region_code}），未登记")
    if card.name == DEFAULT_NAME:
        raise UserError("这张名片还没有名称（仍为“本机”），对方无法辨认：请在对方电脑上运行 "
                        "sync identity --name 名称 设置名称后，重新导出名片")
    existing = session.get(SyncPartner, card.origin)
    if existing is not None:
        if (existing.sign_public, existing.enc_public, existing.site_id) != (card.sign_public, card.enc_public, card.site_id):
            raise UserError(f"{_describe(existing.name, existing.level)}已登记，但这张名片的密钥与已登记的不同：未登记。"
                            "请与对方核实，名片可能被替换")
        if existing.retired_at is not None:
            raise UserError(f"这张名片属于{_describe(existing.name, existing.level)}已被替换的旧电脑，不能再次登记")
        if (existing.name, existing.region_code) == (card.name, card.region_code):
            return TrustResult(_partner_row(existing), "already", None,
                               f"{_describe(existing.name, existing.level)}的名片已登记过，无需重复登记")
        before = {"name": existing.name, "region_code": existing.region_code}
        existing.name, existing.region_code = card.name, card.region_code  # renamed on its PC: same keys
        session.flush()
        record_audit(session, AuditRecord("sync_trust", "sync_partner", card.origin.hex,
                                          f"更新同步对象名称：{before['name']} → {card.name}"[:300], before,
                                          {"name": card.name, "region_code": card.region_code}))
        return TrustResult(_partner_row(existing), "already", None,
                           f"名片已登记过（密钥相同），已将名称更新为{_describe(card.name, card.level)}")
    same_site = session.scalars(select(SyncPartner).where(
        SyncPartner.site_id == card.site_id, SyncPartner.retired_at.is_(None))).all()
    if me.level == "township" and not same_site:
        other = session.scalars(select(SyncPartner).where(
            SyncPartner.level == "district", SyncPartner.retired_at.is_(None))).first()
        if other is not None:
            raise UserError(f"本机已登记区经管站{_describe(other.name, other.level)}，"
                            f"不能再登记另一个区“{card.name}”。如区经管站更换了数据库，请联系管理员")
    now = utcnow()
    new = SyncPartner(origin=card.origin, site_id=card.site_id, name=card.name, level=card.level,
                      region_code=card.region_code, sign_public=card.sign_public, enc_public=card.enc_public,
                      fingerprint=card.fingerprint, trusted_at=now, trusted_by=actor)
    retired: PartnerRow | None = None
    for old in same_site:  # one at most: the site's current PC, succeeded by this one
        old.retired_at, old.successor = now, card.origin
        retired = _partner_row(old)
    session.add(new)
    session.flush()
    row = _partner_row(new)
    if retired is not None:
        message = (f"已登记{_describe(card.name, card.level)}的新电脑（接替 {retired.trusted_at:%Y-%m-%d} 登记的旧电脑）："
                   "旧电脑的名片已停用，其已确认的同步进度保留，旧电脑迟到的U盘数据包仍可导入")
        summary = f"登记同步名片 {card.name}（{LEVEL_TEXT[card.level]}，指纹 {card.fingerprint}），接替旧电脑 {retired.origin}"
        outcome = "succession"
    else:
        message = f"已登记{_describe(card.name, card.level)}的同步名片（指纹 {card.fingerprint}）"
        summary = f"登记同步名片 {card.name}（{LEVEL_TEXT[card.level]}，指纹 {card.fingerprint}）"
        outcome = "new"
    after = {"origin": card.origin.hex, "site_id": card.site_id.hex, "name": card.name, "level": card.level,
             "region_code": card.region_code, "fingerprint": card.fingerprint,
             "succeeds": retired.origin.hex if retired else None}
    record_audit(session, AuditRecord("sync_trust", "sync_partner", card.origin.hex, summary[:300], None, after))
    return TrustResult(row, outcome, retired, message)


def check_county_code(code: str) -> str:
    """A 6-digit 县级行政区划代码 (e.g. 320115): digits, a real province, a prefecture and county part."""
    code = (code or "").strip()
    if len(code) != 6 or not code.isdigit():
        raise ValidationError(f"区划代码“{code}”应为6位数字的县级行政区划代码（如 320115）", field="--region")
    if code[:2] not in PROVINCES or code[2:4] == "00" or code[4:] == "00":
        raise ValidationError(f"区划代码“{code}”不是有效的县级行政区划代码（如 320115 南京市江宁区）", field="--region")
    return code


def has_books(session: Session) -> bool:
    return bool(session.scalar(select(func.count()).select_from(Organisation))
                or session.scalar(select(func.count()).select_from(Book)))


def set_site(session: Session, level: str, name: str, region_code: str | None) -> SiteInfo:
    """Name this site, or make an empty database the district's (never one holding books)."""
    if level not in LEVELS:
        raise ValidationError(f"级别“{level}”不明（应为 township 或 district）", field="level")
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ValidationError("名称不能为空，且不超过100个字", field="--name")
    if level == "district":
        region_code = check_county_code(region_code or "")
    elif region_code is not None:
        region_code = region_code.strip() or None
        if region_code is not None and (not region_code.isdigit() or len(region_code) not in (6, 9, 12)):
            raise ValidationError(f"区划代码“{region_code}”应为数字（乡镇为9位或12位）", field="--region")
    row = _site_row(session)
    if level != row.level:
        if level == "district" and has_books(session):
            raise UserError("此数据库已有组织和账套，不能改为区级数据库：区级数据库只汇总各乡镇同步来的数据。"
                            "请为区经管站另建一个新数据库（init --district）")
        if session.scalar(select(func.count()).select_from(SyncPartner)):
            raise UserError(f"此数据库已登记同步名片，不能再从{LEVEL_TEXT[row.level]}改为{LEVEL_TEXT[level]}")
    before = {"level": row.level, "name": row.name, "region_code": row.region_code}
    row.level, row.name, row.region_code = level, name, region_code
    session.flush()
    remember_site_level(session, level)
    after = {"level": level, "name": name, "region_code": region_code}
    if before != after:
        record_audit(session, AuditRecord("update", "site", "1",
                                          f"设置本机站点：{LEVEL_TEXT[level]} {name}（{region_code or '无区划代码'}）",
                                          before, after))
    return site(session)


__all__ = ["DEFAULT_NAME", "MyKeys", "PartnerRow", "SiteInfo", "TrustResult", "check_county_code", "fingerprint",
           "has_books", "my_card", "my_keys", "partner", "partner_by_sign_key", "partners", "set_site", "site",
           "trust_card"]
