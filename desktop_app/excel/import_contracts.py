"""合同 as a kind of the import pipeline (issue #15): the 合同台账 a village keeps, or the program's
own export, read back into the register through the services the contract form calls.

- Columns are recognised by synonyms (合同号/编号, 乙方/承租方, 起租日期/开始日期, 到期日期,
  年承包费/租金（元/年）…); cells are read with ``core.cellvalues`` (units, full-width digits,
  Chinese dates).
- 计费周期 (按自然年度 / 按合同年度, the form's choice) says how the schedule is cut, so a contract
  imported from Excel gets the very schedule the form would give it.
- Columns the export writes are read or knowingly left out: 递增条款 (“每3年递增5%”) is read into
  递增比例 and 递增间隔; 期限（年） is checked against the dates (or gives the 终止日期 when that is
  blank); 地块编号 and 资产编号 link the contract to the organisation's parcel and asset (import
  the 资源台账 and 资产台账 first); 乡镇备案日期 registers the township filing
  (``contract_records.add_filing``) of a contract that has none; 民主程序 (the export's 有/无,
  without the steps' dates) and 组织 are not imported (the preview says so).
- Every row is checked by running ``create_contract`` / ``update_contract`` in a savepoint that is
  always rolled back, so a row the form would refuse (or an edit ``update_contract`` refuses, e.g.
  once money was received) is a problem at that row, never a crash; ``apply`` then calls the same
  services for real (audited like a form edit).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from itertools import repeat
from typing import Any

from sqlalchemy.orm import Session

from desktop_app.core.cellvalues import cell_text
from desktop_app.core.errors import UserError
from desktop_app.core.progress import Progress
from desktop_app.core.rules.contract_schedule import add_years, round_fen, term_years
from desktop_app.excel.contracts_apply import Planned, create_new
from desktop_app.excel.contracts_cells import (
    ALIGN_LABELS,
    IGNORED,
    STATES,
    ContractCells,
    read_align,
    read_escalation,
)
from desktop_app.excel.contracts_fresh import DEFAULTS, Fresh, fresh_columns, party_kind
from desktop_app.excel.importers import (
    Change,
    ImportCheck,
    ImportDone,
    Importer,
    Mode,
    Problem,
    RowOutcome,
    acting_user,
    register,
    require_clean,
    shown,
)
from desktop_app.excel.table_read import Field, Layout, Table, TableSpec

__all__ = ["ALIGN_LABELS", "CONTRACTS", "IGNORED", "SPEC", "ContractsImporter", "read_align", "read_escalation"]

def _spec() -> TableSpec:
    from db.models.contract import CONTRACT_KINDS, LAND_CLASSES, PRICE_BASES

    return TableSpec("contracts", "合同台账", (
        Field("number", "合同编号", ("合同号", "编号", "合同编码", "合同编号（必填）"), required=True,
              note="本组织内唯一；“更新已有”“跳过已有”按合同编号对应已登记的合同"),
        Field("name", "合同名称", ("名称", "项目名称"), required=True),
        Field("kind", "合同类型", ("类型", "合同类别"), required=True, note="、".join(CONTRACT_KINDS)),
        Field("subject", "标的", ("标的物", "承包标的", "租赁标的", "发包项目", "承包项目", "标的名称"), required=True,
              note="地块、房屋、设备等名称"),
        Field("parcel_code", "地块编号", ("资源编号", "地块代码", "资源地块编号"),
              note="关联资源台账中的地块（可不填）；须是本组织已登记的地块编号"),
        Field("asset_code", "资产编号", ("资产代码", "资产卡片编号", "卡片编号"),
              note="关联资产台账中的资产（可不填）；须是本组织已登记的资产编号"),
        Field("location", "位置", ("坐落", "座落", "坐落位置", "地点", "四至")),
        Field("land_class", "地类", ("土地类别", "用地类型", "土地类型"), note="、".join(LAND_CLASSES)),
        Field("area_mu", "面积（亩）", ("面积", "承包面积", "亩数", "租赁面积（亩）"), note="可带单位，如 25.5亩；最多四位小数"),
        Field("quantity", "数量", ()),
        Field("counterparty_name", "承包方名称", ("承包方", "乙方", "承租方", "承包人", "承租人", "承包方姓名",
                                             "承租方名称", "乙方名称"), required=True),
        Field("counterparty_kind", "承包方类型", ("乙方类型", "承租方类型"),
              note="个人、单位；不填时按证件号码（身份证号为个人，统一社会信用代码为单位）或名称判断"),
        Field("counterparty_id_number", "证件号码", ("身份证号", "身份证号码", "统一社会信用代码", "承包方证件号码",
                                                 "承包方身份证号", "证件号"),
              note="个人填身份证号，单位填统一社会信用代码；请设为文本格式"),
        Field("counterparty_phone", "联系电话", ("电话", "手机", "手机号", "手机号码", "联系方式")),
        Field("signed_on", "签订日期", ("签约日期", "合同签订日期", "签订时间")),
        Field("start_date", "起始日期", ("开始日期", "起租日期", "合同起始日", "合同起始日期", "起始日", "合同开始日期",
                                      "承包起始日期", "起始时间"), required=True, note="如 2026-01-01 或 2026年1月1日"),
        Field("end_date", "终止日期", ("结束日期", "到期日期", "到期日", "合同终止日", "合同终止日期", "截止日期",
                                    "合同到期日", "终止时间"), required=True,
              note="留空时按“期限（年）”推算（须为整年）"),
        Field("term_years", "期限（年）", ("期限", "承包期限", "租期", "承包期限（年）", "租赁期限（年）"),
              note="可不填；填写时须与起止日期相符（导出的期限按起止日期计算）"),
        Field("price_basis", "计价方式", ("计价", "租金计算方式"), note="、".join(PRICE_BASES) + "；不填为年租金"),
        Field("annual_rent", "年租金", ("年承包费", "租金（元/年）", "年租金（元）", "承包费（元/年）", "年租金额",
                                    "年承包金", "租金", "承包费"), note="元，可写 1,200 或 1.2万元；按单价计租时可不填"),
        Field("unit_price", "单价（元/亩·年）", ("单价", "每亩单价", "亩均租金", "单价（元/亩）")),
        Field("escalation_text", "递增条款", ("递增办法", "租金递增", "递增方式"),
              note="如“每3年递增5%”，不递增写“无”；也可填下面两列"),
        Field("escalation_pct", "递增比例（%）", ("递增率", "递增幅度")),
        Field("escalation_years", "递增间隔（年）", ("递增周期", "递增年限")),
        Field("payment_mode", "付款方式", ("缴费方式", "支付方式", "交款方式", "缴款方式"), required=True,
              note="年付、半年付、季付、一次性"),
        Field("billing_align", "计费周期", ("计费方式", "计租方式", "计租周期", "计费年度", "计费期间"),
              note="按自然年度（期次按自然年/半年/季度划分，首末期按天折算）或按合同年度（期次从起始日起算）；"
                   "不填为按自然年度，与合同表单的默认相同"),
        Field("due_days", "缴款期限（天）", ("缴款期限", "付款期限（天）", "付款期限")),
        Field("deposit_required", "保证金", ("履约保证金", "押金", "保证金（元）")),
        Field("written", "书面合同", ("是否书面合同", "有无书面合同"), note="是、否；不填为是"),
        Field("state", "状态", ("合同状态",),
              note="只用于新合同：草拟、纠纷照登；未生效、履行中、已到期由起止日期决定；已终止的合同导入后请在合同页"
                   "办理终止（须填终止日期）。已登记合同的状态不由导入修改"),
        Field("filed_on", "乡镇备案日期", ("备案日期",),
              note="已在乡镇备案的合同填写备案日期，导入时登记备案；已有备案的合同不由导入修改"),
        Field("official_code", "合同统一编码", ("统一编码",)),
        Field("notes", "备注", ()),
    ), key="number")


SPEC = _spec()

# the ContractInput fields a row may set (the rest — links to 地块/资产, 状态 — stay as registered)
_INPUT = ("number", "name", "kind", "subject", "location", "land_class", "area_mu", "quantity", "counterparty_name",
          "counterparty_kind", "counterparty_id_number", "counterparty_phone", "signed_on", "start_date", "end_date",
          "price_basis", "annual_rent", "unit_price", "escalation_pct", "escalation_years", "payment_mode",
          "billing_align", "due_days", "deposit_required", "written", "official_code", "notes")
_KEPT = ("asset_id", "parcel_id")
_FIELDS = (*_INPUT, *_KEPT, "status")  # what a row's ContractInput is made of
# a service's field name → the column it is about
_SERVICE_FIELD = {"承包方身份证号": "counterparty_id_number", "承包方统一社会信用代码": "counterparty_id_number",
                  "面积（亩）": "area_mu", "计费周期": "billing_align"}
# the readers that give "" (not None) for an empty cell
_BLANK_TEXT = ("number", "counterparty_id_number")
_DEFAULTS = DEFAULTS


def _column(layout: Layout, name: str | None) -> str:
    """The file's column for a service's field (a label such as 终止日期) or a key; "" for the row."""
    if not name:
        return ""
    key = _SERVICE_FIELD.get(name) or next(
        (f.key for f in SPEC.fields if name in (f.key, f.label, f.label.split("（")[0])), None)
    if key in ("escalation_pct", "escalation_years") and key not in layout.columns \
            and "escalation_text" in layout.columns:
        key = "escalation_text"
    if key is None:
        return f"“{name}”" if name not in ("账套", "资源地块", "资产") else ""
    return layout.where(key)


def _current(row: Any) -> dict[str, Any]:
    values = {k: getattr(row, k) for k in (*_INPUT, *_KEPT)}
    values["escalation_text"] = row.escalation_text
    return values


# a new contract waiting for its chunk's check: (row, 合同编号, 合同名称, ContractInput, 乡镇备案日期,
# its outcome's and plan item's places)
_Pending = tuple[int, str, str, Any, "date | None", int, int]
CHUNK = 512  # new contracts checked together


class ContractsImporter(Importer):
    kind = "contracts"
    label = "合同"
    needs_book = True
    needs_org = True

    def __init__(self, *, by_chunks: bool = True, chunk: int = CHUNK) -> None:
        self.by_chunks = by_chunks  # False: every row asked of check_contract alone (the tests' yardstick)
        self.chunk = chunk

    def spec(self, session: Session | None, organisation_id: uuid.UUID | None) -> TableSpec:
        return SPEC

    def template_rows(self) -> list[list[Any]]:
        rows = [
            {"number": "HT2026-001", "name": "东湖鱼塘承包合同", "kind": "资源发包", "subject": "东湖鱼塘",
             "location": "东湖村三组", "land_class": "水面", "area_mu": Decimal("25.5"), "counterparty_name": "张三",
             "counterparty_kind": "个人", "counterparty_id_number": "11010519491231002X",
             "counterparty_phone": "13900000000", "signed_on": date(2025, 12, 20), "start_date": date(2026, 1, 1),
             "end_date": date(2030, 12, 31), "term_years": Decimal(5), "price_basis": "年租金",
             "annual_rent": Decimal("12000.00"), "escalation_text": "每3年递增5%", "payment_mode": "年付",
             "billing_align": "按自然年度", "due_days": 30, "deposit_required": Decimal("2000.00"), "written": "是",
             "filed_on": date(2026, 1, 5)},
            {"number": "HT2026-002", "name": "村部临街门面租赁合同", "kind": "资产租赁", "subject": "村部一楼门面",
             "counterparty_name": "东湖商贸有限公司", "counterparty_kind": "单位",
             "counterparty_id_number": "91350100M000100Y43", "start_date": date(2026, 7, 1),
             "end_date": date(2032, 6, 30), "term_years": Decimal(6), "price_basis": "年租金",
             "annual_rent": Decimal("10000.00"), "escalation_text": "每3年递增5%", "payment_mode": "年付",
             "billing_align": "按合同年度", "due_days": 15, "written": "是", "notes": "租金每年7月1日前缴清"},
        ]
        return [[r.get(f.key) for f in SPEC.fields] for r in rows]

    # ---- reading a row --------------------------------------------------------------------------

    def _escalation(self, layout: Layout, row: int, raw: Sequence[Any], values: dict[str, Any],
                    problems: list[Problem]) -> dict[str, Any] | None:
        """A row's read cells with the 递增条款 as 递增比例 and 递增间隔 (those columns, when also
        given, must agree with it); None when they do not."""
        ok = True
        text = values.pop("escalation_text", None)
        if text is not None:
            pct, years = text
            for key, value in (("escalation_pct", pct), ("escalation_years", years)):
                given = values.get(key)
                if given is not None and not _equal(given, value):
                    problems.append(Problem(row, layout.where(key), f"{shown(given)} 与{layout.where('escalation_text')}"
                                            f"“{cell_text(raw[layout.columns['escalation_text']])}”不符，请只填一处或改为一致"))
                    ok = False
                values[key] = value
        return values if ok else None

    def _derived(self, layout: Layout, row: int, merged: dict[str, Any], term: Decimal | None,
                 problems: list[Problem]) -> bool:
        """期限 against the dates (or giving the 终止日期), 年租金 against 单价 and 面积."""
        start, end = merged.get("start_date"), merged.get("end_date")
        if term is not None and start is not None and end is None:
            if term != term.to_integral_value() or term <= 0:
                problems.append(Problem(row, layout.where("end_date"), f"请填写终止日期（期限 {shown(term)} 年不是整年，"
                                        "无法推算）"))
                return False
            merged["end_date"] = add_years(start, int(term)) - timedelta(days=1)
        elif term is not None and start is not None and end is not None and end >= start:
            actual = term_years(start, end)
            if abs(term - actual) >= Decimal("0.05"):  # 5.5 for 5.50 and 3.3 for 3.33 年 are the same term
                problems.append(Problem(row, layout.where("term_years"),
                                        f"期限 {shown(term)} 年与起止日期 {start:%Y-%m-%d} 至 {end:%Y-%m-%d}"
                                        f"（{shown(actual)} 年）不符；请核对起止日期，或清空期限"))
                return False
        if merged.get("price_basis") == "单价" and "annual_rent" in layout.columns:
            rent, price, area = merged.get("annual_rent"), merged.get("unit_price"), merged.get("area_mu")
            if rent is not None and isinstance(price, Decimal) and isinstance(area, Decimal) and \
                    round_fen(price * area) != rent:
                problems.append(Problem(row, layout.where("annual_rent"),
                                        f"年租金 {rent:,.2f} 与按单价 {shown(price)} 元/亩、面积 {shown(area)} 亩算得的 "
                                        f"{round_fen(price * area):,.2f} 不符；按单价计租时年租金由单价和面积算出，"
                                        "请改为一致或清空年租金"))
                return False
        return True

    def _new_chunk(self, session: Session, layout: Layout, pending: list[_Pending], numbers: dict[str, uuid.UUID],
                   book: Any, problems: list[Problem], outcomes: list[RowOutcome], plan: list[Planned]) -> None:
        """The new contracts of ``pending`` checked together (``contract_chunks.vouched``: what
        ``check_contract`` gives each, column by column); a row it does not vouch for asked of
        ``check_contract`` alone, which words its refusal. Each outcome and plan item in its row's place."""
        from desktop_app.core.services.contract_chunks import vouched
        from desktop_app.core.services.contracts import check_contract

        for (row, number, name, data, filed_on, at, planned), checked in zip(
                pending, vouched([p[3] for p in pending], numbers=numbers, book=book), strict=True):
            if checked is None:
                try:
                    checked = check_contract(session, data, None, numbers=numbers, book=book)
                except UserError as e:
                    where = _column(layout, e.field)
                    problems.append(Problem(row, where, e.message if where or not e.field else str(e)))
                    continue
            outcomes[at] = RowOutcome(row, number, name, "new")
            plan[planned] = Planned("new", row, data, None, filed_on, checked)
        pending.clear()

    def _fresh_chunk(self, session: Session, layout: Layout, rows: Sequence[int], fresh: Fresh,
                     numbers: dict[str, uuid.UUID], book: Any, problems: list[Problem], outcomes: list[RowOutcome],
                     plan: list[Planned], *, organisation_id: uuid.UUID, book_id: uuid.UUID | None) -> None:
        """A chunk of new contracts ``fresh_columns`` read, checked together (``vouched_columns``) and
        each one it does not vouch for asked of ``check_contract`` alone, as ``_new_chunk`` asks."""
        from desktop_app.core.services.contract_chunks import vouched_columns
        from desktop_app.core.services.contracts import check_contract, contract_inputs

        n, inputs = len(rows), fresh.inputs
        datas = contract_inputs(inputs, n, organisation_id=organisation_id, book_id=book_id)
        checked: list[Any] = vouched_columns(inputs, n, numbers=numbers, book=book) if (
            book is not None and book.id == book_id and book.organisation_id == organisation_id) else [None] * n
        dropped: set[int] = set()
        for i in [i for i, c in enumerate(checked) if c is None]:
            try:
                checked[i] = check_contract(session, datas[i], None, numbers=numbers, book=book)
            except UserError as e:
                where = _column(layout, e.field)
                problems.append(Problem(rows[i], where, e.message if where or not e.field else str(e)))
                dropped.add(i)
        names = [name or "" for name in inputs["name"]]
        made = (rows, inputs["number"], names, datas, fresh.filed_on, checked)
        if dropped:
            kept = [i for i in range(n) if i not in dropped]
            made = tuple([c[i] for i in kept] for c in made)  # type: ignore[assignment]
        row, number, name, data, filed_on, vouched = made
        outcomes.extend(map(tuple.__new__, repeat(RowOutcome), zip(row, number, name, repeat("new"), repeat(()))))
        plan.extend(map(Planned, repeat("new"), row, data, repeat(None), filed_on, vouched))

    # ---- check and apply ------------------------------------------------------------------------

    def check(self, session: Session, table: Table, *, organisation_id: uuid.UUID, book_id: uuid.UUID | None,
              mode: Mode) -> ImportCheck:
        from db.changelog import paused_gc

        with paused_gc():  # the rows' values make no cycles
            return self._check(session, table, organisation_id=organisation_id, book_id=book_id, mode=mode)

    def _check(self, session: Session, table: Table, *, organisation_id: uuid.UUID, book_id: uuid.UUID | None,
               mode: Mode) -> ImportCheck:
        from db.models import Book
        from desktop_app.core.ids import mask_ric
        from desktop_app.core.services.contracts import (
            check_contract,
            contract_input,
            list_contracts,
            load_contract,
        )

        layout = table.layout
        labels = {f.key: f.label for f in SPEC.fields} | {"parcel_id": "地块编号", "asset_id": "资产编号"}
        # held for the whole check and handed to check_contract: no lookup of the book a row
        book = session.get(Book, book_id) if book_id is not None else None
        links = _links(session, organisation_id, layout)
        codes = {ident: code for by_code in links.values() for code, ident in by_code.items()}
        held = {c.number: c for c in list_contracts(session, organisation_id)}
        numbers = {n: c.id for n, c in held.items()}  # what check_contract's number lookup finds, read once
        problems: list[Problem] = []
        outcomes: list[RowOutcome] = []
        plan: list[Planned] = []
        seen: dict[str, int] = {}
        org_col = next((i for i, h in layout.unused() if h == "组织"), None)
        orgs: dict[str, int] = {}
        masked = guessed = 0
        pending: list[_Pending] = []  # new contracts whose check waits for their chunk
        refiled: list[int] = []  # rows whose 乡镇备案日期 differs from the contract's registered filing
        ended: list[int] = []

        def read_rows() -> Iterator[tuple[int, Sequence[Any], dict[str, Any] | None]]:
            """The rows for the loop below; a chunk of new contracts ``fresh_columns`` takes is checked
            here as a whole (``_fresh_chunk``), in its place, and not passed on."""
            nonlocal guessed
            cells = ContractCells(table, self.chunk)
            for rows, by_column, values, refused in cells.chunks(problems):
                keys = values.get("number") or ()
                fresh = fresh_columns(values, len(rows), rent_column="annual_rent" in layout.columns) if (
                    not refused and all(keys) and len(set(keys)) == len(rows) and seen.keys().isdisjoint(keys)
                    and held.keys().isdisjoint(keys)) else None
                if fresh is None:
                    yield from cells.chunk_rows(rows, by_column, values, refused)
                    continue
                if org_col is not None:
                    for text, row in zip(map(cell_text, by_column[org_col]), rows, strict=True):
                        if text:
                            orgs.setdefault(text, row)
                seen.update(zip(keys, rows, strict=True))
                guessed += fresh.guessed
                ended.extend(rows[i] for i in fresh.ended)
                self._fresh_chunk(session, layout, rows, fresh, numbers, book, problems, outcomes, plan,
                                  organisation_id=organisation_id, book_id=book_id)

        for row, raw, read in read_rows() if self.by_chunks else ContractCells(table).rows(problems):
            if org_col is not None and cell_text(raw[org_col]):
                orgs.setdefault(cell_text(raw[org_col]), row)
            if read is None:
                continue
            values = read if "escalation_text" not in read else self._escalation(layout, row, raw, read, problems)
            if values is None:
                continue
            number = values.get("number") or ""
            name = values.get("name") or ""
            if number and number in seen:
                problems.append(Problem(row, layout.where("number"), f"{number} 与第{seen[number]}行重复"))
                continue
            if number:
                seen[number] = row
            current_row = held.get(number) if number else None
            if current_row is not None and mode == "add":
                problems.append(Problem(row, layout.where("number"),
                                        f"{number} 已登记。要修改已有合同请选择“更新已有”，要略过请选择“跳过已有”"))
                continue
            if current_row is not None and mode == "skip":
                outcomes.append(RowOutcome(row, number, name, "skipped"))
                continue
            term = values.pop("term_years", None)
            state = values.pop("state", None)
            filed_on = values.pop("filed_on", None)
            if current_row is not None and filed_on is not None and current_row.filed_on is not None:
                if filed_on != current_row.filed_on:
                    refiled.append(row)
                filed_on = None  # the registered filing stays
            linked = True
            for code_key, id_key, register_name in (("parcel_code", "parcel_id", "资源台账"),
                                                    ("asset_code", "asset_id", "资产台账")):
                code = values.pop(code_key, None)
                if code:
                    values[id_key] = links[id_key].get(code)
                    if values[id_key] is None:
                        problems.append(Problem(row, layout.where(code_key), f"本组织没有{labels[code_key]}为“{code}”的"
                                                f"{'地块' if id_key == 'parcel_id' else '资产'}；请先在{register_name}中登记，"
                                                "或清空该格"))
                        linked = False
            if not linked:
                continue
            ric = values.get("counterparty_id_number") or ""
            if "*" in ric:  # the export hid the middle of a person's 身份证号
                if current_row is not None and current_row.counterparty_id_number \
                        and mask_ric(current_row.counterparty_id_number) == ric:
                    values["counterparty_id_number"] = None  # the registered number stays
                    masked += 1
                else:
                    problems.append(Problem(row, layout.where("counterparty_id_number"),
                                            f"“{ric}”是隐去中间八位的号码，不能导入；请填写完整的证件号码，或清空该格"))
                    continue
            if current_row is None:  # a new contract: the row's values (an empty cell None) over the defaults
                given, current, merged = values, None, values
                for k, default in _DEFAULTS.items():
                    if merged.get(k) is None:
                        merged[k] = default
                for k in _BLANK_TEXT:
                    if merged.get(k) == "":
                        merged[k] = None
            else:
                given = {k: v for k, v in values.items() if v is not None and v != ""}
                current = _current(current_row)
                merged = {**current, **given}
            if not merged.get("counterparty_kind"):
                merged["counterparty_kind"] = party_kind(merged)
                guessed += 1
            if not self._derived(layout, row, merged, term, problems):
                continue
            if current is None and state is not None:
                if STATES[state] == "终止":
                    ended.append(row)
                elif STATES[state] is not None:
                    merged["status"] = STATES[state]
            if current is None:  # every key of the row is a ContractInput field; None is each one's default
                for k in _NEEDED.difference(merged):
                    merged[k] = None
                fields = merged
            else:
                fields = {k: merged.get(k) for k in _FIELDS if k in merged or k in _NEEDED}
            fields["organisation_id"], fields["book_id"] = organisation_id, book_id
            data = contract_input(fields)
            edit = True
            if current is not None:
                changes = tuple(Change(labels.get(k, k), _shown(k, current.get(k), codes), _shown(k, v, codes))
                                for k, v in given.items() if k in current and not _equal(current.get(k), v))
                if "end_date" not in given and merged["end_date"] != current["end_date"]:
                    changes += (Change(labels["end_date"], shown(current["end_date"]), shown(merged["end_date"])),)
                edit = bool(changes)  # else only the 乡镇备案 is new: the contract itself is not edited
                if filed_on is not None:
                    changes += (Change(labels["filed_on"], "", shown(filed_on)),)
                if not changes:
                    outcomes.append(RowOutcome(row, number, name, "unchanged"))
                    continue
            if current_row is None and self.by_chunks:  # asked with its chunk, in its place
                pending.append((row, number, name, data, filed_on, len(outcomes), len(plan)))
                outcomes.append(None)  # type: ignore[arg-type]
                plan.append(None)  # type: ignore[arg-type]
                if len(pending) == self.chunk:
                    self._new_chunk(session, layout, pending, numbers, book, problems, outcomes, plan)
                continue
            checked = None
            try:  # what the services would refuse, without writing (a check needs no login)
                if current_row is None or edit:
                    checked = check_contract(session, data,
                                             None if current_row is None else load_contract(session, current_row.id),
                                             numbers=numbers, book=book)
            except UserError as e:
                where = _column(layout, e.field)
                problems.append(Problem(row, where, e.message if where or not e.field else str(e)))
                continue
            if current_row is None:
                outcomes.append(RowOutcome(row, number, name, "new"))
                plan.append(Planned("new", row, data, None, filed_on, checked))
            else:
                outcomes.append(RowOutcome(row, number, name, "changed", changes))
                plan.append(Planned("changed", row, data if edit else None, current_row.id, filed_on))
        self._new_chunk(session, layout, pending, numbers, book, problems, outcomes, plan)
        if None in outcomes:  # the new contracts refused in a chunk
            outcomes = [o for o in outcomes if o is not None]
            plan = [p for p in plan if p is not None]
        if len(orgs) > 1:
            problems.append(Problem(0, "", f"文件的“组织”列有 {len(orgs)} 个组织（{'、'.join(list(orgs)[:3])}…），"
                                           "合同只能导入到当前组织；请按组织分开文件后分别导入"))
        ignored = [h for _, h in layout.unused() if h in IGNORED]
        notes = [f"“{h}”列不导入：{IGNORED[h]}" for h in ignored]
        if guessed:
            notes.append(f"承包方类型未填的 {guessed} 行：按证件号码或名称判断为个人或单位，请在预览中核对")
        if ended:
            notes.append(f"第{'、'.join(str(r) for r in ended[:10])}{'等' if len(ended) > 10 else ''}行的合同在文件中为“已终止”："
                         "终止日期未在文件中，按履行中登记；请导入后在合同页逐份办理终止")
        if refiled:
            notes.append(f"第{'、'.join(str(r) for r in refiled[:10])}{'等' if len(refiled) > 10 else ''}行的乡镇备案日期与已登记的"
                         "备案不同：已有备案的合同不由导入修改，请在合同页的“备案”中核对")
        if masked:
            notes.append(f"证件号码已隐去中间八位的 {masked} 行：保留已登记的号码")
        return ImportCheck(self.kind, self.label, mode, layout, tuple(table.skipped),
                           tuple(sorted(problems, key=lambda p: p.row)), tuple(outcomes), tuple(notes), plan=plan)

    def apply(self, session: Session, check: ImportCheck, *, organisation_id: uuid.UUID, book_id: uuid.UUID | None,
              progress: Progress | None = None, user: Any = None, **options: Any) -> ImportDone:
        """New contracts written together (``_create_new``: what ``create_contract`` writes and audits
        for each), then the changed ones through ``update_contract`` one by one as the form edits
        them, then the 乡镇备案 through ``add_filing``, in the file's order."""
        from db.audit import AuditRecord, record_audit
        from desktop_app.core.services.contract_records import add_filing
        from desktop_app.core.services.contracts import update_contract

        require_clean(check)
        user = acting_user(session, user, "合同")
        planned: list[Planned] = list(check.plan or [])
        assert book_id is not None
        made = create_new(session, [p for p in planned if p.status == "new"], organisation_id, book_id, user, progress)
        for n, item in enumerate(planned):
            if progress is not None and n % 20 == 0 and item.status != "new":
                progress.report(n, len(planned), "正在导入合同")
            if item.status == "new":
                made_id = made[item.row]
            else:
                assert item.contract_id is not None
                made_id = item.contract_id
                data = None if item.data is None else replace(item.data, organisation_id=organisation_id,
                                                              book_id=book_id)
                if data is not None:
                    update_contract(session, made_id, data, user=user)
            if item.filed_on is not None:
                add_filing(session, made_id, filed_on=item.filed_on, user=user)
        added = sum(1 for p in planned if p.status == "new")
        updated = len(planned) - added
        left = len(check.outcomes) - len(planned)
        parts = [f"新增 {added} 份"] + ([f"更新 {updated} 份"] if check.mode == "update" else []) + (
            [f"已有未动 {left} 份"] if left else [])
        if planned:
            # the organisation and book in the image: the 审计日志's 组织 column and filter find the entry
            record_audit(session, AuditRecord("import", "contract", None,
                                              f"从 {check.layout.sheet} 表导入合同：{'，'.join(parts)}",
                                              after={"organisation_id": str(organisation_id),
                                                     "book_id": str(book_id) if book_id else None}))
        return ImportDone(added, updated, left, f"已导入合同：{'，'.join(parts)}")


# ContractInput's fields without a default: always passed (None when the file leaves them out)
_NEEDED = frozenset(("number", "name", "kind", "subject", "counterparty_name", "counterparty_kind", "start_date", "end_date",
           "payment_mode"))


def _equal(a: Any, b: Any) -> bool:
    """The registered value and the cell's mean the same (25.5 = 25.5000; an empty cell = None)."""
    if isinstance(a, Decimal) or isinstance(b, Decimal):
        try:
            return Decimal(a or 0) == Decimal(b or 0)
        except (ArithmeticError, TypeError, ValueError):
            return shown(a) == shown(b)
    return (a if a not in ("", None) else None) == (b if b not in ("", None) else None)


def _shown(key: str, value: Any, codes: dict[Any, str] | None = None) -> str:
    if key == "billing_align" and isinstance(value, str):
        return ALIGN_LABELS.get(value, value)
    if isinstance(value, uuid.UUID):
        return (codes or {}).get(value, "（已登记的关联）")
    return shown(value)


def _links(session: Session, organisation_id: uuid.UUID, layout: Layout) -> dict[str, dict[str, uuid.UUID]]:
    """编号 → id of the organisation's parcels and assets (read only when the file has the column)."""
    out: dict[str, dict[str, uuid.UUID]] = {"parcel_id": {}, "asset_id": {}}
    try:
        if "parcel_code" in layout.columns:
            from desktop_app.core.services.resources import list_parcels

            out["parcel_id"] = {p.code: p.id for p in list_parcels(session, organisation_id)}
        if "asset_code" in layout.columns:
            from desktop_app.core.services.assets import list_assets

            out["asset_id"] = {a.code: a.id for a in list_assets(session, organisation_id)}
    except ImportError:  # pragma: no cover - the assets area is not installed
        pass
    return out


CONTRACTS = register(ContractsImporter())
