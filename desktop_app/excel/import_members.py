"""成员名册 as a kind of the import pipeline (issue #15): the roster a village really keeps.

The table is found wherever it is (a merged title row, a 填报单位 line above it), its columns are
recognised by the names people write (序号/组别/户主姓名/成员姓名/与户主关系/身份证号码/股数/备注
…), a 合计 row and a 制表人 line below it are skipped and reported. Cells are read as people write
them (``core.cellvalues``): "1股", full-width digits, stray spaces, dates as Chinese text, 长子/次女
(GB/T 4761), a lower-case x in the 身份证号.

- No 户号 column: a row whose 与户主关系 is 户主 starts a household and the rows below it belong to
  it (a 户主姓名 column, when there is one, must name that head); new households get the next free
  户号 of the organisation, padded like the ones it has. A registered head keeps their household,
  so new members listed under them join it.
- One column per share type (人口股, 农龄股 …), or a single 股数 column: for a new member the
  organisation's first share type (the check's notes say so); for a registered one, when the
  organisation has several types, it is compared with the member's total (a different count is a
  problem: it cannot say which type changed). A column mapped to a type is that type's.
- 状态 and 迁出/死亡日期 (the 成员名册 export writes them): a new member who died or moved out is
  registered and then given that event on that date (``members.record_membership_event``); a
  registered member's status is not changed by an import (a problem pointing to the members page).
- 组别 is the household's: one change (and one outcome line) per household whose rows agree.
- A 户号 Excel turned into a number (010001 → 10001) is zero-padded to the organisation's width.
- 仅新增 / 跳过已有 / 更新已有 keyed on 身份证号. New rows are checked and written as the bulk
  registration does (``members_import.validate_member_values`` / ``apply_member_import``); changed
  rows are written through the services a form edit calls (``members_import.apply_member_updates``).

The rows stream from calamine through per-distinct-cell caches (a roster repeats a few groups,
relations, dates and share counts many times) into named tuples: DESIGN-NOTES 27.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import partial
from itertools import chain, repeat
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from db.changelog import paused_gc
from desktop_app.core.cellvalues import (
    GBT4761,
    CellError,
    cell_date,
    cell_number,
    cell_relation,
    cell_ric,
    cell_text,
    fold,
)
from desktop_app.excel.column_cells import CHUNK, Cells, refused, texts
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
from desktop_app.excel.members_household import households_regrouped, new_statuses, record_leaving, two_heads
from desktop_app.excel.table_read import Field, Layout, Table, TableSpec

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from desktop_app.core.progress import Progress
    from desktop_app.core.services.members_import import (
        ImportPreview,
        ImportResult,
        MemberUpdate,
        RawMember,
        Registered,
    )

__all__ = ["BASE_SPEC", "LABELS", "MEMBERS", "MembersImporter", "MembersPlan"]

BASE_SPEC = TableSpec("members", "成员名册", (
    Field("household_number", "户号", ("户编号", "户代码", "户主编号", "家庭户号", "户籍号"),
          note="同一户的成员户号相同；没有户号列时，按“与户主关系”为户主的行分户，其下各行属于该户，户号自动编排"),
    Field("group_name", "组别", ("村民小组", "小组", "组", "所在组", "所属组", "组名"), note="如 第一组"),
    Field("head_name", "户主", ("户主姓名", "户主名"), note="仅用于核对：没有户号列时应与上方户主行的姓名一致"),
    Field("name", "姓名", ("成员姓名", "成员名称", "名字"), required=True),
    Field("ric", "身份证号", ("身份证号码", "公民身份号码", "身份证", "公民身份证号码", "身份证件号码", "证件号码"),
          required=True, note="18位，末位可为X；请把该列设为文本格式"),
    Field("relation", "与户主关系", ("关系", "家庭关系", "与户主的关系", "成员关系"), required=True,
          note="户主、配偶、子、女（长子、次女等亦可）、儿媳、女婿、孙子、孙女、父亲、母亲、兄弟、姐妹、其他，或 GB/T 4761 代码"),
    Field("confirmed_on", "确认日期", ("成员确认日期", "身份确认日期", "确认时间"), note="如 2020-01-31 或 2020年1月31日"),
    Field("joined_on", "迁入日期", ("迁入时间",), note="如 2020-01-31 或 2020年1月31日"),
    Field("status", "状态", ("成员状态", "人员状态"), note="在册、迁出、死亡或丧失；空白为在册。不是在册时须填迁出/死亡日期"),
    Field("left_on", "迁出/死亡日期", ("迁出日期", "死亡日期", "迁出或死亡日期", "注销日期"),
          note="状态为迁出、死亡、丧失的成员必填，如 2024-05-01"),
    Field("note", "备注", ("说明",)),
    Field("shares", "股数", ("持股数", "股份数", "股份", "持股", "股权数"),
          note="只有一列股数时记为本组织的第一种股份类型；各类股份可各占一列，列名为股份类型名称"),
), key="ric")

# the service's field names (RowProblem.column) → the spec's keys
LABELS = {"户号": "household_number", "组别": "group_name", "姓名": "name", "身份证号": "ric",
          "与户主关系": "relation", "确认日期": "confirmed_on", "迁入日期": "joined_on", "备注": "note"}
UNITS = ("股",)
ORDER = ("household_number", "name", "ric", "relation", "group_name", "confirmed_on", "joined_on", "note", "head_name",
         "status", "left_on")


@dataclass
class MembersPlan:
    """What ``check`` found, handed to ``apply``: the new rows checked as the bulk registration
    does, the registered members' changes, and the problems by field key (for the old API)."""

    preview: ImportPreview
    updates: list[MemberUpdate] = field(default_factory=list)
    problems: list[tuple[int, str, str]] = field(default_factory=list)  # (row, field key, message)
    labels: dict[str, str] = field(default_factory=dict)  # field key → label
    regrouped: dict[uuid.UUID, str] = field(default_factory=dict)  # household → its new 组别
    leaving: list[tuple[str, str, date]] = field(default_factory=list)  # new member's 身份证号, event, date
    result: ImportResult | None = None


def _share_types(session: Session | None, organisation_id: uuid.UUID | None) -> list[str]:
    if session is None or organisation_id is None:
        from desktop_app.core.services.shares import DEFAULT_SHARE_TYPES

        return [n for _, n in DEFAULT_SHARE_TYPES]
    from desktop_app.core.services.shares import DEFAULT_SHARE_TYPES, list_share_types

    return [t.name for t in list_share_types(session, organisation_id)] or [n for _, n in DEFAULT_SHARE_TYPES]


def _clean_rics(col: Sequence[Any]) -> bool:
    """Every 身份证号 cell of the column is text of ASCII letters and digits: read as it is
    (upper-cased), with no cell-by-cell look."""
    if set(map(type, col)) != {str}:
        return False
    joined = "".join(col)
    return joined.isascii() and joined.encode().isalnum()  # bytes: a table look-up a character


class MembersImporter(Importer):
    kind = "members"
    label = "成员名册"

    def spec(self, session: Session | None, organisation_id: uuid.UUID | None) -> TableSpec:
        types = _share_types(session, organisation_id)
        return BASE_SPEC.with_fields(*(Field(f"share:{name}", name, (f"{name}股数", f"{name}（股）"),
                                             note=f"该成员的{name}股数，可写“1股”") for name in types))

    def template_rows(self) -> list[list[Any]]:
        # the columns as ``spec`` lists them: 户号, 组别, 户主, 姓名, 身份证号, 与户主关系, 确认日期, 迁入日期,
        # 状态, 迁出/死亡日期, 备注, 股数 (left empty: one column per share type follows), 人口股, 农龄股
        return [["001", "第一组", "张建国", "张建国", "320115195001010014", "户主", "2020-01-01", None, "在册", None, "",
                 None, 1, 1],
                ["001", "第一组", "张建国", "李秀英", "320115195203040027", "配偶", "2020-01-01", None, "在册", None, "",
                 None, 1, 0.5],
                ["001", "第一组", "张建国", "张小军", "320115197805060032", "长子", "2020-01-01", None, "在册", None, "",
                 None, 1, 0]]

    # --- reading ---------------------------------------------------------------------------

    def _rows(self, table: Table, types: list[str], held: Mapping[str, Registered], taken: set[str],
              problems: list[tuple[int, str, str]], stats: dict[str, Any],
              on_registered: Callable[[RawMember], None]) -> Iterator[list[RawMember]]:
        """The data rows of new members as lists of ``RawMember`` tuples (cells read column by
        column, households derived;
        a registered 身份证号's row goes to ``on_registered`` instead). A refused cell goes to
        ``problems`` and its row is still checked without it: every problem at once."""
        from desktop_app.core.services.members_import import free_household_numbers

        layout = table.layout
        cols = layout.columns
        share_keys = [f"share:{t}" for t in types if f"share:{t}" in cols]
        if not share_keys and "shares" in cols:
            share_keys = ["shares"]
            stats["single"] = types[0]
        share_names = [k[6:] if k.startswith("share:") else types[0] for k in share_keys]
        has_number, has_head = "household_number" in cols, "head_name" in cols
        has_status = "status" in cols or "left_on" in cols
        registered_numbers = set(taken)
        width = max((len(x) for x in registered_numbers if x.isdigit()), default=0)
        numbers = free_household_numbers(taken)
        leaving: dict[int, tuple[str, str, date]] = stats.setdefault("leaving", {})  # row → (身份证号, event, date)
        text_cells = Cells(cell_text, {None: "", "": ""})
        relations = Cells(cell_relation, {None: "", "": ""})
        dates = Cells(cell_date, {None: None, "": None})
        counts = [Cells(partial(cell_number, units=UNITS, label=layout.spec.field(k).label), {None: None, "": None})
                  for k in share_keys]
        seen_relations: Counter[Any] = stats.setdefault("mapped", Counter())
        orphans: set[int] = stats.setdefault("orphans", set())
        current: str | None = None  # the household rows without a 户号 belong to
        head = ""
        derived = 0
        ric_col = cols["ric"]
        for rows, by_column in table.chunks(CHUNK):  # the rows Table.rows keeps; a plain chunk without its tests
            clean = _clean_rics(by_column[ric_col])
            n = len(rows)

            def column(key: str, by_column: list[tuple[Any, ...]] = by_column, n: int = n) -> Sequence[Any]:
                return by_column[cols[key]] if key in cols else [None] * n

            raw_rics = column("ric")
            if clean:
                rics = list(map(str.upper, raw_rics))  # a lower-case x
            else:
                rics = [_ric(v, row, problems) for v, row in zip(raw_rics, rows, strict=True)]
            names = texts(column("name"))
            raw_relations = column("relation")
            seen_relations.update(raw_relations)
            rels = relations.column(raw_relations)
            hns = texts(column("household_number")) if has_number else [""] * n  # a 户号 each 4 or so rows
            groups, notes, heads, statuses = (text_cells.column(column(k)) if k in cols else [""] * n for k in (
                "group_name", "note", "head_name", "status"))
            if width and has_number:  # a 户号 Excel turned into a number (010001 → 10001): padded as registered
                raw_hns = column("household_number")
                kinds = set(map(type, raw_hns))
                if int in kinds or float in kinds:
                    hns = [_padded(v, h, width, registered_numbers) for v, h in zip(raw_hns, hns, strict=True)]
            confirmed, joined, lefts = (dates.column(column(k)) if k in cols else [None] * n
                                        for k in ("confirmed_on", "joined_on", "left_on"))
            shares = [c.column(column(k)) for c, k in zip(counts, share_keys, strict=True)]
            if has_status:  # before a refused date is blanked: it is named once, as unreadable
                new_statuses(rows, rics, statuses, lefts, held, problems, leaving)
            if relations.bad:
                refused(rels, rows, "relation", "", problems)
            if dates.bad:
                refused(confirmed, rows, "confirmed_on", None, problems)
                refused(joined, rows, "joined_on", None, problems)
                refused(lefts, rows, "left_on", None, problems)
            for c, k, values in zip(counts, share_keys, shares, strict=True):
                if c.bad:
                    refused(values, rows, k, None, problems)
            per_types = list(map(dict, map(zip, repeat(share_names), zip(*shares, strict=True)))) if shares else [{}] * n
            if all(hns) and (not held or held.keys().isdisjoint(rics)):  # every row has its 户号, none registered
                yield list(zip(rows, hns, names, rics, rels, groups, confirmed, joined, notes, per_types, statuses,
                               lefts, strict=True))
                current = hns[-1]
                head = next((names[j] for j in range(n - 1, -1, -1) if rels[j] == "户主"), head)
                continue
            out: list[RawMember] = []
            for row, hn, name, ric, relation, group, c_on, j_on, note, head_text, per_type, status, left in zip(
                    rows, hns, names, rics, rels, groups, confirmed, joined, notes, heads, per_types, statuses, lefts,
                    strict=True):
                if not hn:  # the household from the rows above: a 户主 row starts one
                    registered = held.get(ric)
                    if relation == "户主":
                        if registered is not None:  # a registered head: the rows below join their household
                            current = registered.household_number
                        else:
                            current = next(numbers)
                            derived += 1
                        head = name
                        hn = current
                    elif registered is not None:
                        hn = registered.household_number
                    elif current is None:
                        orphans.add(row)  # validation's "户号 required" would say it twice
                        problems.append((row, "relation" if not has_number else "household_number",
                                         "此行之前没有户主行：没有户号时，每户成员须排在本户户主的下面。请把户主行移到"
                                         "本行之前，或填写户号"))
                    elif has_head and head_text and head_text != head:
                        problems.append((row, "head_name", f"户主“{head_text}”与上方户主行的“{head}”不一致："
                                                           "请把本行排在其户主的下面，或填写户号"))
                    hn = hn or current or ""
                else:
                    current = hn
                    if relation == "户主":
                        head = name
                if ric in held:
                    on_registered((row, hn, name, ric, relation, group, c_on, j_on, note, per_type, status, left))
                else:
                    out.append((row, hn, name, ric, relation, group, c_on, j_on, note, per_type, status, left))
            yield out
        stats["derived"] = derived

    # --- check -----------------------------------------------------------------------------

    def check(self, session: Session, table: Table, *, organisation_id: uuid.UUID, book_id: uuid.UUID | None,
              mode: Mode, today: date | None = None) -> ImportCheck:
        from desktop_app.core.errors import ValidationError
        from desktop_app.core.services.members import member_checker
        from desktop_app.core.services.members_import import (
            MemberUpdate,
            household_numbers,
            registered_members,
            validate_member_values,
        )
        from desktop_app.core.services.shares import parse_shares

        today = today or date.today()
        layout = table.layout
        types = _share_types(session, organisation_id)
        labels = {f.key: f.label for f in layout.spec.fields}
        held = registered_members(session, organisation_id)
        problems: list[tuple[int, str, str]] = []
        stats: dict[str, Any] = {}
        outcomes: list[RowOutcome] = []
        updates: list[MemberUpdate] = []
        moved = 0
        seen_held: dict[str, int] = {}
        groups: dict[uuid.UUID, dict[str, list[int]]] = {}  # household → the file's 组别 → its rows
        single = types[0] if "shares" in layout.columns and len(types) > 1 and not any(
            k.startswith("share:") for k in layout.columns) else None
        stats["single_total"] = single is not None and mode == "update"
        checker = member_checker(today)

        def registered_row(r: RawMember) -> None:
            nonlocal moved
            row, number, name, ric, relation, group, confirmed, joined, note, per_type, status, left = r
            per_type = {t: c for t, c in per_type.items() if c is not None}
            reg = held[ric]
            if ric in seen_held:
                problems.append((row, "ric", f"{ric} 与第{seen_held[ric]}行重复"))
                return
            seen_held[ric] = row
            if mode == "skip":
                outcomes.append(RowOutcome(row, ric, name or reg.values["name"], "skipped"))
                return
            bad = False
            for t, c in per_type.items():  # every problem at once: a bad count of a registered row too
                try:
                    per_type[t] = parse_shares(c, field=t, allow_zero=True)
                except ValidationError as e:
                    problems.append((row, "shares" if stats.get("single") else f"share:{t}", e.message))
                    bad = True
            if mode == "add":
                problems.append((row, "ric", f"{ric} 已登记为本组织成员 {reg.values['name']}。要修改已登记的成员请选择"
                                             "“更新已有”，要略过已登记的成员请选择“跳过已有”"))
                return
            cur = reg.values
            name = name or cur["name"]
            status = status.replace(" ", "")
            if (status and status != reg.status) or (type(left) is date and left != cur.get("left_on")):
                problems.append((row, "status" if status and status != reg.status else "left_on",
                                 f"{name} 登记的状态为“{reg.status}”"
                                 + (f"（{cur['left_on'].isoformat()}）" if cur.get("left_on") else "")
                                 + f"，文件为“{status or reg.status}”" + (f"（{left.isoformat()}）" if left else "")
                                 + "：状态变动不由导入办理，请在成员页办理死亡、迁出等（涉及股份处理），或把本行改回登记的状态"))
                bad = True
            if single and per_type:  # one 股数 column, several share types: it can only be the member's total
                count = per_type.pop(single)
                total = sum((v for k, v in cur.items() if k.startswith("share:")), Decimal(0))
                if type(count) is Decimal and count != total:
                    problems.append((row, "shares", f"文件只有一列“股数”（{shown(count)}），与 {name} 现有股份合计 "
                                                    f"{shown(total)} 不同，无法判断是哪一类股份变动：请每类股份各占一列"
                                                    f"（{'、'.join(types)}），或在预览中把该列对应到一种股份类型"))
                    bad = True
            given: dict[str, Any] = {k: v for k, v in (("name", name), ("relation", relation), ("note", note),
                                                       ("confirmed_on", confirmed),
                                                       ("joined_on", joined)) if v not in (None, "")}
            given.update((f"share:{t}", c) for t, c in per_type.items())
            if group:  # the household's: compared once per household, after every row is read
                groups.setdefault(reg.household_id, {}).setdefault(group, []).append(row)
            merged = {**cur, **given, **({"group_name": group} if group else {})}
            try:
                checker(reg.household_number, merged["name"], ric, merged["relation"], merged["group_name"],
                        merged["confirmed_on"], merged["joined_on"], merged["note"])
            except ValidationError as e:
                problems.append((row, LABELS.get(e.field or "", "ric"), e.message))
                return
            if bad:
                return
            if number and number != reg.household_number:
                moved += 1
            changed: dict[str, Any] = {}
            shown_changes: list[Change] = []
            for k, v in given.items():
                old = cur.get(k)
                if k.startswith("share:"):
                    v = per_type[k[6:]]
                    if Decimal(old or 0) == v:
                        continue
                elif old == v or (k == "note" and (old or None) == v):
                    continue
                if k == "confirmed_on" and reg.status != "在册":
                    problems.append((row, k, f"{name} 的状态为“{reg.status}”，确认日期不能由导入修改；请在成员页办理"))
                    return
                changed[k] = v
                shown_changes.append(Change(k[6:] if k.startswith("share:") else labels.get(k, k), shown(old), shown(v)))
            if changed:
                updates.append(MemberUpdate(row, reg.member_id, reg.household_id, changed))
                outcomes.append(RowOutcome(row, ric, name, "changed", tuple(shown_changes)))
            else:
                outcomes.append(RowOutcome(row, ric, name, "unchanged"))

        rows = chain.from_iterable(self._rows(table, types, held, household_numbers(session, organisation_id),
                                              problems, stats, registered_row))
        with paused_gc():  # 100,000 rows and their cells hold no cycles: no collector rescanning them all
            preview = validate_member_values(session, organisation_id, rows, today=today)
            new = _outcomes(preview)
        read = {(row, key) for row, key, _ in problems}  # a cell refused while reading is named once
        read.update((row, "household_number") for row in stats.get("orphans", ()))
        for e in preview.errors:
            key = LABELS.get(e.column) or (
                "shares" if stats.get("single") == e.column else f"share:{e.column}" if e.column in types else "")
            if (e.row, key) not in read:
                problems.append((e.row, key, e.message))
        problems.extend(two_heads(held, updates))
        regrouped = households_regrouped(held, groups, problems, outcomes)
        leaving = stats.get("leaving") or {}
        if leaving:  # the date a new row died or moved out: after birth, not after today
            for c in preview.rows:
                if c.row in leaving and not c.birth_date <= leaving[c.row][2] <= today:
                    problems.append((c.row, "left_on", f"迁出/死亡日期 {leaving[c.row][2].isoformat()} 应在出生日期 "
                                                       f"{c.birth_date.isoformat()} 之后、今天之前"))
        problems.sort(key=lambda p: (p[0], layout.columns.get(p[1], 999)))  # by row, then column
        if outcomes:
            outcomes.extend(new)
            outcomes.sort(key=lambda o: o.row)
        else:
            outcomes = new
        notes = self._notes(stats, types, preview, moved)
        plan = MembersPlan(preview, updates, problems, labels, regrouped=regrouped,
                           leaving=[leaving[c.row] for c in preview.rows if c.row in leaving] if leaving else [])
        return ImportCheck(self.kind, self.label, mode, layout, tuple(table.skipped),
                           tuple(Problem(row, _where(layout, labels, key), message) for row, key, message in problems),
                           tuple(outcomes), tuple(notes), plan)

    @staticmethod
    def _notes(stats: Mapping[str, Any], types: list[str], preview: ImportPreview, moved: int) -> list[str]:
        notes: list[str] = []
        if stats.get("single"):
            notes.append(f"文件只有一列“股数”：记为本组织的第一种股份类型“{stats['single']}”"
                         f"（本组织的股份类型：{'、'.join(types)}）"
                         + ("；已登记成员的股数与其各类股份的合计比较" if stats.get("single_total") else ""))
        if stats.get("derived"):
            notes.append(f"文件没有户号：按“与户主关系”为户主的行分户，新编户号 {stats['derived']} 户"
                         f"（{preview.new_households[0]} 起）" if preview.new_households else
                         f"文件没有户号：按“与户主关系”为户主的行分户，新编户号 {stats['derived']} 户")
        words: Counter[tuple[str, str]] = Counter()
        for raw, n in (stats.get("mapped") or {}).items():
            word = fold(raw).replace(" ", "") if type(raw) is str else ""
            if GBT4761.get(word, word) != word:
                words[word, GBT4761[word]] += n
        if words:
            parts = [f"{w}→{r} {n} 行" for (w, r), n in sorted(words.items())]
            notes.append("与户主关系按 GB/T 4761 归并：" + "，".join(parts[:12]) + ("等" if len(parts) > 12 else ""))
        if moved:
            notes.append(f"{moved} 名已登记成员的户号与文件不同：导入不改变成员所在的户（分户、转户请在成员页办理）")
        return notes

    # --- apply -----------------------------------------------------------------------------

    def apply(self, session: Session, check: ImportCheck, *, organisation_id: uuid.UUID, book_id: uuid.UUID | None,
              progress: Progress | None = None, user: Any = None, **options: Any) -> ImportDone:
        from desktop_app.core.services.members_import import apply_member_import, apply_member_updates

        require_clean(check)
        from desktop_app.core.services.auth import session_user

        # the window's, else the command line's login, else the user the transaction acts for
        user = acting_user(session, user or session_user(session), "成员")
        plan: MembersPlan = check.plan
        event_date = options.get("event_date") or date.today()
        basis = options.get("basis") or "Excel导入成员名册"
        result = None
        if plan.preview.rows:
            result = apply_member_import(session, plan.preview, event_date=event_date, basis=basis, user=user,
                                         progress=progress)
        plan.result = result
        updated = apply_member_updates(session, organisation_id, plan.updates, event_date=event_date,
                                       basis=options.get("update_basis") or "Excel导入更新",
                                       user=user, today=options.get("today"), groups=plan.regrouped) \
            if plan.updates or plan.regrouped else 0
        if plan.leaving:  # new members who died or moved out: registered, then that event (as the members page)
            record_leaving(session, organisation_id, plan.leaving, basis=basis, user=user, today=options.get("today"))
        added = result.members if result is not None else 0
        left = len(check.outcomes) - added - check.count("changed")
        parts = [f"新增成员 {added} 人"] + ([f"新户 {result.households} 户"] if result and result.households else []) + (
            [f"更新 {updated} 人"] if check.mode == "update" else []) + (
            [f"组别变动 {len(plan.regrouped)} 户"] if plan.regrouped else []) + ([f"已有未动 {left} 人"] if left else [])
        return ImportDone(added, updated, left, f"已导入{self.label}：{'，'.join(parts)}")


def _outcomes(preview: ImportPreview) -> list[RowOutcome]:
    """A new row's outcome for each checked row (100,000 of them: the named tuples made in C, from
    the columns row, 身份证号 and 姓名 of the checked rows)."""
    rows = preview.rows
    return list(map(partial(tuple.__new__, RowOutcome), zip(
        map(itemgetter(0), rows), map(itemgetter(4), rows), map(itemgetter(3), rows), repeat("new"), repeat(()))))


def _padded(value: Any, text: str, width: int, registered: set[str]) -> str:
    """A 户号 cell that is a number (Excel drops 010001's zero: 10001): as registered when it is,
    else zero-padded to the width of the organisation's numbers (a new household too)."""
    if type(value) is float:
        if not value.is_integer():
            return text
        value = int(value)
    if type(value) is not int or value < 0:
        return text
    plain = str(value)
    return plain if plain in registered else plain.zfill(width)


def _ric(value: Any, row: int, problems: list[tuple[int, str, str]]) -> str:
    try:
        return cell_ric(value)
    except CellError as e:
        problems.append((row, "ric", e.message))
        return ""


def _where(layout: Layout, labels: Mapping[str, str], key: str) -> str:
    if not key:
        return ""
    if key in layout.columns:
        return layout.where(key)
    return f"“{labels.get(key, key)}”"


MEMBERS = MembersImporter()
register(MEMBERS)
