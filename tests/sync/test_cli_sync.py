"""``sync identity|trust|status`` on real files (export and import: the engine's tests)."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from db.migrate import open_database
from db.models import AuditEntry, SyncCounter, SyncInbox, SyncOutbox, SyncPartner, SyncPartnerHas
from db.types import utcnow
from desktop_app.cli import main
from desktop_app.sync import identity
from desktop_app.sync.cards import read_card
from desktop_app.sync.status import partner_status
from tests.acting import keeper

ROOT = Path(__file__).resolve().parents[2]
ADMIN = ("--user", "admin")  # the administrator `init` makes, its password from the environment (issue #16)


@pytest.fixture(autouse=True)
def _cli_login(monkeypatch: pytest.MonkeyPatch) -> None:
    """`init` takes the administrator's password from here; commands that write log in with it."""
    monkeypatch.setenv("SUNSHINE_LEDGER_PASSWORD", "secret1")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def sites(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[Path, Path]:
    """A named township and the district, each with its card written beside it."""
    t, d = tmp_path / "town.db", tmp_path / "district.db"
    assert main(["init", "--db", str(d), "--district", "江宁区经管站", "--region", "320115"]) == 0
    assert main(["init", "--db", str(t)]) == 0
    assert main([*ADMIN, "sync", "identity", "--db", str(t), "--name", "大桥镇"]) == 0
    assert main([*ADMIN, "sync", "identity", "--db", str(t), "--out", str(tmp_path / "town")]) == 0
    assert main([*ADMIN, "sync", "identity", "--db", str(d), "--out", str(tmp_path / "district.slcard")]) == 0
    capsys.readouterr()
    return t, d


def test_identity_of_an_unnamed_township(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "t.db")
    assert main(["init", "--db", db]) == 0
    code, out, _ = run(capsys, "sync", "identity", "--db", db)
    assert code == 0
    assert "本机：乡镇“本机”" in out and "指纹：" in out and "sync identity --name" in out
    code, _, err = run(capsys, *ADMIN, "sync", "identity", "--db", db, "--out", str(tmp_path / "card.slcard"))
    assert code == 1 and "名片未导出" in err and "--name" in err
    assert not (tmp_path / "card.slcard").exists()
    code, out, _ = run(capsys, *ADMIN, "sync", "identity", "--db", db, "--name", "大桥镇", "--out", str(tmp_path / "card"))
    assert code == 0 and "已将本机名称设为：大桥镇" in out and "已导出本机名片" in out
    card = read_card(tmp_path / "card.slcard")
    assert card.name == "大桥镇" and card.level == "township" and f"指纹：{card.fingerprint}" in out
    database = open_database(db)
    with database.begin() as s:
        assert card.origin == database.origin
        assert s.scalars(select(AuditEntry.summary).where(AuditEntry.entity == "site")).one().startswith("设置本机站点")
    database.close()


def test_trust_both_ways(sites: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    t, d = sites
    town_card = read_card(tmp_path / "town.slcard")
    code, out, _ = run(capsys, *ADMIN, "sync", "trust", str(tmp_path / "town.slcard"), "--db", str(d), "--yes")
    assert code == 0
    assert "名片：乡镇“大桥镇”" in out and f"指纹：{town_card.fingerprint}" in out and "已登记乡镇“大桥镇”" in out
    code, out, _ = run(capsys, *ADMIN, "sync", "trust", str(tmp_path / "district.slcard"), "--db", str(t), "--yes")
    assert code == 0 and "已登记区“江宁区经管站”" in out
    code, out, _ = run(capsys, *ADMIN, "sync", "trust", str(tmp_path / "town.slcard"), "--db", str(d), "--yes")
    assert code == 0 and "已登记过" in out  # nothing to do
    code, _, err = run(capsys, *ADMIN, "sync", "trust", str(tmp_path / "town.slcard"), "--db", str(t), "--yes")
    assert code == 1 and err.startswith("错误：") and "本机自己的名片" in err
    code, _, err = run(capsys, *ADMIN, "sync", "trust", str(tmp_path / "missing.slcard"), "--db", str(t), "--yes")
    assert code == 1 and "名片文件不存在" in err
    broken = tmp_path / "broken.slcard"
    broken.write_text((tmp_path / "town.slcard").read_text(encoding="utf-8").replace("大桥镇", "小桥镇"),
                      encoding="utf-8")
    code, _, err = run(capsys, *ADMIN, "sync", "trust", str(broken), "--db", str(d), "--yes")
    assert code == 1 and "签名无法验证" in err


def test_trust_without_a_terminal_needs_yes(sites: tuple[Path, Path], tmp_path: Path) -> None:
    _, d = sites
    done = subprocess.run([sys.executable, "-m", "desktop_app", *ADMIN, "sync", "trust", str(tmp_path / "town.slcard"),
                           "--db", str(d)], cwd=ROOT, capture_output=True, text=True, stdin=subprocess.DEVNULL,
                          env=dict(os.environ), timeout=120)
    assert done.returncode == 1
    assert "指纹：" in done.stdout and "--yes" in done.stderr
    database = open_database(d)
    with database.begin() as s:
        assert identity.partners(s) == []  # nothing registered
    database.close()


def test_status_lists_partners_and_what_is_unacknowledged(sites: tuple[Path, Path], tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    t, _ = sites
    code, out, _ = run(capsys, "sync", "status", "--db", str(t))
    assert code == 0 and "尚未登记任何同步名片" in out
    assert main([*ADMIN, "sync", "trust", str(tmp_path / "district.slcard"), "--db", str(t), "--yes"]) == 0
    district_card = read_card(tmp_path / "district.slcard")
    database = open_database(t)
    now = utcnow()
    with database.begin() as s:  # as if 120 changes were made, 100 acknowledged, a package each way
        s.merge(SyncCounter(origin=database.origin, last_seq=120))
        s.add(SyncPartnerHas(partner=district_card.origin, origin=database.origin, seq=100, audit_n=7))
        s.add(SyncOutbox(id=uuid.uuid4(), recipient=district_card.origin, stream_seq=3,
                         file_name="阳光台账_大桥镇_至_江宁区经管站_20261201_0003.slsync", sha256="0" * 64, size=1,
                         changes=120, ranges_json="{}", kept_copy="x", created_at=now - timedelta(days=2),
                         created_by="cli"))
        s.add(SyncInbox(id=uuid.uuid4(), sender=district_card.origin, stream_seq=2, file_name="back.slsync",
                        sha256="1" * 64, changes=4, ranges_json="{}", report_json="{}",
                        created_at=now - timedelta(days=5), imported_at=now - timedelta(days=4), imported_by="cli"))
    database.close()
    code, out, _ = run(capsys, "sync", "status", "--db", str(t))
    assert code == 0, out
    assert "区“江宁区经管站”" in out and district_card.fingerprint in out
    assert "已发送：第 3 号包" in out and "120 条变更" in out
    assert "对方已确认收到 100 / 120 条变更；尚有 20 条未确认" in out
    assert "已接收：最新为第 2 号包" in out and "本机共持有对方的 0 条变更" in out
    assert "已超过一个月" not in out


def test_status_warns_after_a_month(sites: tuple[Path, Path], tmp_path: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    _, d = sites
    assert main([*ADMIN, "sync", "trust", str(tmp_path / "town.slcard"), "--db", str(d), "--yes"]) == 0
    town = read_card(tmp_path / "town.slcard")
    database = open_database(d)
    long_ago = utcnow() - timedelta(days=40)
    with database.begin() as s:
        partner = s.get(SyncPartner, town.origin)
        assert partner is not None
        partner.trusted_at = long_ago - timedelta(days=10)
        s.add(SyncInbox(id=uuid.uuid4(), sender=town.origin, stream_seq=1, file_name="up.slsync", sha256="2" * 64,
                        changes=50, ranges_json="{}", report_json="{}", created_at=long_ago,
                        imported_at=long_ago, imported_by="cli"))
    with database.read() as s:
        (st,) = partner_status(s)
        assert st.last_exchange == long_ago and st.warning is not None
        assert (st.last_received.stream_seq, st.last_received.changes) == (1, 50)  # type: ignore[union-attr]
        fresh = partner_status(s, now=long_ago + timedelta(days=30))  # within the month then: no warning
        assert fresh[0].warning is None
    database.close()
    code, out, _ = run(capsys, "sync", "status", "--db", str(d))
    assert code == 0
    assert f"已超过一个月未与乡镇“大桥镇”交换数据（上次交换 {long_ago.astimezone():%Y-%m-%d}）" in out
    assert "暂无需要发送给对方的变更" in out  # a district with no data of its own for it


def test_status_warns_when_never_exchanged(sites: tuple[Path, Path], tmp_path: Path) -> None:
    t, _ = sites
    assert main([*ADMIN, "sync", "trust", str(tmp_path / "district.slcard"), "--db", str(t), "--yes"]) == 0
    database = open_database(t)
    with database.read() as s:
        (st,) = partner_status(s)
        assert st.warning is None and st.last_exchange is None
        (late,) = partner_status(s, now=st.partner.trusted_at + timedelta(days=32))
        assert late.warning is not None and "从未交换" in late.warning
    database.close()


def test_status_shows_a_retired_pc_and_its_successor(sites: tuple[Path, Path], tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    t, d = sites
    assert main([*ADMIN, "sync", "trust", str(tmp_path / "town.slcard"), "--db", str(d), "--yes"]) == 0
    monkeypatch.setenv("SUNSHINE_LEDGER_BACKUP_PASSPHRASE", "大桥镇的备份口令")  # a backup leaving the PC is sealed
    assert main([*ADMIN, "backup", "passphrase", "--db", str(t)]) == 0
    assert main(["backup", "--db", str(t), "--to", str(tmp_path / "bk")]) == 0
    (sealed,) = (tmp_path / "bk").iterdir()
    assert sealed.suffix == ".slbak"
    new_pc = tmp_path / "new_pc.db"
    assert main(["restore", str(sealed), "--db", str(new_pc)]) == 0  # the new PC opens it with the passphrase
    assert main(["sync", "identity", "--db", str(new_pc), "--out", str(tmp_path / "new.slcard")]) == 0
    capsys.readouterr()
    code, out, _ = run(capsys, *ADMIN, "sync", "trust", str(tmp_path / "new.slcard"), "--db", str(d), "--yes")
    assert code == 0 and "新电脑" in out
    code, out, _ = run(capsys, "sync", "status", "--db", str(d))
    assert code == 0 and "（已停用：由新电脑“大桥镇”接替）" in out and out.count("乡镇“大桥镇”") == 2


def test_export_and_import_refuse_before_the_engine(sites: tuple[Path, Path], tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    t, d = sites
    code, _, err = run(capsys, *ADMIN, "sync", "export", "--db", str(t), "--to", str(tmp_path / "nowhere"))
    assert code == 1 and "文件夹不存在" in err
    code, _, err = run(capsys, *ADMIN, "sync", "export", "--db", str(t), "--to", str(tmp_path))
    assert code == 1 and "尚未登记区经管站的名片" in err
    code, _, err = run(capsys, *ADMIN, "sync", "export", "--db", str(d), "--to", str(tmp_path))
    assert code == 1 and "尚未登记任何乡镇的名片" in err
    assert main([*ADMIN, "sync", "trust", str(tmp_path / "town.slcard"), "--db", str(d), "--yes"]) == 0
    code, _, err = run(capsys, *ADMIN, "sync", "export", "--db", str(d), "--to", str(tmp_path), "--partner", "小桥镇")
    assert code == 1 and "没有名为“小桥镇”的同步对象（可选：大桥镇）" in err
    code, _, err = run(capsys, *ADMIN, "sync", "import", str(tmp_path / "none.slsync"), "--db", str(d))
    assert code == 1 and "同步数据包不存在" in err


def test_every_synced_kind_has_a_chinese_label() -> None:
    from db.base import Base, is_syncable
    from desktop_app.sync.kinds import TABLE_LABELS, rows_text

    tables = {m.class_.__tablename__ for m in Base.registry.mappers if is_syncable(m.class_)}
    assert tables - set(TABLE_LABELS) == set()
    assert rows_text({"entry": 480, "voucher": 120, "book": 0}) == "凭证分录 480 行、记账凭证 120 行"
    assert rows_text({"entry": 4, "voucher": 3, "region": 2, "member": 1}, limit=2) == \
        "凭证分录 4 行、记账凭证 3 行 等（另有 2 类共 3 行）"


def test_export_then_import_through_the_cli(sites: tuple[Path, Path], tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    from desktop_app.core.services.orgs import create_region

    t, d = sites
    assert main([*ADMIN, "sync", "trust", str(tmp_path / "town.slcard"), "--db", str(d), "--yes"]) == 0
    assert main([*ADMIN, "sync", "trust", str(tmp_path / "district.slcard"), "--db", str(t), "--yes"]) == 0
    database = open_database(t)
    with database.begin("admin") as s:
        create_region(s, code="320115106000", name="大桥镇", user=keeper(s))
    database.close()
    usb = tmp_path / "usb"
    usb.mkdir()
    capsys.readouterr()
    code, out, _ = run(capsys, *ADMIN, "sync", "export", "--db", str(t), "--to", str(usb))
    assert code == 0 and "已导出给区“江宁区经管站”" in out and "本机已留存副本" in out
    (package,) = usb.iterdir()
    assert package.name.startswith("阳光台账_大桥镇_至_江宁区经管站_") and package.name.endswith("_0001.slsync")
    code, out, _ = run(capsys, "sync", "import", str(package), "--db", str(d), "--dry-run")  # as the README: no login
    assert code == 0 and "来自乡镇“大桥镇”，第 1 号包" in out and "区划 1 行" in out and "检查通过" in out
    code, out, _ = run(capsys, *ADMIN, "sync", "import", str(package), "--db", str(d))
    assert code == 0 and "已导入乡镇“大桥镇”的同步包" in out
    code, out, _ = run(capsys, *ADMIN, "sync", "import", str(package), "--db", str(d))
    assert code == 0 and "无需重复导入" in out  # a replay: nothing to do
    code, out, _ = run(capsys, "sync", "status", "--db", str(d))
    assert code == 0 and "已接收：最新为第 1 号包" in out and "本机共持有对方的" in out
    # the district sent nothing of its own: nothing is "acknowledged by the other side"
    assert "对方已确认" not in out and "暂无需要发送给对方的变更" in out


def test_db_may_stand_before_or_after_the_file(sites: tuple[Path, Path], tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    """`sync trust --db X FILE`, `sync trust FILE --db X` and `sync --db X trust FILE` all work."""
    t, d = sites
    code, out, err = run(capsys, *ADMIN, "sync", "trust", "--db", str(d), str(tmp_path / "town.slcard"), "--yes")
    assert code == 0, err
    assert "已登记" in out
    code, out, _ = run(capsys, *ADMIN, "sync", "trust", str(tmp_path / "district.slcard"), "--db", str(t), "--yes")
    assert code == 0 and "已登记" in out
    code, out, _ = run(capsys, "sync", "--db", str(d), "status")
    assert code == 0 and "大桥镇" in out
