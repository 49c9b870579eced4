"""``gui-check`` (what scripts/bundle-check.sh runs in the PyInstaller bundle): logs in, shows the
main window, opens every page the user may use, and says so; a wrong password opens nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop_app.cli import main
from tests.funds.conftest import make_env


@pytest.fixture
def db_file(tmp_path: Path) -> Path:
    make_env(tmp_path / "gui.db").db.close()
    return tmp_path / "gui.db"


def test_gui_check_opens_every_page_the_user_may_use(qtbot: object, db_file: Path, monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("SUNSHINE_LEDGER_PASSWORD", "secret1")
    assert main(["gui-check", "--db", str(db_file), "--user", "kj"]) == 0
    out = capsys.readouterr().out
    assert "界面自检通过：主窗口已显示" in out
    assert "凭证" in out and "账簿" in out  # a bookkeeper's pages, each built


def test_gui_check_with_a_wrong_password_opens_nothing(qtbot: object, db_file: Path, monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("SUNSHINE_LEDGER_PASSWORD", "wrong")
    assert main(["gui-check", "--db", str(db_file), "--user", "kj"]) == 1
    captured = capsys.readouterr()
    assert "界面自检通过" not in captured.out and "密码" in captured.err
