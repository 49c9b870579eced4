"""RowTableModel, TotalsModel, copy and LedgerView."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest

from desktop_app.ui.columns import COPY_ROLE, RAW_ROLE, Column
from desktop_app.ui.ledger_view import LedgerView, MemorySettings
from desktop_app.ui.tables import RowTableModel, TotalsModel, column_totals, copy_selection_tsv
from tests.ui.helpers import show_active


@dataclass(frozen=True)
class Receipt:
    code: str
    name: str
    amount: Decimal | None
    paid_on: dt.date
    area: Decimal


COLUMNS = [
    Column("code", "编号"),
    Column("name", "姓名", "pinyin-text"),
    Column("amount", "金额", "money", total=True),
    Column("paid_on", "收款日期", "date"),
    Column("area", "面积（亩）", "decimal", total=True),
]

ROWS = [
    Receipt("003", "张三", Decimal("100.00"), dt.date(2026, 3, 1), Decimal("1.5000")),
    Receipt("001", "李四", Decimal("9.00"), dt.date(2026, 1, 5), Decimal("2.2500")),
    Receipt("002", "安娜", Decimal("1234.50"), dt.date(2026, 2, 9), Decimal("0.1000")),
    Receipt("004", "白云", Decimal("10.00"), dt.date(2025, 12, 31), Decimal("3.0001")),
]


def make_model() -> RowTableModel:
    return RowTableModel(COLUMNS, ROWS)


def column_values(model: RowTableModel, key: str) -> list[object]:
    col = model.column_index(key)
    return [model.data(model.index(r, col), RAW_ROLE) for r in range(model.rowCount())]


def test_model_passes_qtmodeltester(qtmodeltester) -> None:
    model = make_model()
    qtmodeltester.check(model)
    model.sort(2, Qt.SortOrder.DescendingOrder)
    model.set_filter("z")
    qtmodeltester.check(model)


def test_empty_model_and_dict_rows_pass_qtmodeltester(qtmodeltester) -> None:
    qtmodeltester.check(RowTableModel(COLUMNS, []))
    dict_rows = [{"code": "1", "name": "王五", "amount": Decimal("1.00"), "paid_on": None, "area": None}]
    qtmodeltester.check(RowTableModel(COLUMNS, dict_rows))


def test_totals_model_passes_qtmodeltester(qtmodeltester) -> None:
    qtmodeltester.check(TotalsModel(make_model()))


def test_display_formats_and_alignment() -> None:
    model = make_model()
    model.sort(0, Qt.SortOrder.AscendingOrder)  # by code: 001 李四 ...
    amount = model.index(1, model.column_index("amount"))  # 002 安娜
    assert model.data(amount) == "1,234.50"
    assert model.data(amount, COPY_ROLE) == "1234.50"
    assert model.data(amount, RAW_ROLE) == Decimal("1234.50")
    assert model.data(amount, Qt.ItemDataRole.TextAlignmentRole) & Qt.AlignmentFlag.AlignRight
    assert model.data(model.index(0, model.column_index("paid_on"))) == "2026-01-05"
    assert model.data(model.index(0, model.column_index("name")), Qt.ItemDataRole.TextAlignmentRole) & (
        Qt.AlignmentFlag.AlignLeft
    )
    assert model.headerData(1, Qt.Orientation.Horizontal) == "姓名"


def test_sort_by_amount_is_numeric_not_text() -> None:
    model = make_model()
    model.sort(model.column_index("amount"), Qt.SortOrder.AscendingOrder)
    assert column_values(model, "amount") == [Decimal("9.00"), Decimal("10.00"), Decimal("100.00"), Decimal("1234.50")]
    model.sort(model.column_index("amount"), Qt.SortOrder.DescendingOrder)
    assert column_values(model, "amount")[0] == Decimal("1234.50")


def test_sort_by_chinese_name_is_pinyin_order() -> None:
    model = make_model()
    model.sort(model.column_index("name"), Qt.SortOrder.AscendingOrder)
    assert column_values(model, "name") == ["安娜", "白云", "李四", "张三"]
    model.sort(-1, Qt.SortOrder.AscendingOrder)  # back to the order given
    assert model.rows() == ROWS


def test_empty_cells_sort_last_both_ways() -> None:
    rows = [*ROWS, Receipt("005", "周五", None, dt.date(2026, 1, 1), Decimal(0))]
    model = RowTableModel(COLUMNS, rows)
    for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
        model.sort(model.column_index("amount"), order)
        assert model.row_at(model.rowCount() - 1).name == "周五"


def test_sort_keeps_the_selection_on_the_same_rows(qtbot) -> None:
    view = LedgerView(make_model())
    qtbot.addWidget(view)
    view.select_row(0)  # 张三
    view.table.sortByColumn(view.model().column_index("name"), Qt.SortOrder.AscendingOrder)
    assert view.selected_rows()[0].name == "张三"
    assert view.current_row().name == "张三"


def test_pinyin_filter_finds_zhang_not_li() -> None:
    model = make_model()
    model.set_filter("zs")
    assert [r.name for r in model.rows()] == ["张三"]
    model.set_filter("00")  # codes are searchable text too
    assert model.rowCount() == 4
    model.set_filter("")
    assert model.rowCount() == 4


def test_filter_survives_set_rows_and_sort() -> None:
    model = make_model()
    model.sort(model.column_index("amount"), Qt.SortOrder.DescendingOrder)
    model.set_filter("a")  # 安娜 (an na), 白云 (bai yun), 张三 (zhang san)
    model.set_rows([*ROWS, Receipt("009", "艾米", Decimal("5000.00"), dt.date(2026, 1, 1), Decimal(1))])
    assert [r.name for r in model.rows()] == ["艾米", "安娜", "张三", "白云"]


def test_totals_are_exact_and_follow_the_filter() -> None:
    model = make_model()
    assert model.totals() == {"amount": Decimal("1353.50"), "area": Decimal("6.8501")}
    model.set_filter("zs")
    assert model.totals() == {"amount": Decimal("100.00"), "area": Decimal("1.5000")}
    many = [Receipt(str(i), "x", Decimal("0.10"), dt.date(2026, 1, 1), Decimal("0.0001")) for i in range(10_000)]
    assert column_totals(COLUMNS, many) == {"amount": Decimal("1000.00"), "area": Decimal("1.0000")}


def test_totals_footer_shows_he_ji_and_never_sorts(qtbot) -> None:
    model = make_model()
    totals = TotalsModel(model)
    assert totals.data(totals.index(0, 0)) == "合计"
    assert totals.data(totals.index(0, model.column_index("amount"))) == "1,353.50"
    model.sort(model.column_index("amount"), Qt.SortOrder.AscendingOrder)
    assert model.rowCount() == 4 and all(r is not None for r in model.rows())
    assert model.row_at(4) is None  # no 合计 row inside the model
    model.set_filter("bai")
    assert totals.data(totals.index(0, model.column_index("amount"))) == "10.00"


def test_copy_selection_tsv_exact(qtbot) -> None:
    view = LedgerView(make_model())
    qtbot.addWidget(view)
    model = view.model()
    model.sort(model.column_index("code"), Qt.SortOrder.AscendingOrder)
    sel = view.table.selectionModel()
    for r in (0, 1):
        sel.select(model.index(r, 0), QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows)
    expected = (
        "编号\t姓名\t金额\t收款日期\t面积（亩）\n"
        "001\t李四\t9.00\t2026-01-05\t2.2500\n"
        "002\t安娜\t1234.50\t2026-02-09\t0.1000"
    )
    assert copy_selection_tsv(view.table) == expected
    assert view.copy_selection() == expected
    assert QGuiApplication.clipboard().text() == expected


def test_copy_of_a_cell_block_follows_visual_column_order(qtbot) -> None:
    view = LedgerView(make_model())
    qtbot.addWidget(view)
    model = view.model()
    view.table.setSelectionBehavior(view.table.SelectionBehavior.SelectItems)
    view.table.horizontalHeader().moveSection(2, 0)  # 金额 shown first
    sel = view.table.selectionModel()
    flags = QItemSelectionModel.SelectionFlag.Select
    sel.select(model.index(0, 1), flags)  # 张三
    sel.select(model.index(0, 2), flags)  # 100.00
    sel.select(model.index(2, 2), flags)  # 1234.50
    assert copy_selection_tsv(view.table) == "金额\t姓名\n100.00\t张三\n1234.50\t"


def test_ctrl_c_in_the_table_copies(qtbot) -> None:
    view = LedgerView(make_model())
    qtbot.addWidget(view)
    show_active(view)
    view.select_row(0)
    view.table.setFocus()
    QGuiApplication.clipboard().clear()
    qtbot.keyClick(view.table, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QGuiApplication.clipboard().text().splitlines()[1] == "003\t张三\t100.00\t2026-03-01\t1.5000"


def test_editable_money_column_parses_and_reports_errors(qtmodeltester) -> None:
    from desktop_app.core.money import parse_amount

    cols = [Column("name", "姓名", "pinyin-text"), Column("amount", "金额", "money", total=True, editable=True,
                                                       parser=parse_amount)]
    model = RowTableModel(cols, [{"name": "张三", "amount": Decimal("1.00")}])
    qtmodeltester.check(model)
    errors: list[object] = []
    model.edit_failed.connect(errors.append)
    index = model.index(0, 1)
    assert model.flags(index) & Qt.ItemFlag.ItemIsEditable
    assert model.setData(index, "1,234.5")
    assert model.rows()[0]["amount"] == Decimal("1234.50")
    assert model.totals() == {"amount": Decimal("1234.50")}
    assert not model.setData(index, "abc")
    assert "不是有效的金额" in errors[0].message


def test_ledger_view_filter_count_and_activation(qtbot) -> None:
    view = LedgerView(make_model())
    qtbot.addWidget(view)
    assert view.count_label.text() == "共 4 条"
    view.filter_edit.setText("zs")
    view.apply_filter_now()
    assert view.model().rowCount() == 1
    assert view.count_label.text() == "筛选出 1 条（共 4 条）"
    activated: list[object] = []
    view.row_activated.connect(activated.append)
    view.select_row(0)
    view.table.activated.emit(view.model().index(0, 0))
    assert activated[0].name == "张三"


def test_ledger_view_keyboard(qtbot) -> None:
    view = LedgerView(make_model())
    qtbot.addWidget(view)
    show_active(view)
    view.table.setFocus()
    qtbot.keyClick(view.table, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert view.filter_edit.hasFocus()
    qtbot.keyClicks(view.filter_edit, "bai")
    qtbot.keyClick(view.filter_edit, Qt.Key.Key_Down)  # applies the filter, goes to the first row
    assert view.table.hasFocus()
    assert view.current_row().name == "白云"
    view.filter_edit.setFocus()
    qtbot.keyClick(view.filter_edit, Qt.Key.Key_Escape)
    assert view.filter_edit.text() == "" and view.model().rowCount() == 4


def test_column_widths_order_and_sort_are_saved_and_restored(qtbot) -> None:
    settings = MemorySettings()
    view = LedgerView(make_model(), settings=settings, settings_key="ledger/receipts")
    qtbot.addWidget(view)
    view.table.setColumnWidth(1, 177)
    view.table.horizontalHeader().moveSection(3, 0)
    view.table.sortByColumn(2, Qt.SortOrder.DescendingOrder)
    view.save_state()
    saved = settings.get("ledger/receipts")
    assert saved["widths"]["name"] == 177
    assert saved["order"][0] == "paid_on"
    assert saved["sort"] == ["amount", "desc"]

    again = LedgerView(make_model(), settings=settings, settings_key="ledger/receipts")
    qtbot.addWidget(again)
    assert again.table.columnWidth(1) == 177
    assert again.table.horizontalHeader().logicalIndex(0) == 3
    assert again.model().row_at(0).amount == Decimal("1234.50")
    assert again.footer.columnWidth(1) == 177


def test_column_declaration_rejects_total_on_text() -> None:
    with pytest.raises(ValueError):
        Column("name", "姓名", total=True)


def test_fifty_thousand_rows_sort_and_filter_on_raw_values() -> None:
    """Behaviour on a big list (the speed is bench/bench_sort.py's, printed beside plain sorted())."""
    import random

    from desktop_app.core.textsearch import matches, pinyin_key

    chars = "张王李赵刘陈杨黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏"
    rng = random.Random(3)
    rows = [
        {"code": f"{i:06d}", "name": "".join(rng.choice(chars) for _ in range(3)),
         "amount": Decimal(rng.randint(0, 10**7)) / 100, "paid_on": None, "area": None}
        for i in range(50_000)
    ]
    model = RowTableModel(COLUMNS, rows)
    model.sort(1, Qt.SortOrder.AscendingOrder)
    assert model.rows() == sorted(rows, key=lambda r: (pinyin_key(r["name"]), r["name"]))
    model.sort(2, Qt.SortOrder.DescendingOrder)
    assert model.rows() == sorted(rows, key=lambda r: r["amount"], reverse=True)
    model.set_filter("zs")
    wanted = [r for r in sorted(rows, key=lambda r: r["amount"], reverse=True) if matches("zs", r["code"], r["name"])]
    assert model.rows() == wanted and 0 < len(wanted) < len(rows)
    model.set_filter("wl")
    assert all(matches("wl", r["code"], r["name"]) for r in model.rows())
    assert model.totals()["amount"] == sum((r["amount"] for r in model.rows()), Decimal(0))


def test_filter_sees_edited_rows(qtmodeltester) -> None:
    from desktop_app.core.money import parse_amount

    cols = [Column("name", "姓名", "pinyin-text", editable=True), Column("amount", "金额", "money", parser=parse_amount)]
    model = RowTableModel(cols, [{"name": "张三", "amount": Decimal(1)}, {"name": "李四", "amount": Decimal(2)}])
    model.set_filter("ls")
    assert model.rowCount() == 1
    model.setData(model.index(0, 0), "王五")
    model.set_filter("ww")
    assert [r["name"] for r in model.rows()] == ["王五"]


def test_select_row_ignores_a_held_ctrl_key(qtbot) -> None:
    """A Ctrl press another widget never saw released must not toggle a programmatic selection."""
    view = LedgerView(make_model())
    qtbot.addWidget(view)
    QTest.keyPress(view.table, Qt.Key.Key_Control, Qt.KeyboardModifier.ControlModifier)
    try:
        view.select_row(1)
        view.select_row(1)
        assert [r.name for r in view.selected_rows()] == [view.model().row_at(1).name]
    finally:
        QTest.keyRelease(view.table, Qt.Key.Key_Control)


def test_row_numbers_fit_without_asking_every_label(qtbot) -> None:
    """The row-number column is as wide as the widest number (12,345 rows: "12345"), and the
    geometry is found without asking the model for each row's label."""

    class Counting(RowTableModel):
        asked = 0

        def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # type: ignore[no-untyped-def]
            if orientation == Qt.Orientation.Vertical:
                Counting.asked += 1
            return super().headerData(section, orientation, role)

    rows = [Receipt(f"{i:05d}", "张三", Decimal("1.00"), dt.date(2026, 1, 1), Decimal("1")) for i in range(12_345)]
    view = LedgerView(Counting(COLUMNS, rows))
    qtbot.addWidget(view)
    Counting.asked = 0
    view._sync_footer_geometry()
    vh = view.table.verticalHeader()
    assert vh.width() >= vh.fontMetrics().horizontalAdvance("12345")
    assert Counting.asked < 50
