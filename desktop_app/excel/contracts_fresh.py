"""A chunk of new contracts read into their ``ContractInput`` fields column by column (issue #18): what
``ContractsImporter``'s row loop makes of each new contract's cells — the 递增条款 as 递增比例 and
递增间隔, the defaults where a cell is blank, the 承包方类型 guessed where none is given, the 状态 —
with the 期限 and the 单价 checked against the dates and the rent as that loop checks them. A chunk with
any row the loop would refuse, or that it treats apart (a link to a 地块 or 资产, a hidden 身份证号, a
终止日期 worked out from the 期限, a 递增条款 beside its own columns), is left to the loop (None)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import repeat
from operator import is_
from typing import Any

from desktop_app.core.errors import UserError
from desktop_app.core.rules.contract_schedule import round_fen, term_years
from desktop_app.core.services.contract_chunks import INPUT_KEYS
from desktop_app.excel.contracts_cells import STATES

__all__ = ["DEFAULTS", "Fresh", "fresh_columns", "party_kind"]

# a new contract's fields where its cell is blank (the contract form's defaults)
DEFAULTS: dict[str, Any] = {"price_basis": "年租金", "escalation_pct": Decimal(0), "escalation_years": 0,
                            "billing_align": "calendar", "due_days": 30, "deposit_required": Decimal(0),
                            "written": True}
_TERM_SLACK = Decimal("0.05")  # 5.5 for 5.50 and 3.3 for 3.33 年 are the same term

_UNIT_NAME = re.compile(r"(?:公司|有限|合作社|集团|厂|农场|林场|牧场|养殖场|种植场|商行|经营部|门市部|店|中心|协会|"
                        r"委员会|银行|学校|医院|工作室|合伙企业)")


def party_kind(values: dict[str, Any]) -> str:
    """承包方类型 when the file has none: by the 证件号码 (身份证号 → 个人, 统一社会信用代码 → 单位),
    else by the name (…公司, …合作社, …厂 → 单位)."""
    from desktop_app.core.ids import validate_ric, validate_uscc

    number = values.get("counterparty_id_number") or ""
    for check, kind in ((validate_ric, "个人"), (validate_uscc, "单位")):
        if number:
            try:
                check(number, field="证件号码")
                return kind
            except UserError:
                pass
    return "单位" if _UNIT_NAME.search(values.get("counterparty_name") or "") else "个人"


@dataclass(slots=True)
class Fresh:
    inputs: dict[str, list[Any]]  # every field of ``INPUT_KEYS``, a value a row
    filed_on: Sequence[Any]  # 乡镇备案日期
    ended: list[int]  # the places of rows whose 状态 is 已终止 (registered as 履行中, said in a note)
    guessed: int  # rows whose 承包方类型 was guessed


def _has_none(col: Sequence[Any]) -> bool:
    return any(map(is_, col, repeat(None)))  # not ``None in``: a Decimal compared with None asks an ABC


def fresh_columns(values: dict[str, list[Any]], n: int, *, rent_column: bool) -> Fresh | None:
    """The chunk's new contracts' fields from their read cells (``values``: field key → the chunk's
    column, none refused), as the row loop makes them; None when any row needs that loop.
    ``rent_column``: the file has a 年租金 column (its rent is then checked against 单价 and 面积)."""
    none: list[Any] = [None] * n
    get = values.get
    if any(get("parcel_code", none)) or any(get("asset_code", none)):
        return None  # linked: looked up row by row
    rics = get("counterparty_id_number", none)
    if any("*" in v for v in rics if v):
        return None  # a hidden 身份证号: refused (or kept) row by row
    cols = {k: get(k, none) for k in INPUT_KEYS}
    text = get("escalation_text")
    if text is not None:  # the 递增条款 gives 递增比例 and 递增间隔
        pct, years = cols["escalation_pct"], cols["escalation_years"]
        if any(t is not None and (p is not None or y is not None) for t, p, y in zip(text, pct, years, strict=True)):
            return None  # both given: compared row by row
        cols["escalation_pct"] = [p if t is None else t[0] for t, p in zip(text, pct, strict=True)]
        cols["escalation_years"] = [y if t is None else t[1] for t, y in zip(text, years, strict=True)]
    for key, default in DEFAULTS.items():
        if _has_none(cols[key]):
            cols[key] = [default if v is None else v for v in cols[key]]
    if "" in rics:
        cols["counterparty_id_number"] = [None if v == "" else v for v in rics]
    guessed = 0
    if not all(cols["counterparty_kind"]):
        kinds = cols["counterparty_kind"] = list(cols["counterparty_kind"])
        for i, (k, number, name) in enumerate(zip(kinds, cols["counterparty_id_number"], cols["counterparty_name"],
                                                  strict=True)):
            if not k:
                kinds[i] = party_kind({"counterparty_id_number": number, "counterparty_name": name})
                guessed += 1
    term = get("term_years")
    if term is not None:  # 期限 against the dates
        for t, start, end in zip(term, cols["start_date"], cols["end_date"], strict=True):
            if t is not None and start is not None:
                if end is None or (end >= start and abs(t - term_years(start, end)) >= _TERM_SLACK):
                    return None  # a 终止日期 to work out, or a 期限 the dates refuse
    if rent_column and "单价" in cols["price_basis"]:  # 年租金 against 单价 and 面积
        for basis, rent, price, area in zip(cols["price_basis"], cols["annual_rent"], cols["unit_price"],
                                            cols["area_mu"], strict=True):
            if basis == "单价" and rent is not None and isinstance(price, Decimal) and isinstance(area, Decimal) \
                    and round_fen(price * area) != rent:
                return None
    ended: list[int] = []
    state = get("state")
    if state is not None:
        status = cols["status"] = list(none)
        for i, v in enumerate(state):
            if v is not None:
                if STATES[v] == "终止":
                    ended.append(i)
                else:
                    status[i] = STATES[v]
    return Fresh(cols, get("filed_on", none), ended, guessed)
