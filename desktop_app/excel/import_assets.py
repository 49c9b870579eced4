"""资产卡片 as an import kind (issue #15): keyed on 资产编号, checked by ``assets.validated_asset``,
new cards written in one batch (``assets_import.create_assets``, audited as ``create_asset``),
changed ones by ``update_asset`` (audited and kept in the card's history like a form
edit).

The 资产台账 export re-imports: its 类别/性质/状态/年限(月)/残值%/责任人/扶贫 headers are synonyms, the
title, 编制单位 line, 合计 row and 说明 are skipped. Its 原值 and 累计折旧 are the card's figures today
(原值 with value changes, 累计折旧 with the charges made), so an organisation's cards are compared
with those; a new card takes them as its 原值 and 期初累计折旧 (a card taken over with its history).
A registered card's 原值, 取得日期, 期初累计折旧 and 折旧方法 never change by import, nor its
life and residual rate once depreciated, nor anything of a disposed card: the row is a problem that
says what to do instead.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from functools import partial
from itertools import compress
from typing import Any

from sqlalchemy.orm import Session

from desktop_app.core.errors import ConflictError, ValidationError
from desktop_app.core.periods import add_months, period_label, period_start
from desktop_app.core.progress import Progress
from desktop_app.core.services.column_checks import Combined, in_cents
from desktop_app.excel.assets_import_common import (
    CHUNK,
    PRIVATE,
    Accepts,
    Distinct,
    accepted_by,
    changed_fields,
    column,
    date_reader,
    integer_reader,
    money_reader,
    number_reader,
    public,
    read_table,
    text_reader,
    texts_ok,
    with_problems,
    words_ok,
    words_reader,
    yes_no_reader,
)
from desktop_app.excel.importers import (
    ImportCheck,
    ImportDone,
    Mode,
    Problem,
    RecordImporter,
    keyed,
    register,
    shown,
)
from desktop_app.excel.table_read import Field, Layout, Table, TableSpec

__all__ = ["IMPORTER", "SPEC"]

SPEC = TableSpec("assets", "资产卡片", (
    Field("code", "资产编号", ("编号", "资产代码", "卡片编号", "资产卡片编号"), True, "本组织内唯一，按此编号判断新增或更新"),
    Field("name", "资产名称", ("名称",), True),
    Field("category", "资产类别", ("类别", "资产分类", "分类", "资产类型"), True,
          "房屋及建筑物、机器设备、运输设备、办公设备、生物资产、无形资产、其他"),
    Field("nature", "资产性质", ("性质",), True, "经营性、非经营性、公益性"),
    Field("location", "坐落位置", ("坐落", "位置", "存放地点", "地址")),
    Field("quantity", "数量", (), False, "空白按 1"),
    Field("unit", "计量单位", ("单位",), False, "空白按“项”"),
    Field("area_m2", "面积（㎡）", ("面积㎡", "面积", "建筑面积", "面积（平方米）", "占地面积"), False, "可写“120㎡”"),
    Field("acquisition_mode", "取得方式", ("来源方式", "取得途径"), False, "购建、捐赠、投资投入、盘盈、财政项目形成；空白按购建"),
    Field("funding_source", "资金来源"),
    Field("acquired_on", "取得日期", ("购置日期", "购建日期", "购入日期", "入账日期", "建成日期"), True,
          "如 2020-05-01 或 2020年5月1日"),
    Field("original_value", "原值", ("原价", "账面原值", "资产原值", "原值（元）"), True, "单位：元，如 1,200 或 1200元"),
    Field("useful_life_months", "预计使用月数", ("年限（月）", "使用年限（月）", "折旧月数", "预计使用年限（月）"), False,
          "必填（或填预计使用年限）"),
    Field("useful_life_years", "预计使用年限（年）", ("预计使用年限", "使用年限", "折旧年限", "年限", "使用年限（年）",
                                                 "折旧年限（年）"), False,
          "填了预计使用月数可不填；按年乘以12折成月"),
    Field("residual_rate", "残值率（%）", ("残值%", "残值率", "净残值率", "净残值率（%）"), False, "如 5 或 5%"),
    Field("method", "折旧方法", (), False, "年限平均法、工作量法；空白按年限平均法"),
    Field("total_workload", "预计总工作量", ("总工作量",), False, "工作量法必填"),
    Field("workload_unit", "工作量单位", (), False, "工作量法：亩、小时、公里等"),
    Field("opening_accumulated", "期初累计折旧", ("累计折旧", "已提折旧", "已计提折旧"), False,
          "接管时已提的折旧，单位：元"),
    Field("status", "使用状态", ("状态", "资产状态"), False, "自用、出租、闲置、报废；空白按自用"),
    Field("custodian", "管理责任人", ("责任人", "管理人", "保管人", "使用人")),
    Field("title_no", "权证号", ("产权证号", "权证编号", "不动产权证号")),
    Field("poverty_alleviation", "扶贫资产", ("扶贫", "是否扶贫资产"), False, "是/否"),
    Field("notes", "备注"),
), key="code")

READERS = {
    "code": text_reader, "quantity": number_reader("数量", ("项", "个", "台", "套", "辆", "间", "座", "栋", "张", "件",
                                                              "把", "部", "处", "块", "头", "只", "棵", "株", "组")),
    "area_m2": number_reader("面积", ("m2", "平方米", "平米")), "acquired_on": date_reader("取得日期"),
    "original_value": money_reader("原值"), "useful_life_months": integer_reader("预计使用月数", ("个月", "月")),
    "useful_life_years": number_reader("预计使用年限", ("年",)),
    "residual_rate": number_reader("残值率", ("%",)), "total_workload": number_reader("预计总工作量"),
    "opening_accumulated": money_reader("期初累计折旧"), "poverty_alleviation": yes_no_reader("扶贫资产"),
}

# names, places and notes as written (full-width punctuation kept)
READERS.update({k: words_reader for k in ("name", "location", "funding_source", "custodian", "title_no", "notes")})

# fixed once registered (``update_asset``), compared with the card as the 资产台账 shows it
FIXED = ("original_value", "acquired_on", "opening_accumulated", "method")
AFTER_CHARGES = ("useful_life_months", "residual_rate", "total_workload")


def _existing(session: Session, organisation_id: uuid.UUID, book_id: uuid.UUID | None
              ) -> dict[str, tuple[Any, Mapping[str, Any]]]:
    from sqlalchemy import select

    from db.models import AssetDepreciation
    from desktop_app.core.services.assets import list_assets

    cards = list_assets(session, organisation_id)
    charged = set(session.scalars(select(AssetDepreciation.asset_id).where(
        AssetDepreciation.asset_id.in_([a.id for a in cards]), AssetDepreciation.deleted.is_(False))).all()) \
        if cards else set()
    out = []
    for a in cards:
        values = {f.key: getattr(a, f.key) for f in SPEC.fields if f.key != "useful_life_years"}
        values["original_value"], values["opening_accumulated"] = a.cost, a.accumulated
        was = {**values, "charged": a.id in charged}
        out.append((a.code, a.id, {**values, "_id": a.id, "_was": was}))
    return keyed(out)


class _Quick:
    """Would ``assets.validated_asset`` accept a new card? Asked with its own field checks and arguments,
    without building the card: the columns of a few values each (类别, 性质, 状态, 单位, 年限 …) once per
    distinct combination (``Combined``), the others once per distinct value (``Accepts``). True only when it would;
    False sends the row to ``validated_asset``, which words the refusal. (A check's row is not written:
    ``assets_import.create_assets`` validates it again when the import is applied.)"""

    def __init__(self, codes: Mapping[str, uuid.UUID]) -> None:
        from desktop_app.core.rules.depreciation import METHODS, STRAIGHT_LINE, UNITS
        from desktop_app.core.services import assets_common as v
        from desktop_app.core.services.assets import CATEGORIES, LABELS, MODES, NATURES, STATUSES

        L = LABELS
        self.codes = codes
        few: dict[str, Callable[[Any], Any]] = {  # key → its check as validated_asset makes it (blank 数量 is 1, blank 单位 项)
            "category": partial(v.choice, field=L["category"], options=CATEGORIES),
            "nature": partial(v.choice, field=L["nature"], options=NATURES),
            "status": partial(v.choice, field=L["status"], options=STATUSES, default="自用"),
            "quantity": lambda q: v.decimal(1 if q is None or q == "" else q, L["quantity"], positive=True),
            "unit": lambda u: v.text(u or "项", L["unit"], max_len=10),
            "acquisition_mode": partial(v.choice, field=L["acquisition_mode"], options=MODES, default="购建"),
            "funding_source": partial(v.text, field=L["funding_source"], required=False, max_len=50),
            "useful_life_months": partial(v.integer, field=L["useful_life_months"]),
            "residual_rate": partial(_rate, field=L["residual_rate"]),
            "method": partial(v.choice, field=L["method"], options=METHODS, default=STRAIGHT_LINE),
            "workload_unit": partial(v.text, field=L["workload_unit"], required=False, max_len=10),
        }
        checks = [Accepts(check) for check in few.values()]
        workload = {need: Accepts(partial(v.decimal, field=L["total_workload"], required=need, positive=True))
                    for need in (False, True)}
        at_method = list(few).index("method")

        def together(values: tuple[Any, ...]) -> bool:
            method = values[at_method]
            by_work = ((str(method) if method is not None else "").strip() or STRAIGHT_LINE) == UNITS
            return all(ok(x) for ok, x in zip(checks, values, strict=False)) and workload[by_work](values[-1])

        keys = (*few, "total_workload")
        defaults = tuple(0 if k == "residual_rate" else None for k in keys)
        self.few = Combined(keys, defaults, together)
        self.few_columns = (tuple(zip(keys, defaults, strict=True)), Distinct(lambda *values: together(values)))
        one = (("location", partial(v.text, field=L["location"], required=False, max_len=200)),
               ("area_m2", partial(v.decimal, field=L["area_m2"], required=False)),
               ("acquired_on", partial(v.day, field=L["acquired_on"])),
               ("opening_accumulated", partial(v.money, field=L["opening_accumulated"], required=False)),
               ("custodian", partial(v.text, field=L["custodian"], required=False, max_len=50)),
               ("title_no", partial(v.text, field=L["title_no"], required=False, max_len=60)),
               ("notes", partial(v.text, field=L["notes"], required=False, max_len=500)))
        self.one = [(k, Accepts(check)) for k, check in one]
        # by columns the 期初累计折旧 check is the money step's (``_money_ok`` runs v.money on every figure)
        self.one_columns = [(k, Distinct(accepted_by(check))) for k, check in one if k != "opening_accumulated"]
        self.money = partial(v.money, field=L["original_value"], allow_zero=False)
        self.opening = partial(v.money, field=L["opening_accumulated"], required=False)
        self.decimal = partial(v.decimal, field=L["residual_rate"], required=False)
        self.rates = Distinct(self._rate_or_none)  # 残值率 as _money_ok reads it; False when refused
        # rows a chunk's column-by-column test accepted (``marked``), by identity, held until asked
        self.accepted: dict[int, Mapping[str, Any]] = {}

    def __call__(self, new: Mapping[str, Any]) -> bool:
        get = new.get
        code = get("code")
        if type(code) is not str or not words_ok(code, True, 30) or code.strip() in self.codes:
            return False
        if not words_ok(get("name"), True, 100) or get("use_kind") is not None or get("project_id") is not None:
            return False
        if not self.few(new):
            return False
        for key, ok in self.one:
            if not ok(get(key)):
                return False
        return self._money_ok(get("original_value"), get("opening_accumulated"), get("residual_rate", 0))

    def _money_ok(self, cost: Any, opening: Any, rate: Any) -> bool:
        """原值 and 期初累计折旧 as ``validated_asset`` checks them."""
        from desktop_app.core.money import MAX_AMOUNT
        from desktop_app.core.rules.depreciation import residual_value

        try:
            if opening is None and type(cost) is Decimal and cost.is_finite() and 0 < cost <= MAX_AMOUNT \
                    and isinstance(places := cost.as_tuple().exponent, int) and places >= -2:
                return True  # 原值 in 分, above 0, within the limit: what money takes (no opening: see below)
            cost = self.money(cost)
            # no opening figure is 0.00, never above 原值 (in 分, above 0) less its residual (rate ≤ 100%)
            return opening is None or self.opening(opening) <= cost - residual_value(
                cost, self.decimal(rate) or Decimal("0.0000"))
        except Exception:  # refused: validated_asset words it
            return False

    def rows(self, rows: Sequence[Mapping[str, Any]]) -> list[bool]:
        """``self(row)`` of every row of a chunk, asked column by column: each column's (or few
        columns') distinct values once (``Distinct``), the codes and names as one column of texts, the
        money columns as ``_money_rows`` reads them."""
        def col(key: str, default: Any = None) -> list[Any]:
            return column(rows, key, default)

        tests = [texts_ok(col("code"), True, 30, self.codes), texts_ok(col("name"), True, 100),
                 [u is None and p is None for u, p in zip(col("use_kind"), col("project_id"), strict=True)]]
        fields, few = self.few_columns
        tests.append(few.rows([col(k, d) for k, d in fields]))
        tests.extend(ok.rows([col(k)]) for k, ok in self.one_columns)
        tests.append(self._money_rows(col("original_value"), col("opening_accumulated"), col("residual_rate", 0)))
        return list(map(all, zip(*tests, strict=True)))

    def _money_rows(self, costs: list[Any], openings: list[Any], rates: list[Any]) -> list[bool]:
        """``_money_ok`` of every row: when every 原值 and every opening figure given is in 分, within the
        limit (原值 above 0), money takes them as they are and only the residual is left to compute,
        each distinct 残值率 checked once."""
        from desktop_app.core.rules.depreciation import residual_value

        if not in_cents(costs, above_zero=True):
            return list(map(self._money_ok, costs, openings, rates))
        given = [i for i, o in enumerate(openings) if o is not None]
        out = [True] * len(costs)
        if not given:
            return out
        if not in_cents([openings[i] for i in given], above_zero=False):
            for i in given:
                out[i] = self._money_ok(costs[i], openings[i], rates[i])
            return out
        for i, rate in zip(given, self.rates.values_of([rates[i] for i in given]), strict=True):
            cost = costs[i]
            out[i] = rate is not False and openings[i] <= cost - residual_value(cost, rate)
        return out

    def _rate_or_none(self, rate: Any) -> Any:
        try:
            return self.decimal(rate) or Decimal("0.0000")
        except Exception:  # refused: validated_asset words it
            return False

    def marked(self, records: Iterator[tuple[int, dict[str, Any]]]) -> Iterator[tuple[int, dict[str, Any]]]:
        """``records`` as they come, each chunk's rows tested by ``rows`` first: the accepted ones are
        remembered (``accepted``) for ``_validate``, which then does not ask row by row."""
        from desktop_app.core.services.resources_import import batched

        for chunk in batched(records, CHUNK):
            values = [v for _, v in chunk]
            kept = list(compress(values, self.rows(values)))
            self.accepted.update(zip(map(id, kept), kept, strict=True))
            yield from chunk

    def knows(self, values: Mapping[str, Any]) -> bool:
        """Did a chunk's test accept this very row (``marked``), or does the row's own test?"""
        return self.accepted.pop(id(values), None) is values or self(values)


def _rate(value: Any, field: str) -> None:
    """``validated_asset``'s 残值率 check."""
    from desktop_app.core.services import assets_common as v

    rate = v.decimal(value, field, required=False) or Decimal("0.0000")
    if rate > 100:
        raise ValidationError("残值率不能超过100%", field=field)


def _validate(session: Session, values: dict[str, Any], organisation_id: uuid.UUID, book_id: uuid.UUID | None,
              codes: Mapping[str, uuid.UUID] | None = None, quick: _Quick | None = None) -> Any:
    """The row by the form's rules; ``codes``: the organisation's card codes ``AssetImporter.check``
    read once (``assets_import.asset_codes``), for ``validated_asset``'s clash test; ``quick``: its
    test of a new card that ``validated_asset`` would accept (then not run)."""
    rid, was = values.get("_id"), values.get("_was")
    if rid is None or was is None:
        if values.get("status") == DISPOSED:
            return None  # left out by ``AssetImporter.check``
        if quick is not None and quick.knows(values):
            return None  # accepted (what the check needs; the apply validates and writes it)
    from desktop_app.core.services.assets import LABELS, load_asset, validated_asset

    if rid is None or was is None:
        return validated_asset(session, public(values), organisation_id, None, codes)
    changed = changed_fields(values, was)
    if not changed:
        return None
    if was["status"] == "已处置":
        raise ConflictError("该资产已处置，卡片不能再修改；请在此行保持导出时的内容或删去此行", field=LABELS["status"])
    for key in FIXED:
        if key in changed:
            hint = "原值变动请做资产价值调整" if key == "original_value" else "请保持卡片上的内容"
            raise ValidationError(f"{LABELS[key]}登记后不能通过导入修改（表中为 {shown(values[key])}，卡片为 "
                                  f"{shown(was[key])}）；{hint}", field=LABELS[key])
    for key in AFTER_CHARGES if was["charged"] else ():
        if key in changed:
            raise ValidationError(f"该资产已计提折旧，{LABELS[key]}不能直接修改；请做价值调整（重估）", field=LABELS[key])
    if changed.get("status") == "已处置":
        raise ValidationError("处置资产请使用“资产处置”，不能通过导入改状态", field=LABELS["status"])
    # the whole card as the form would save it: what is registered, with the row's changes
    a = load_asset(session, rid)
    return validated_asset(session, {**{k: getattr(a, k) for k in LABELS}, **changed}, organisation_id, rid, codes)


DISPOSED = "已处置"


def _in_months(layout: Layout, row: int, values: dict[str, Any], problems: list[Problem]) -> bool:
    """A life in years (使用年限 20) made the card's months (240) in ``values``; False (and a problem)
    when the years are not whole months."""
    if "useful_life_years" not in values:
        return True
    years = values.pop("useful_life_years", None)
    if years is not None and values.get("useful_life_months") is None:
        months = years * 12
        if months != months.to_integral_value():
            problems.append(Problem(row, layout.where("useful_life_years"),
                                    f"“{shown(years)}”年折不成整月，请改填预计使用月数"))
            return False
        values["useful_life_months"] = int(months)
    return True


def _late_start(session: Session, check: ImportCheck, book_id: uuid.UUID | None) -> str | None:
    """The note for new cards whose first months the book has already charged or closed: they start
    later than the rules would (``assets.card_first_period``), and the user should know before
    writing them, not find it in a card's 开始期间."""
    from desktop_app.core.services.assets import depreciated_or_closed_through
    from desktop_app.core.services.funds_base import get_book_row

    if book_id is None or not check.ok:
        return None
    done = depreciated_or_closed_through(session, book_id)
    if done is None or get_book_row(session, book_id).start_period > done:
        return None
    # natural_first_period(acquired, start) <= done, for a book started by then: acquired before
    # the month ``done`` (one date comparison a row: a register of 100,000 cards is checked here)
    before = period_start(done)
    rows = [row for status, row, values, _, _ in check.plan if status == "new" and values.get("status") != DISPOSED
            and isinstance(acquired := values.get("acquired_on"), date) and acquired < before]
    if not rows:
        return None
    where = "、".join(map(str, rows[:10])) + ("等" if len(rows) > 10 else "")
    which = f"第{where}行的资产" if len(rows) == 1 else f"第{where}行的 {len(rows)} 项资产"
    return (f"{which}：账套已计提折旧或结账至{period_label(done)}，{'这项' if len(rows) == 1 else '这些'}资产自"
            f"{period_label(add_months(done, 1))}起计提折旧；此前应提的折旧请填入“期初累计折旧”")


@dataclass
class AssetImporter(RecordImporter):
    preread: bool = False  # records come read (``assets_import_common.read_records``)
    by_chunks: bool = True  # the quick test asked of a chunk's rows column by column (else row by row)

    def read_row(self, layout: Layout, row: int, record: Mapping[str, Any],
                 problems: list[Problem]) -> dict[str, Any] | None:
        """As the generic reader; a life in years (使用年限 20) is the card's months (240)."""
        values = record if self.preread and type(record) is dict else super().read_row(layout, row, record, problems)
        if values is None:
            return None
        return values if _in_months(layout, row, values, problems) else None

    def check(self, session: Session, table: Table, *, organisation_id: uuid.UUID, book_id: uuid.UUID | None,
              mode: Mode) -> ImportCheck:
        """As the generic check; a card the file shows as 已处置 is not registered anew (a disposed
        card has left the books), it is counted as left out and said in the notes."""
        from desktop_app.core.services.assets_import import asset_codes

        # the organisation's card codes read once for the file, not per row
        codes = asset_codes(session, organisation_id)
        quick = _Quick(codes)
        each_row = replace(self, validate=partial(_validate, codes=codes, quick=quick), preread=True)
        refused: list[Problem] = []  # the cells the column-by-column reading refused (and lives not in months)
        read = read_table(table, self.readers, refused)
        layout = table.layout
        # a life in years made months before the chunk's quick test sees the row (read_row has then nothing to do)
        if self.by_chunks:
            read.read = quick.marked((row, values) for row, values in read.read if _in_months(
                layout, row, values, refused)) if "useful_life_years" in layout.columns else quick.marked(read.read)
        out = with_problems(RecordImporter.check(each_row, session, read, organisation_id=organisation_id,
                                                 book_id=book_id, mode=mode), refused)
        late = _late_start(session, out, book_id)
        if late:
            out = replace(out, notes=(*out.notes, late))
        gone = {row for status, row, values, _, _ in out.plan if status == "new" and values.get("status") == DISPOSED}
        if not gone:
            return out
        outcomes = tuple(o._replace(status="skipped") if o.row in gone else o for o in out.outcomes)
        plan = [p for p in out.plan if p[1] not in gone] + [(DISPOSED, row, {}, None, None) for row in sorted(gone)]
        rows = sorted(gone)
        note = (f"已处置的资产 {len(rows)} 项未导入（第{'、'.join(map(str, rows[:10]))}{'等' if len(rows) > 10 else ''}行）："
                "处置后的卡片不再登记为新卡片")
        return replace(out, outcomes=outcomes, plan=plan, notes=(*out.notes, note))


    def apply(self, session: Session, check: ImportCheck, *, organisation_id: uuid.UUID, book_id: uuid.UUID | None,
              progress: Progress | None = None, **options: Any) -> ImportDone:
        done = super().apply(session, check, organisation_id=organisation_id, book_id=book_id, progress=progress,
                             **options)
        gone = sum(1 for p in check.plan if p[0] == DISPOSED)
        if not gone:
            return done
        left = done.left - gone
        parts = [f"新增 {done.added} 条"] + ([f"更新 {done.updated} 条"] if check.mode == "update" else []) + (
            [f"已有未动 {left} 条"] if left else []) + [f"已处置未导入 {gone} 条"]
        return replace(done, message=f"已导入{self.label}：{'，'.join(parts)}")


def _create(session: Session, rows: list[dict[str, Any]], organisation_id: uuid.UUID, book_id: uuid.UUID | None) -> None:
    from desktop_app.core.services.assets_import import create_assets
    from desktop_app.core.services.auth import writing_user

    if book_id is None:
        raise ValidationError("导入资产卡片须指定账套", field="账套")
    user = writing_user(session)  # the window's or the command line's login
    # one batch (``assets_import.create_assets``): create_asset's checks once, the cards bulk-written
    create_assets(session, organisation_id=organisation_id, book_id=book_id, user=user,
                  rows=({k: v for k, v in values.items() if v is not None and v != "" and k not in PRIVATE}
                        for values in rows))  # public(values) without its blanks, one dict a row


def _update(session: Session, record_id: Any, values: dict[str, Any], current: Mapping[str, Any],
            organisation_id: uuid.UUID, book_id: uuid.UUID | None) -> None:
    from desktop_app.core.services.assets import update_asset
    from desktop_app.core.services.auth import writing_user

    changed = {k: v for k, v in changed_fields(values, current).items() if k not in FIXED}
    if changed:
        update_asset(session, record_id, user=writing_user(session), **changed)


IMPORTER = register(AssetImporter(
    kind="assets", label="资产卡片", table=SPEC, readers=READERS, validate=_validate, existing=_existing,
    create=_create, update=_update, name_field="name", needs_book=True,
    examples=(
        ("ZC-001", "村部办公楼", "房屋及建筑物", "非经营性", "村委会院内", 1, "栋", "520㎡", "购建", "自筹", "2020-05-01",
         "1,200,000元", 240, None, "5%", "年限平均法", None, None, "150,000", "自用", "张三", "苏(2020)江宁区不动产权第0001号", "否",
         None),
        ("ZC-002", "农用拖拉机", "机器设备", "经营性", "农机库", 1, "台", None, "财政项目形成", "区级扶持资金",
         "2023年3月15日", 86000, None, 10, 5, "年限平均法", None, None, None, "出租", "李四", None, "是", "出租给合作社使用"),
    ),
))
