"""The district's tier boundaries and income definition (issue #13): read with their defaults,
changed only with a reason-free but audited write; every report prints ``describe()``.

Defaults (REFERENCE "Our decisions" and §7): 无经营收益 / <5万 / 5–10万 / 10–20万 / 20–50万 /
50–100万 / ≥100万; 经营性收入 = the chart role ``operating_income`` (2023: 501 经营收入 + 502 投资收益;
2004: 501 经营收入 + 511 发包及上交收入 + 561 投资收益), 总收入 = ``total_income`` (every income
account). A code counts its sub-accounts; the year-end closing vouchers are left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from itertools import pairwise

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.audit import AuditRecord, record_audit
from db.models import DistrictSetting
from db.types import utcnow
from desktop_app.core import charts
from desktop_app.core.errors import ValidationError
from desktop_app.core.rows import UserRow
from desktop_app.core.services.auth import require_role

TEN_THOUSAND = Decimal(10000)
DEFAULT_TIERS = (Decimal(0), Decimal(5), Decimal(10), Decimal(20), Decimal(50), Decimal(100))
KINDS = ("operating", "total")
KIND_TEXT = {"operating": "经营性收入", "total": "总收入"}
VERSIONS = ("2023", "2004")
_ROLE = {"operating": "operating_income", "total": "total_income"}
_CODE_RE = re.compile(r"^\d{3,20}$")
SET_DISTRICT_SETTINGS = ("district_admin",)  # 区级统计设置: the district's officers (as 更正建议, PROPOSE)


def _wan(v: Decimal) -> str:
    """5 → "5", 7.5 → "7.5" (万元 as the user typed them, without trailing zeros)."""
    return format(v.normalize(), "f")


@dataclass(frozen=True)
class TierSettings:
    bounds: tuple[Decimal, ...]  # 万元, strictly increasing, e.g. (0, 5, 10, 20, 50, 100)
    operating_2023: tuple[str, ...]
    operating_2004: tuple[str, ...]
    total_2023: tuple[str, ...]
    total_2004: tuple[str, ...]
    saved: bool = False  # False: every value is the default

    def codes(self, kind: str, version: str) -> tuple[str, ...]:
        value: tuple[str, ...] = getattr(self, f"{kind}_{version}")
        return value

    def labels(self, kind: str) -> tuple[str, ...]:
        """One label per tier, lowest first (``len(bounds) + 1`` of them): with a 0 boundary the
        first tier is "no income" (≤ 0) and the second "<b1万" (above 0)."""
        b = self.bounds
        if b[0] == 0:
            if len(b) == 1:
                return ("无经营收益", "有经营收益") if kind == "operating" else ("无收入", "有收入")
            out = ["无经营收益" if kind == "operating" else "无收入", f"<{_wan(b[1])}万"]
            inner = range(1, len(b) - 1)
        else:
            out, inner = [f"<{_wan(b[0])}万"], range(0, len(b) - 1)
        out += [f"{_wan(b[i])}–{_wan(b[i + 1])}万" for i in inner]
        out.append(f"≥{_wan(b[-1])}万")
        return tuple(out)

    def tier_of(self, amount: Decimal) -> int:
        """The tier index of an amount in 元: x < b0 → 0 (or x ≤ 0 with a 0 boundary), then
        b[i] ≤ x < b[i+1], the last ≥ b[-1]."""
        b = self.bounds
        if b[0] == 0:
            if amount <= 0:
                return 0
            for i in range(1, len(b)):
                if amount < b[i] * TEN_THOUSAND:
                    return i
            return len(b)
        for i, bound in enumerate(b):
            if amount < bound * TEN_THOUSAND:
                return i
        return len(b)

    def describe(self) -> tuple[str, ...]:
        """The lines every report prints: boundaries and the definition of both income kinds."""
        def defn(kind: str) -> str:
            parts = []
            for v in VERSIONS:
                names = "＋".join(f"{c}{_account_name(v, c)}" for c in self.codes(kind, v))
                parts.append(f"{v}版科目 {names}")
            return f"{KIND_TEXT[kind]}：" + "；".join(parts)

        bounds = " / ".join(_wan(x) for x in self.bounds)
        return (f"分档界限（万元）：{bounds}（下限含、上限不含）；经营性收入分档："
                f"{'、'.join(self.labels('operating'))}",
                defn("operating") + "（含明细科目，不含年终结转凭证）",
                defn("total") + "（含明细科目，不含年终结转凭证）",
                "统计范围：村级集体经济组织本级账套（股份经济合作社、经济合作社），不含村民委员会等代管账套；"
                + ("分档与口径为区级设置。" if self.saved else "分档与口径为默认设置。"))


def _account_name(version: str, code: str) -> str:
    try:
        return charts.get_account(version, code).name
    except (charts.ChartError, charts.UnknownAccountError, LookupError, ValueError):
        return ""  # a code the district typed that the standard chart lacks (a sub-account)


def default_settings() -> TierSettings:
    def role(kind: str, v: str) -> tuple[str, ...]:
        return tuple(charts.account_roles(v, _ROLE[kind]))

    return TierSettings(DEFAULT_TIERS, role("operating", "2023"), role("operating", "2004"),
                        role("total", "2023"), role("total", "2004"))


def _codes_text(codes: tuple[str, ...]) -> str:
    return ",".join(codes)


def get_settings(session: Session) -> TierSettings:
    """The settings in force: stored values over the defaults."""
    stored: dict[str, str] = {k: v for k, v in session.execute(select(DistrictSetting.key, DistrictSetting.value))}
    d = default_settings()
    if not stored:
        return d
    values: dict[str, object] = {"bounds": parse_tiers(stored["tiers"]) if "tiers" in stored else d.bounds}
    for kind in KINDS:
        for v in VERSIONS:
            key = f"{kind}_{v}"
            values[key] = parse_codes(stored[key], key) if key in stored else d.codes(kind, v)
    return TierSettings(saved=True, **values)  # type: ignore[arg-type]


def parse_tiers(text: str) -> tuple[Decimal, ...]:
    """"0,5,10,20,50,100" (万元, read as Decimal from the text; also 、，and spaces) → boundaries."""
    parts = [p for p in re.split(r"[,，、\s]+", text.strip()) if p]
    if not parts:
        raise ValidationError("请填写分档界限（万元），如 0,5,10,20,50,100", field="分档界限")
    out: list[Decimal] = []
    for p in parts:
        try:
            v = Decimal(p)
        except InvalidOperation:
            raise ValidationError(f"分档界限“{p}”不是数字（单位：万元）", field="分档界限") from None
        if not v.is_finite() or v < 0:
            raise ValidationError(f"分档界限“{p}”须为不小于0的数（单位：万元）", field="分档界限")
        if v != v.quantize(Decimal("0.0001")):
            raise ValidationError(f"分档界限“{p}”最多保留四位小数（即精确到元）", field="分档界限")
        out.append(v)
    if any(b <= a for a, b in pairwise(out)):
        raise ValidationError("分档界限须从小到大排列且不重复", field="分档界限")
    if len(out) > 12:
        raise ValidationError("分档界限最多12个", field="分档界限")
    return tuple(out)


def parse_codes(text: str, field: str = "科目") -> tuple[str, ...]:
    codes = tuple(p for p in re.split(r"[,，、+＋\s]+", text.strip()) if p)
    bad = [c for c in codes if not _CODE_RE.match(c)]
    if not codes or bad:
        raise ValidationError(f"科目代码须为数字，用逗号分隔：{'、'.join(bad) or '（空）'}", field=field)
    return codes


def _income_codes(codes: tuple[str, ...], version: str, field: str) -> tuple[str, ...]:
    """Each code must lie under an income account (损益, credit side) of the version's chart."""
    income = {a.code for a in charts.load_chart(version)
              if len(a.code) == 3 and a.category == "损益" and a.normal_side == "贷"}
    for c in codes:
        if c[:3] not in income:
            raise ValidationError(f"科目 {c} 不是{version}版科目表的收入类科目（可选：{'、'.join(sorted(income))}）",
                                  field=field)
    return codes


def update_settings(session: Session, *, tiers: str | None = None, codes: dict[str, str] | None = None,
                    user: UserRow) -> TierSettings:
    """Store new boundaries and/or income definitions (``codes``: ``operating_2023`` … → "501,502");
    everything is checked before anything is written; one audit entry names old and new. The
    district's statistics are its officers' to define: ``user`` must be a 区级管理员."""
    me = require_role(session, user, *SET_DISTRICT_SETTINGS)
    actor = me.username
    before = get_settings(session)
    new: dict[str, str] = {}
    if tiers is not None:
        new["tiers"] = ",".join(_wan(b) for b in parse_tiers(tiers))
    for key, text in (codes or {}).items():
        if key not in {f"{k}_{v}" for k in KINDS for v in VERSIONS}:
            raise ValidationError(f"没有设置项“{key}”", field="设置")
        new[key] = _codes_text(_income_codes(parse_codes(text, key), key.split("_")[1], key))
    if not new:
        return before
    now = utcnow()
    for key, value in new.items():
        row = session.get(DistrictSetting, key)
        if row is None:
            session.add(DistrictSetting(key=key, value=value, updated_at=now, updated_by=actor))
        else:
            row.value, row.updated_at, row.updated_by = value, now, actor
    session.flush()
    after = get_settings(session)
    record_audit(session, AuditRecord("update", "district_setting", None,
                                      "区级统计设置：" + "；".join(f"{k}={v}" for k, v in sorted(new.items())),
                                      _image(before), _image(after)))
    return after


def _image(s: TierSettings) -> dict[str, object]:
    out: dict[str, object] = {"tiers": ",".join(_wan(b) for b in s.bounds)}
    for kind in KINDS:
        for v in VERSIONS:
            out[f"{kind}_{v}"] = _codes_text(s.codes(kind, v))
    return out
