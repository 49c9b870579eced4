"""Bad places and bad numbers get a calm Chinese message and exit 1, never a traceback, and nothing
is written (issue #19). Real files, the real CLI entry point."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import openpyxl
import pytest

from desktop_app.cli import main
from tests.conftest import copy_of

VILLAGE = "320115106200"  # the demo's first village (the session demo template)


def _count(db: Path, table: str) -> int:
    conn = sqlite3.connect(db)
    try:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    finally:
        conn.close()


def _recorded(db: Path) -> int:
    """Audit entries other than logins (issue #16: each command run with --user records its login)."""
    conn = sqlite3.connect(db)
    try:
        return int(conn.execute("SELECT count(*) FROM audit_entry WHERE action NOT IN ('login', 'login_failed')")
                   .fetchone()[0])
    finally:
        conn.close()


@pytest.fixture(autouse=True)
def _cli_login(monkeypatch: pytest.MonkeyPatch) -> None:
    """The demo users' password: commands that write or show personal data run as --user kuaiji."""
    monkeypatch.setenv("SUNSHINE_LEDGER_PASSWORD", "demo1234")


def _calm(err: str) -> None:
    assert err.startswith("错误：") and "Traceback" not in err, err


@pytest.fixture
def demo(demo_template: Path, tmp_path: Path) -> Path:
    return copy_of(demo_template, tmp_path / "data")


def test_disclose_to_a_folder_or_a_missing_folder_records_nothing(
        demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "out.pdf"
    folder.mkdir()
    before = _recorded(demo)
    for out, reason in ((folder, "是一个文件夹"), (tmp_path / "missing" / "d.pdf", "文件夹不存在")):
        assert main(["--user", "kuaiji", "disclose", "--db", str(demo), "--org", VILLAGE, "--period", "2026-06",
                     "--out", str(out)]) == 1
        err = capsys.readouterr().err
        _calm(err)
        assert reason in err
    assert _recorded(demo) == before
    assert not (tmp_path / "missing").exists() and list(folder.iterdir()) == []


@pytest.mark.parametrize("argv", [["export", "members"], ["roster", "--year", "2026"], ["export", "shares"]])
def test_an_out_that_is_a_folder_is_refused_before_any_work(
        argv: list[str], demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "out.xlsx"
    folder.mkdir()
    assert main(["--user", "kuaiji", *argv, "--db", str(demo), "--org", VILLAGE, "--out", str(folder)]) == 1
    err = capsys.readouterr().err
    _calm(err)
    assert "out.xlsx 是一个文件夹" in err and list(folder.iterdir()) == []


def test_a_text_file_or_a_foreign_database_is_refused_untouched(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = tmp_path / "notes.db"
    text.write_text("会议记录\n", encoding="utf-8")
    foreign = tmp_path / "contacts.db"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE contacts (name TEXT)")
    conn.commit()
    conn.close()
    for path, reason in ((text, "不是 SQLite 数据库文件"), (foreign, "不是阳光台账的数据库")):
        before = path.read_bytes()
        for command in (["orgs"], ["verify"], ["init"]):
            assert main([*command, "--db", str(path)]) == 1
            err = capsys.readouterr().err
            _calm(err)
            assert reason in err
        assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["contacts.db", "notes.db"]  # no -wal, no -shm
    conn = sqlite3.connect(foreign)
    assert conn.execute("PRAGMA journal_mode").fetchone() == ("delete",)  # never switched to WAL
    conn.close()


def test_a_database_in_a_missing_folder_is_refused_and_no_folder_is_made(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for command in (["orgs"], ["init"], ["demo", "--villages", "1"]):
        assert main([*command, "--db", str(tmp_path / "nowhere" / "ledger.db")]) == 1
        assert "文件夹不存在" in capsys.readouterr().err
    assert not (tmp_path / "nowhere").exists()


def test_depreciation_far_in_the_future_is_refused_at_once(demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = _count(demo, "voucher")
    assert main(["--user", "kuaiji", "depreciate", "--db", str(demo), "--org", VILLAGE, "--book", "01", "--period", "9999-12"]) == 1
    err = capsys.readouterr().err
    _calm(err)
    assert "9999年12月超出合理范围：折旧最多计提到" in err
    assert _count(demo, "voucher") == before


def _members_file(demo: Path, tmp_path: Path, value: object) -> tuple[Path, str]:
    out = tmp_path / "members.xlsx"
    assert main(["--user", "kuaiji", "export", "members", "--db", str(demo), "--org", VILLAGE, "--out", str(out)]) == 0
    wb = openpyxl.load_workbook(out)
    ws = wb.worksheets[0]
    header_row = next(i for i, r in enumerate(ws.iter_rows(values_only=True), 1) if "身份证号" in r)
    col = [c.value for c in ws[header_row]].index("人口股") + 1
    cell = ws.cell(header_row + 2, col)
    cell.value = value
    wb.save(out)
    return out, cell.coordinate


def test_a_formula_without_a_stored_result_is_refused_naming_the_cell(
        demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path, ref = _members_file(demo, tmp_path, "=5+6")  # openpyxl stores no result: it does not calculate
    capsys.readouterr()
    before = _count(demo, "share_holding")
    assert main(["--user", "kuaiji", "import", "members", str(path), "--db", str(demo), "--org", VILLAGE]) == 1
    out = capsys.readouterr()
    _calm(out.err)
    row, col = ref.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"), ref.rstrip("0123456789")
    assert f"第{row}行{col}列“人口股”：是公式" in out.out  # named among the file's other problems
    assert "未写入任何数据" in out.err
    assert _count(demo, "share_holding") == before


def test_an_absurd_share_count_refuses_its_row(demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path, ref = _members_file(demo, tmp_path, 1e300)
    capsys.readouterr()
    before = _count(demo, "share_holding")
    assert main(["--user", "kuaiji", "import", "members", str(path), "--db", str(demo), "--org", VILLAGE, "--dry-run"]) == 1
    out = capsys.readouterr()
    row = ref.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    assert f"第{row}行{ref.rstrip('0123456789')}列“人口股”：股数“1E+300”过大" in out.out + out.err  # the pipeline names the column
    assert "Traceback" not in out.err
    assert _count(demo, "share_holding") == before


# --- unwritable places and read-only databases ----------------------------------------------


@pytest.fixture
def unwritable() -> Iterator[Callable[[Path], None]]:
    """Makes a file or folder unwritable even for root (who ignores permission bits): the
    immutable attribute when run as root, the permission bits otherwise. Undone afterwards."""
    made: list[Path] = []

    def make(path: Path) -> None:
        if os.geteuid() == 0:
            if shutil.which("chattr") is None or subprocess.run(["chattr", "+i", str(path)],
                                                                capture_output=True).returncode:
                pytest.skip("作为 root 运行且无法设置不可写属性（chattr +i）")
        else:
            path.chmod(0o555 if path.is_dir() else 0o444)
        made.append(path)

    yield make
    for path in reversed(made):
        if os.geteuid() == 0:
            subprocess.run(["chattr", "-i", str(path)], check=True)
        else:
            path.chmod(0o755 if path.is_dir() else 0o644)


def test_a_read_only_database_still_reads_and_refuses_writes_calmly(
        demo: Path, tmp_path: Path, unwritable: Callable[[Path], None], capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUNSHINE_LEDGER_PASSWORD", "demo1234")  # a write names its user (issue #16)
    ro = copy_of(demo, tmp_path / "cd")
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    unwritable(ro)
    unwritable(ro.parent)
    before = ro.read_bytes()
    assert main(["orgs", "--db", str(ro)]) == 0
    assert "共 7 个组织" in capsys.readouterr().out
    assert main(["verify", "--db", str(ro)]) == 0
    capsys.readouterr()
    assert main(["--user", "kuaiji", "disclose", "--db", str(ro), "--org", VILLAGE, "--period", "2026-06",
                 "--out", str(out_dir / "d.pdf")]) == 1
    err = capsys.readouterr().err
    _calm(err)
    assert "只读" in err
    assert list(out_dir.iterdir()) == [] and ro.read_bytes() == before
    assert sorted(p.name for p in ro.parent.iterdir()) == ["demo.db"]


def test_disclose_to_an_unwritable_folder_records_nothing(
        demo: Path, tmp_path: Path, unwritable: Callable[[Path], None], capsys: pytest.CaptureFixture[str]) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    unwritable(locked)
    before = _recorded(demo)
    for argv in (["disclose", "--period", "2026-06", "--out", str(locked / "d.pdf")],
                 ["export", "members", "--out", str(locked / "sub" / "m.xlsx")]):
        assert main(["--user", "kuaiji", *argv, "--db", str(demo), "--org", VILLAGE]) == 1
        err = capsys.readouterr().err
        _calm(err)
        assert "不能写入" in err
    assert _recorded(demo) == before and list(locked.iterdir()) == []


def test_backup_refuses_a_file_that_is_not_our_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A text file or a foreign SQLite file as --db: refused, and no backup folder is made."""
    import sqlite3

    from desktop_app.cli import main as cli

    text = tmp_path / "notes.db"
    text.write_text("不是数据库", encoding="utf-8")
    foreign = tmp_path / "other.db"
    con = sqlite3.connect(foreign)
    con.execute("CREATE TABLE t (x)")
    con.commit()
    con.close()
    for path in (text, foreign):
        to = tmp_path / f"backups-{path.stem}"
        assert cli(["backup", "--db", str(path), "--to", str(to)]) == 1
        assert capsys.readouterr().err.startswith("错误：") and not to.exists()


def test_shares_beyond_any_register_are_refused_calmly() -> None:
    from decimal import Decimal

    from desktop_app.core.errors import ValidationError
    from desktop_app.core.services.shares import parse_shares

    for value in ("1e300", Decimal("1E+300"), "9" * 40):
        with pytest.raises(ValidationError, match="过大"):
            parse_shares(value)
