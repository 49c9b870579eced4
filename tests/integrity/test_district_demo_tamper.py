"""Issue #19 on the district demo (`demo --district DIR --townships 2 --villages 2`): `verify`
passes on the untouched files and exits 3, naming the table, after a trusted card is deleted
(no row hash can fail for a deleted row) or this PC's public key is overwritten (the keys carry
no row hash). Each case edits a private copy with the stdlib ``sqlite3``, as a person with the
file would."""

from __future__ import annotations

import io
import sqlite3
from contextlib import redirect_stdout
from pathlib import Path

import pytest

from desktop_app.cli import main
from tests.conftest import copy_of


@pytest.fixture(scope="module")
def demo_district(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("district_demo_tamper") / "区示例"
    with redirect_stdout(io.StringIO()):
        assert main(["demo", "--district", str(folder), "--townships", "2", "--villages", "2"]) == 0
    return folder


def _files(folder: Path) -> dict[str, Path]:
    townships = sorted((folder / "townships").glob("*/ledger.db"))
    assert len(townships) == 2
    return {"township": townships[0], "district": folder / "district.db"}


def _verify(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["verify", "--db", str(path)])
    return code, capsys.readouterr().out


def _edited(template: Path, tmp_path: Path, sql: str) -> Path:
    path = copy_of(template, tmp_path)
    raw = sqlite3.connect(path)
    try:
        assert raw.execute(sql).rowcount > 0
        raw.commit()
    finally:
        raw.close()
    return path


@pytest.mark.parametrize("which", ["township", "district"])
def test_the_untouched_demo_verifies(which: str, demo_district: Path, tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _verify(copy_of(_files(demo_district)[which], tmp_path), capsys)
    assert code == 0, out
    assert "已登记的同步对象与其引用及审计日志一致：正常" in out and "本机密钥的公钥与私钥相配：正常" in out, out


@pytest.mark.parametrize("which", ["township", "district"])
def test_a_deleted_partner_card_is_found(which: str, demo_district: Path, tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    template = _files(demo_district)[which]
    raw = sqlite3.connect(template)
    names = [r[0] for r in raw.execute("SELECT name FROM sync_partner")]
    raw.close()
    assert names
    code, out = _verify(_edited(template, tmp_path, "DELETE FROM sync_partner"), capsys)
    assert code == 3, out
    assert "已登记的同步对象（名片及公钥）（表 sync_partner）" in out, out
    for name in names:  # each card deleted is named, from the audit entry that registered it
        assert f"“{name}”" in out and "审计日志记有其登记" in out and "表 sync_partner_has" in out, out


def test_one_of_the_district_s_cards_deleted_is_named_alone(demo_district: Path, tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    template = _files(demo_district)["district"]
    raw = sqlite3.connect(template)
    gone, kept = (r[0] for r in raw.execute("SELECT name FROM sync_partner ORDER BY name"))
    raw.close()
    code, out = _verify(_edited(template, tmp_path, f"DELETE FROM sync_partner WHERE name = '{gone}'"), capsys)
    assert code == 3, out
    assert f"“{gone}”" in out and f"“{kept}”" not in out, out


@pytest.mark.parametrize("which", ["township", "district"])
@pytest.mark.parametrize("sql", ["UPDATE installation_key SET sign_public = x'00'",
                                 "UPDATE installation_key SET enc_public = randomblob(32)",
                                 "UPDATE installation_key SET sign_private = randomblob(32)"])
def test_a_corrupted_installation_key_is_found(which: str, sql: str, demo_district: Path, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _verify(_edited(_files(demo_district)[which], tmp_path, sql), capsys)
    assert code == 3, out
    assert "本机密钥（表 installation_key）" in out and "与私钥不配" in out, out
