"""农村集体资产年报 / 清产核资 annual tables for the national platform (issue #17): one year, one
village or every village of the database, summed per township.

The platform's 汇总 import takes one table per form with one row per reporting unit (单位名称, 统一
社会信用代码, 区划代码 first, then the form's items in the form's order); so each form here is one
``AnnualForm`` whose rows are the villages in region-code order, each township followed by its 合计
row, and a 总计 row when the scope spans several townships. The forms:

- 基本情况: 会计制度, 账套, 户数 and 成员数 at the year's end (the 成员名册), and the headline figures
  of the other forms (资产总计, 负债合计, 所有者权益合计, 经营性收入, 总收入, 本年收益);
- 资产负债表 (年末数) and 收益及收益分配表 (本年数): the lines of ``statement_layouts`` in their order,
  figures from ``statements`` (the same numbers as the printed statements) — one form per 会计制度,
  since 2004 and 2023 books have different lines (a 2004 form is named so);
- 收益分配: the year's income as the 成员与分配 plan shares it (状态, 可分配收益, 提取, 分配给成员, 每股,
  户数, 人数, 已发放), ``distribution_query.find_plan``'s figures;
- 固定资产清查: the asset cards at the year's end (资产变动表 of the year) by nature and class, beside
  the books' 固定资产原值/累计折旧 and the difference (清产核资's 账面数 against 核实数);
- 资源性资产: the resource register's land by GB/T 21010 class in 亩, and how much was let out
  (已发包/已出租 under a contract in force on 31 December).

A village's figures are those of its own books (股份经济合作社/经济合作社/经济联合社: a 村民委员会's
book is another body's), summed when it keeps several; its land is the organisation's whole register.
A book "has the year" when it was opened by December and either opened in that year or has posted
entries in it; a village without such a book is left out and named in ``skipped`` (``--org`` on it
is refused). Every total is the sum of the rows above it, so the township lines tie to the villages
and the villages to their statements, 分 for 分. Read-only, Qt-free.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import BindParameter, Select, and_, bindparam, func, or_, select
from sqlalchemy.orm import Session

from db.models import AccountPeriodTotal, Member
from desktop_app.core.errors import ValidationError
from desktop_app.core.periods import period_label
from desktop_app.core.rows import BookRow
from desktop_app.core.services.assets import CATEGORIES
from desktop_app.core.services.assets_report import asset_change_table
from desktop_app.core.services.balances import balances_at_end
from desktop_app.core.services.distribution_query import find_plan
from desktop_app.core.services.district_common import Village, places, villages
from desktop_app.core.services.funds_base import book_accounts, read_cache, reads
from desktop_app.core.services.orgs import ORG_OWN_BOOK_KINDS, find_organisation, list_books
from desktop_app.core.services.resources import LAND_CLASSES, list_parcels
from desktop_app.core.services.statement_layouts import (
    ASSETS_TOTAL_KEY,
    BALANCE_SHEET,
    INCOME_DISTRIBUTION,
    Line,
)
from desktop_app.core.services.statements import evaluate_layout, income_distribution_values, income_figures

ZERO = Decimal("0.00")
ZERO_MU = Decimal("0.0000")
LET_OUT = ("已发包", "已出租")
Value = Decimal | int | str | None


@dataclass(frozen=True)
class FormColumn:
    key: str
    label: str  # 中文 header, as the platform names the item
    kind: str  # "money" (元), "area" (亩), "int", "text", "each" (元 per unit: not summed)


@dataclass(frozen=True)
class FormRow:
    name: str  # 单位名称, or "某某镇合计" / "总计"
    uscc: str
    region_code: str
    township: str
    level: str  # "村" | "乡镇合计" | "总计"
    values: tuple[Value, ...]

    @property
    def is_total(self) -> bool:
        return self.level != "村"


@dataclass(frozen=True)
class AnnualForm:
    key: str  # "basic", "balance-sheet-2023", …
    title: str  # sheet name
    columns: tuple[FormColumn, ...]
    rows: tuple[FormRow, ...]
    note: str = ""

    def row(self, name: str) -> FormRow:
        return next(r for r in self.rows if r.name == name)

    def value(self, name: str, key: str) -> Value:
        i = next(i for i, c in enumerate(self.columns) if c.key == key)
        return self.row(name).values[i]


@dataclass(frozen=True)
class AnnualTables:
    year: int
    scope: str  # "全部村（N个）" or the village's name
    forms: tuple[AnnualForm, ...]
    skipped: tuple[tuple[Village, str], ...] = field(default=())  # villages left out, and why

    def form(self, key: str) -> AnnualForm:
        return next(f for f in self.forms if f.key == key)


def _layout_columns(prefix: str, layout: list[Line]) -> tuple[FormColumn, ...]:
    return tuple(FormColumn(f"{prefix}.{k}", label, "money") for k, label, kind, _ in layout if kind != "H")


def _fixed_columns() -> tuple[FormColumn, ...]:
    cols = [FormColumn("fa.cards", "资产卡片数", "int"), FormColumn("fa.cost", "卡片原值合计", "money"),
            FormColumn("fa.acc", "卡片累计折旧", "money"), FormColumn("fa.net", "卡片净值", "money"),
            FormColumn("fa.op_cost", "经营性资产原值", "money"), FormColumn("fa.op_net", "经营性资产净值", "money"),
            FormColumn("fa.non_cost", "非经营性资产原值（含公益性）", "money"),
            FormColumn("fa.non_net", "非经营性资产净值（含公益性）", "money")]
    cols += [FormColumn(f"fa.cat.{c}", f"{c}原值", "money") for c in CATEGORIES]
    cols += [FormColumn("fa.inc", "本年增加原值", "money"), FormColumn("fa.dec", "本年减少原值", "money"),
             FormColumn("fa.book_cost", "账面固定资产原值", "money"), FormColumn("fa.book_acc", "账面累计折旧", "money"),
             FormColumn("fa.diff", "原值差额（卡片－账面）", "money")]
    return tuple(cols)


def _land_columns() -> tuple[FormColumn, ...]:
    return (FormColumn("land.parcels", "地块数", "int"), FormColumn("land.total", "土地面积合计（亩）", "area"),
            *(FormColumn(f"land.{c}", f"{c}（亩）", "area") for c in LAND_CLASSES),
            FormColumn("land.let", "已发包/出租面积（亩）", "area"), FormColumn("land.own", "未发包面积（亩）", "area"))


def _distribution_columns() -> tuple[FormColumn, ...]:
    return (FormColumn("dist.status", "分配方案状态", "text"), FormColumn("dist.distributable", "可分配收益", "money"),
            FormColumn("dist.reserve", "提取公积公益金", "money"), FormColumn("dist.welfare", "提取福利费", "money"),
            FormColumn("dist.other", "其他分配", "money"), FormColumn("dist.members", "分配给成员", "money"),
            FormColumn("dist.per_share", "每股分配", "each"), FormColumn("dist.households", "分配户数", "int"),
            FormColumn("dist.people", "分配人数", "int"), FormColumn("dist.paid", "已发放", "money"))


def _basic_columns() -> tuple[FormColumn, ...]:
    return (FormColumn("basic.chart", "会计制度", "text"), FormColumn("basic.books", "账套", "text"),
            FormColumn("basic.households", "户数", "int"), FormColumn("basic.members", "成员数", "int"),
            FormColumn("basic.assets", "资产总计", "money"), FormColumn("basic.liabilities", "负债合计", "money"),
            FormColumn("basic.equity", "所有者权益合计", "money"),
            FormColumn("basic.operating", "经营性收入", "money"), FormColumn("basic.income", "总收入", "money"),
            FormColumn("basic.net", "本年收益", "money"))


_FIXED = _fixed_columns()
_ACTIVE_BOOKS = (select(AccountPeriodTotal.book_id)
                 .where(AccountPeriodTotal.period >= bindparam("first"), AccountPeriodTotal.period <= bindparam("last"))
                 .distinct())


def _members_query() -> Select[uuid.UUID, int, int]:
    end: BindParameter[date] = bindparam("end")
    in_register = and_(or_(Member.joined_on.is_(None), Member.joined_on <= end), Member.birth_date <= end,
                       or_(Member.left_on > end, and_(Member.left_on.is_(None), Member.status == "在册")))
    return (select(Member.organisation_id, func.count(func.distinct(Member.household_id)), func.count())
            .where(Member.deleted.is_(False), in_register).group_by(Member.organisation_id))


_MEMBERS = _members_query()


def _books_of_year(session: Session, year: int) -> dict[uuid.UUID, list[BookRow]]:
    """Each organisation's own books that have ``year`` (opened by December, and opened in the year or
    with posted entries in it)."""
    first, last = f"{year}-01", f"{year}-12"
    active = set(reads(session).execute(_ACTIVE_BOOKS, {"first": first, "last": last}).scalars())
    out: dict[uuid.UUID, list[BookRow]] = defaultdict(list)
    for b in list_books(session):
        if b.kind in ORG_OWN_BOOK_KINDS and b.start_period <= last and (b.start_period >= first or b.id in active):
            out[b.organisation_id].append(b)
    return out


def _line(version: str, *labels: str) -> str:
    """The key of the balance-sheet line named one of ``labels`` (2004 says 原价 where 2023 says 原值)."""
    return next(k for k, label, kind, _ in BALANCE_SHEET[version] if kind != "H" and label in labels)


def _add(acc: dict[str, Value], values: dict[str, Decimal]) -> None:
    for k, v in values.items():
        old = acc.get(k)
        acc[k] = v if old is None else old + v  # type: ignore[operator]


def _book_figures(session: Session, book: BookRow, year: int) -> dict[str, Decimal]:
    """One book's figures for ``year``: its balance sheet at December, its 收益及收益分配表 and income
    figures over the months of the year it kept, its cards at the year's end."""
    v, last = book.chart_version, f"{year}-12"
    first = max(f"{year}-01", book.start_period)
    # the balance sheet's 年末数 (``statements.balance_sheet_values`` without the 年初数 it would also read)
    end = evaluate_layout(v, BALANCE_SHEET[v], book_accounts(session, book.id), balances_at_end(session, book.id, last))
    out = {f"bs{v}.{k}": x for k, x in end.items()}
    out.update({f"id{v}.{k}": x for k, x in income_distribution_values(session, book.id, first, last).items()})
    fig = income_figures(session, book.id, first, last)
    out.update({"basic.assets": end[ASSETS_TOTAL_KEY[v]], "basic.liabilities": end[_line(v, "负债合计")],
                "basic.equity": end[_line(v, "所有者权益合计")], "basic.operating": fig.operating_income,
                "basic.income": fig.total_income, "basic.net": fig.net_income})
    table = asset_change_table(session, book.id, first, last)
    cards = [r for r in table if r.closing_cost or r.closing_accumulated]
    fa: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for r in cards:
        fa["fa.cost"] += r.closing_cost
        fa["fa.acc"] += r.closing_accumulated
        fa["fa.net"] += r.closing_net
        side = "op" if r.nature == "经营性" else "non"
        fa[f"fa.{side}_cost"] += r.closing_cost
        fa[f"fa.{side}_net"] += r.closing_net
        fa[f"fa.cat.{r.category}"] += r.closing_cost
    for r in table:
        fa["fa.inc"] += r.increase
        fa["fa.dec"] += r.decrease
    book_cost = end[_line(v, "固定资产原值", "固定资产原价")]
    fa.update({"fa.book_cost": book_cost, "fa.book_acc": end[_line(v, "减：累计折旧")]})
    out.update({c.key: fa[c.key] for c in _FIXED if c.kind == "money"})
    out["fa.diff"] = fa["fa.cost"] - book_cost
    out["fa.cards"] = Decimal(len([r for r in cards if r.closing_cost]))
    return out


def _distribution(session: Session, book: BookRow, year: int) -> dict[str, Value]:
    """The book's current 收益分配 plan for ``year``'s income (``distribution_query.find_plan``)."""
    plan = find_plan(session, book.id, year)
    if plan is None:
        return {"dist.status": "未编制"}
    return {"dist.status": plan.status, "dist.distributable": plan.distributable, "dist.reserve": plan.reserve,
            "dist.welfare": plan.welfare, "dist.other": plan.other, "dist.members": plan.members_amount,
            "dist.per_share": plan.per_share, "dist.households": plan.households, "dist.people": plan.members,
            "dist.paid": plan.paid_total}


def _plans(plans: list[dict[str, Value]]) -> dict[str, Value]:
    """A village's plans together (one per own book, usually one): amounts and counts added; 每股
    only when there is one plan (a share of two plans has no single price)."""
    out: dict[str, Value] = {"dist.status": "、".join(str(p["dist.status"]) for p in plans)}
    for c in _distribution_columns():
        if c.kind in ("money", "int"):
            out[c.key] = sum((p.get(c.key) or 0 for p in plans), ZERO if c.kind == "money" else 0)
    out["dist.per_share"] = plans[0].get("dist.per_share") if len(plans) == 1 else None
    return out


def _land(session: Session, org_id: uuid.UUID, year: int) -> dict[str, Value]:
    parcels = list_parcels(session, org_id, on=date(year, 12, 31))
    out: dict[str, Value] = {f"land.{c}": ZERO_MU for c in LAND_CLASSES}
    for p in parcels:
        out[f"land.{p.land_class}"] = out[f"land.{p.land_class}"] + p.area_mu  # type: ignore[operator]
    total = sum((p.area_mu for p in parcels), ZERO_MU)
    let = sum((p.area_mu for p in parcels if p.shown_status in LET_OUT), ZERO_MU)
    out.update({"land.parcels": len(parcels), "land.total": total, "land.let": let, "land.own": total - let})
    return out


def _scope(session: Session, organisation: str | None) -> tuple[list[Village], str]:
    if organisation is None:
        found = villages(session)
        return found, f"全部村（{len(found)}个）"
    org = find_organisation(session, organisation)
    return [p for p in places(session) if p.organisation_id == org.id], org.name


def annual_tables(session: Session, year: int, *, organisation: str | None = None) -> AnnualTables:
    """The year's forms for one organisation (``organisation``: USCC or 区划代码) or every village."""
    if not 1949 < year < 2200:
        raise ValidationError(f"年度“{year}”不对，应为四位年份，如 2026", field="--year")
    with read_cache(session):
        return _annual_tables(session, year, organisation)


def _annual_tables(session: Session, year: int, organisation: str | None) -> AnnualTables:
    scope, label = _scope(session, organisation)
    books = _books_of_year(session, year)
    kept = [v for v in scope if books.get(v.organisation_id)]
    skipped = tuple((v, f"{year}年没有记账") for v in scope if not books.get(v.organisation_id))
    if not kept:
        if organisation is not None and scope:
            raise ValidationError(_no_books(session, scope[0], label, year), field="--year")
        raise ValidationError(f"{year}年没有任何村记账，不能编制{year}年年报", field="--year")
    members = {o: (h, n) for o, h, n in reads(session).execute(_MEMBERS, {"end": date(year, 12, 31)})}
    data: dict[uuid.UUID, dict[str, Value]] = {}
    versions: dict[uuid.UUID, set[str]] = {}
    for v in kept:
        acc: dict[str, Value] = {}
        own = sorted(books[v.organisation_id], key=lambda b: b.code)
        plans: list[dict[str, Value]] = []
        for b in own:
            _add(acc, _book_figures(session, b, year))
            plans.append(_distribution(session, b, year))
        acc.update(_plans(plans))
        acc["fa.cards"] = int(acc["fa.cards"])  # type: ignore[arg-type]
        versions[v.organisation_id] = {b.chart_version for b in own}
        acc["basic.chart"] = "、".join(f"{x}版" for x in sorted(versions[v.organisation_id]))
        acc["basic.books"] = "、".join(f"{b.code} {b.name}" for b in own)
        acc["basic.households"], acc["basic.members"] = members.get(v.organisation_id, (0, 0))
        acc.update(_land(session, v.organisation_id, year))
        data[v.organisation_id] = acc
    totals = organisation is None  # township 合计 rows (and a 总计) for the whole database only

    def form(key: str, title: str, columns: tuple[FormColumn, ...], rows: list[Village], note: str = "") -> AnnualForm:
        return _form(key, title, columns, rows, data, note, totals=totals)

    forms = [form("basic", "基本情况", _basic_columns(), kept)]
    for ver in sorted({x for s in versions.values() for x in s}, reverse=True):
        suffix = "" if ver == "2023" else f"（{ver}制度）"
        of_version = [v for v in kept if ver in versions[v.organisation_id]]
        forms.append(form(f"balance-sheet-{ver}", f"资产负债表{suffix}", _layout_columns(f"bs{ver}", BALANCE_SHEET[ver]),
                          of_version, "年末数"))
        forms.append(form(f"income-distribution-{ver}", f"收益及收益分配表{suffix}",
                          _layout_columns(f"id{ver}", INCOME_DISTRIBUTION[ver]), of_version, "本年数"))
    forms.append(form("distribution", "收益分配", _distribution_columns(), kept, f"{year}年度收益的分配方案（成员分配台账）"))
    forms.append(form("fixed-assets", "固定资产清查", _FIXED, kept, "卡片：资产台账年末数（核实数）；账面：资产负债表年末数"))
    forms.append(form("resources", "资源性资产", _land_columns(), kept, "资源台账；已发包/出租：12月31日有生效合同的地块"))
    return AnnualTables(year, label, tuple(forms), skipped)


def _no_books(session: Session, village: Village, name: str, year: int) -> str:
    """Why one organisation has no tables for ``year``: no books of its own, books opened later, or
    no posted voucher in the year."""
    own = [b for b in list_books(session, village.organisation_id) if b.kind in ORG_OWN_BOOK_KINDS]
    if not own:
        return f"{name} 还没有集体经济组织的账套，不能编制年报"
    later = [b for b in own if b.start_period > f"{year}-12"]
    if len(later) == len(own):
        since = "、".join(f"{b.name}自{period_label(b.start_period)}启用" for b in later)
        return f"{name} {year}年还没有账（{since}），不能编制{year}年年报"
    return f"{name} {year}年没有记账（没有已记账的凭证），不能编制{year}年年报"


def _form(key: str, title: str, columns: tuple[FormColumn, ...], scope: list[Village],
          data: dict[uuid.UUID, dict[str, Value]], note: str = "", *, totals: bool = True) -> AnnualForm:
    rows: list[FormRow] = []
    towns: list[FormRow] = []
    by_town: dict[str, list[Village]] = defaultdict(list)
    for v in scope:
        by_town[v.township_code].append(v)
    for code, group in by_town.items():
        mine = [FormRow(v.name, v.uscc, v.region_code, v.township, "村",
                        tuple(data[v.organisation_id].get(c.key) for c in columns)) for v in group]
        rows += mine
        if totals:
            town = FormRow(f"{group[0].township or code}合计", "", code, group[0].township, "乡镇合计",
                           _sums(columns, mine))
            rows.append(town)
            towns.append(town)
    if totals and len(towns) > 1:
        rows.append(FormRow("总计", "", "", "", "总计", _sums(columns, towns)))
    return AnnualForm(key, title, columns, tuple(rows), note)


def _sums(columns: tuple[FormColumn, ...], rows: list[FormRow]) -> tuple[Value, ...]:
    out: list[Value] = []
    for i, c in enumerate(columns):
        if c.kind in ("text", "each"):  # names, and per-unit figures (每股) that do not add up
            out.append(None)
            continue
        start: Decimal | int = 0 if c.kind == "int" else (ZERO_MU if c.kind == "area" else ZERO)
        out.append(sum((r.values[i] or 0 for r in rows), start))
    return tuple(out)
