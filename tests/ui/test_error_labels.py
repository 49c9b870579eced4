"""Reviewer #17.5: a message starts with its field ("“凭证”：") only where the field points at a row
or a typed value the sentence does not name; checked on the error itself, the GUI box and the CLI."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from desktop_app.cli import main as cli_main
from desktop_app.core.errors import ConflictError, NotFoundError, ValidationError
from desktop_app.ui.errors import show_user_error
from tests.ui.conftest import ShownBoxes


def test_field_prefix_only_where_it_points_at_something() -> None:
    assert str(ConflictError("2026年1月第1号凭证已被冲销", field="凭证")) == "2026年1月第1号凭证已被冲销"
    assert str(NotFoundError("101 2026年3月没有导入对账单", field="对账单")) == "101 2026年3月没有导入对账单"
    assert str(ValidationError("2026年3月还没有导入银行对账单，不能标记已对账", field="对账单")) == \
        "2026年3月还没有导入银行对账单，不能标记已对账"
    assert str(ValidationError("不能为负数", field="金额")) == "“金额”：不能为负数"  # a typed value, not named
    assert str(ValidationError("金额不能为负数", field="金额", row=3)) == "第3行，“金额”：金额不能为负数"
    assert str(ConflictError("合同编号 Y-1 已存在", field="合同编号", row=4)) == "第4行，“合同编号”：合同编号 Y-1 已存在"


def test_gui_box_and_cli_show_no_stray_label(qtbot: Any, shown_boxes: ShownBoxes, tmp_path: Path,
                                             capsys: Any) -> None:
    show_user_error(None, ConflictError("2026年1月第1号凭证已被冲销", field="凭证"))
    assert shown_boxes.texts == ["2026年1月第1号凭证已被冲销"]
    db = tmp_path / "x.db"
    assert cli_main(["init", "--db", str(db)]) == 0
    capsys.readouterr()
    assert cli_main(["close-year", "--year", "2026", "--preview", "--db", str(db), "--org", "N2320115MF00000121"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("错误：") and "”：" not in err.splitlines()[0], err
