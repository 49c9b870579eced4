"""Real-file fault injection on sync packages (issue #12 "Proof"; SYNC.md §4.5, last bullet).

Every refusal leaves the receiving database byte-identical (its SQL dump); processes killed
with ``os._exit`` between write and rename (exporter) or mid-transaction (importer) leave no
final-named file and an intact, unchanged database, and the next attempt works.
"""

from __future__ import annotations

import io
import json
import os
import sqlite3
import subprocess
import sys
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import zstandard

from db.backup import backup_file
from db.engine import Database
from db.migrate import SCHEMA_HEADS, open_database
from desktop_app.sync import envelope, identity
from desktop_app.sync.apply import ImportReport, import_package
from desktop_app.sync.container import Container, rewrite
from desktop_app.sync.errors import PackageError
from desktop_app.sync.export import export_package
from desktop_app.sync.kinds import clock_warning
from tests.sync.conftest import dump, syncable_rows
from tests.sync.test_state_machine import _edit_first_household, templates

REPO = Path(__file__).resolve().parents[2]


@dataclass
class Pair:
    town: Database
    other: Database  # a second township the district also trusts
    district: Database
    stick: Path
    root: Path

    def export(self, src: Database | None = None, dst: Database | None = None) -> Path:
        src, dst = src or self.town, dst or self.district
        out = export_package(src, dst.origin, self.stick, actor="同步", data_dir=src.path.parent)
        assert out.path is not None, out.message
        return out.path

    def refused(self, package: Path, *words: str, db: Database | None = None) -> str:
        db = db or self.district
        before = dump(db)
        with pytest.raises(PackageError) as err:
            import_package(db, package, actor="同步")
        assert dump(db) == before
        for w in words:
            assert w in str(err.value), str(err.value)
        return str(err.value)


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[Pair]:
    a, b, d = templates()
    stick = tmp_path / "stick"
    stick.mkdir()
    p = Pair(open_database(backup_file(a, tmp_path / "a" / "town.db")),
             open_database(backup_file(b, tmp_path / "b" / "town.db")),
             open_database(backup_file(d, tmp_path / "d" / "district.db")), stick, tmp_path)
    yield p
    for db in (p.town, p.other, p.district):
        db.close()


def _keys(db: Database) -> identity.MyKeys:
    with db.read() as s:
        return identity.my_keys(s)


def _reseal(pair: Pair, package: Path, change: Callable[[Path, Path], None], name: str) -> Path:
    """Open the package with the district's key, let ``change`` make a new inner archive, and
    seal that for the district again (a valid envelope around an altered archive)."""
    keys = _keys(pair.district)
    inner, changed = pair.root / f"{name}.inner", pair.root / f"{name}.changed"
    inner.unlink(missing_ok=True)
    envelope.open_to_file(package, inner, keys.enc_private)
    change(inner, changed)
    out = pair.root / f"{name}_{package.name}"
    with changed.open("rb") as src, out.open("wb") as dest:
        envelope.seal(src, dest, keys.enc_public)
    return out


def _resigned(pair: Pair, package: Path, name: str, *, manifest: dict[str, Any] | None = None,
              replace: Callable[[Container], dict[str, bytes]] | None = None) -> Path:
    """Re-signed by the township's own key: what another program version (or a dishonest
    key holder) would send."""
    sign_private = _keys(pair.town).sign_private

    def change(inner: Path, changed: Path) -> None:
        with Container(inner) as c:
            members = replace(c) if replace else {}
        rewrite(inner, changed, members, sign_private, manifest)

    return _reseal(pair, package, change, name)


def _offsets(size: int) -> list[int]:
    spread = [size * k // 29 for k in range(29)]
    edges = [0, 1, 7, 8, 12, envelope.HEADER_SIZE - 1, envelope.HEADER_SIZE, envelope.HEADER_SIZE + 1,
             size - 17, size - 16, size - 1]
    return sorted({o for o in spread + edges if 0 <= o < size})


def test_truncated_at_many_offsets_is_refused_and_nothing_changes(pair: Pair) -> None:
    package = pair.export()
    data = package.read_bytes()
    before = dump(pair.district)
    short = pair.root / "short.slsync"
    for cut in _offsets(len(data)):
        short.write_bytes(data[:cut])
        with pytest.raises(PackageError) as err:
            import_package(pair.district, short, actor="同步")
        assert any(w in str(err.value) for w in ("不完整", "不是阳光台账的同步包")), (cut, str(err.value))
    assert dump(pair.district) == before
    assert import_package(pair.district, package, actor="同步").new_records > 0  # the whole file still imports


def test_single_byte_flips_in_the_envelope_are_refused_and_nothing_changes(pair: Pair) -> None:
    package = pair.export()
    data = package.read_bytes()
    before = dump(pair.district)
    flipped = pair.root / "flipped.slsync"
    for at in _offsets(len(data)):
        for mask in (0x01, 0x80):
            bad = bytearray(data)
            bad[at] ^= mask
            flipped.write_bytes(bytes(bad))
            with pytest.raises(PackageError):
                import_package(pair.district, flipped, actor="同步")
    assert dump(pair.district) == before


def _flip_member(name: str, at: float | bytes) -> Callable[[Path, Path], None]:
    """Flip one byte of a member inside the decrypted ZIP, the ZIP written again around it (its
    CRC recomputed, so only the manifest's hashes and signature can tell), nothing re-signed."""

    def change(inner: Path, changed: Path) -> None:
        with zipfile.ZipFile(inner) as z:
            members = [(i.filename, z.read(i)) for i in z.infolist()]
        with zipfile.ZipFile(changed, "w", compression=zipfile.ZIP_STORED) as out:
            for n, data in members:
                if n == name:
                    flipped = bytearray(data)
                    if isinstance(at, bytes):  # the byte after a marker, kept printable (JSON still parses)
                        flipped[data.index(at) + len(at)] ^= 0x02
                    else:
                        flipped[int(len(data) * at)] ^= 0x20
                    data = bytes(flipped)
                out.writestr(n, data)

    return change


def test_a_raw_flip_inside_the_decrypted_archive_is_refused(pair: Pair) -> None:
    """A byte flipped in place in the decrypted ZIP (its CRC left as it was)."""
    package = pair.export()

    def change(inner: Path, changed: Path) -> None:
        raw = bytearray(inner.read_bytes())
        raw[len(raw) // 3] ^= 0x01
        changed.write_bytes(bytes(raw))

    message = pair.refused(_reseal(pair, package, change, "raw"))
    assert message not in (envelope.DAMAGED, envelope.INCOMPLETE)


@pytest.mark.parametrize(("member", "at", "words"), [
    ("manifest.json", b'"stream_seq":', ("签名不符",)),
    ("manifest.sig", 0.1, ("签名不符",)),
    ("changes.jsonl.zst", 0.5, ("changes.jsonl.zst",)),
    ("audit.jsonl.zst", 0.9, ("audit.jsonl.zst",)),
    ("control.json", 0.3, ("control.json",)),
    ("digests.json", 0.6, ("digests.json",)),
])
def test_a_flip_inside_the_decrypted_archive_is_refused_by_hash_or_signature(
        pair: Pair, member: str, at: float | bytes, words: tuple[str, ...]) -> None:
    package = pair.export()
    bad = _reseal(pair, package, _flip_member(member, at), f"flip_{member}")
    message = pair.refused(bad, *words)
    assert message not in (envelope.DAMAGED, envelope.INCOMPLETE)  # the envelope itself was intact
    assert import_package(pair.district, package, actor="同步").new_records > 0


def test_unknown_signer_is_refused(pair: Pair, tmp_path: Path) -> None:
    stranger = open_database(tmp_path / "stranger" / "s.db")
    try:
        with stranger.begin("admin") as s:
            identity.set_site(s, "township", "陌生镇", "320115109")
        with pair.district.read() as s:
            from desktop_app.sync.cards import parse_card
            card = parse_card(identity.my_card(s)[1])
        with stranger.begin("admin") as s:
            identity.trust_card(s, card, actor="admin")
        _edit_first_household(pair.town, "x")  # unrelated: the district's state is not empty
        pair.refused(pair.export(stranger), "未被信任", "sync trust")
    finally:
        stranger.close()


def test_replayed_package_changes_nothing(pair: Pair) -> None:
    package = pair.export()
    first = import_package(pair.district, package, actor="同步")
    assert first.new_records > 0
    before = dump(pair.district)
    copy = pair.root / "copied_again.slsync"
    copy.write_bytes(package.read_bytes())
    for p in (package, copy):
        again = import_package(pair.district, p, actor="同步")
        assert again.already_imported and "无需重复导入" in again.message
    assert dump(pair.district) == before


def _vector(db: Database) -> dict[str, int]:
    con = sqlite3.connect(db.path)
    try:
        return dict(con.execute("SELECT origin, last_seq FROM sync_counter"))
    finally:
        con.close()


def test_package_older_than_the_last_applied_changes_no_row(pair: Pair) -> None:
    older = pair.export()
    _edit_first_household(pair.town, "较新的地址")
    newer = pair.export()
    assert import_package(pair.district, newer, actor="同步").new_records > 0
    rows, vector = syncable_rows(pair.district), _vector(pair.district)
    late: ImportReport = import_package(pair.district, older, actor="同步")
    assert late.new_records == 0 and late.rows_applied == 0 and "均已持有" in late.message
    assert syncable_rows(pair.district) == rows and _vector(pair.district) == vector


def test_package_for_another_recipient_is_refused(pair: Pair) -> None:
    package = pair.export()  # sealed for the district
    pair.refused(package, "不是发给本机的", "指纹", db=pair.other)
    # the township's own outgoing package, picked by mistake: named by the card's words
    pair.refused(package, "不是发给本机的：它是发给区“", "本机无需导入", db=pair.town)


def _run(code: str, fault: str | None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    env.pop("SUNSHINE_LEDGER_SYNC_FAULT", None)
    if fault:
        env["SUNSHINE_LEDGER_SYNC_FAULT"] = fault
    return subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, timeout=300)


def _export_code(src: Path, dst: Path, stick: Path) -> str:
    return (
        "import desktop_app.sync\nfrom pathlib import Path\nfrom db.migrate import open_database\n"
        "from desktop_app.sync.export import export_package\n"
        f"src, dst = open_database(Path({str(src)!r})), open_database(Path({str(dst)!r}))\n"
        f"out = export_package(src, dst.origin, Path({str(stick)!r}), actor='同步', data_dir=src.path.parent)\n"
        "print(out.path)\n")


def test_exporter_killed_between_write_and_rename_leaves_no_final_file(pair: Pair) -> None:
    _edit_first_household(pair.town, "导出前的修改")
    before = dump(pair.town)
    pair.town.close()
    pair.district.close()
    try:
        killed = _run(_export_code(pair.town.path, pair.district.path, pair.stick), "before-rename")
        assert killed.returncode == 70, killed.stderr
        assert [p for p in pair.stick.iterdir() if p.suffix == ".slsync"] == []  # only a hidden .part at most
        assert not list((pair.town.path.parent / "sync" / "outbox").glob("*.slsync"))
        ok = _run(_export_code(pair.town.path, pair.district.path, pair.stick), None)
        assert ok.returncode == 0, ok.stderr
    finally:
        pair.town, pair.district = open_database(pair.town.path), open_database(pair.district.path)
    # the killed run committed nothing (its sync_outbox row and audit entry are absent): the
    # successful run's package is the first for the district, and it imports
    finals = [p for p in pair.stick.iterdir() if p.suffix == ".slsync"]
    assert len(finals) == 1 and finals[0].name.endswith("_0001.slsync")
    assert import_package(pair.district, finals[0], actor="同步").new_records > 0
    assert dump(pair.town) != before  # (the second export wrote its outbox row)


def test_importer_killed_mid_transaction_leaves_the_database_as_it_was(pair: Pair) -> None:
    package = pair.export()
    before = dump(pair.district)
    path = pair.district.path
    pair.district.close()
    code = ("import desktop_app.sync\nfrom pathlib import Path\nfrom db.migrate import open_database\n"
            "from desktop_app.sync.apply import import_package\n"
            f"db = open_database(Path({str(path)!r}))\n"
            f"print(import_package(db, Path({str(package)!r}), actor='同步').message)\n")
    try:
        killed = _run(code, "mid-apply")
        assert killed.returncode == 70, killed.stderr
        con = sqlite3.connect(path)
        try:
            assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        finally:
            con.close()
        verify = subprocess.run([sys.executable, "-m", "desktop_app", "verify", "--db", str(path)], cwd=REPO,
                                capture_output=True, text=True, timeout=300,
                                env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
        assert verify.returncode == 0, verify.stdout + verify.stderr
    finally:
        pair.district = open_database(path)
    assert dump(pair.district) == before
    rep = import_package(pair.district, package, actor="同步")
    assert rep.new_records > 0 and rep.compared


def test_newer_schema_is_refused(pair: Pair) -> None:
    bad = _resigned(pair, pair.export(), "newer", manifest={"schema": sorted(SCHEMA_HEADS | {"z9999"})})
    pair.refused(bad, "更新版本的阳光台账", "z9999", "请先升级本程序")


def _older_heads() -> list[str]:
    """SCHEMA_HEADS with one branch one revision back (a package from the previous release)."""
    from alembic.script import ScriptDirectory

    from db.migrate import alembic_config

    script = ScriptDirectory.from_config(alembic_config())
    for head in sorted(SCHEMA_HEADS):
        down = script.get_revision(head).down_revision
        if down:  # a merge revision (h0001) goes back to every head it merged
            return sorted((SCHEMA_HEADS - {head}) | ({down} if isinstance(down, str) else set(down)))
    raise AssertionError("no head has an earlier revision: the migrations have lost their history")


def test_old_schema_package_without_a_newer_column_is_upgraded(pair: Pair) -> None:
    """An older program's package: an earlier revision list, and household rows without a column
    this program has (``note``): accepted, the missing column taking its default."""
    _edit_first_household(pair.town, "旧版本程序的地址")
    package = pair.export()

    def without_note(c: Container) -> dict[str, bytes]:
        cols = c.manifest["columns"]["household"]
        at = cols.index("note")
        out = io.BytesIO()
        with zstandard.ZstdCompressor().stream_writer(out, closefd=False) as w:
            for line in c.iter_lines("changes.jsonl.zst"):
                o = json.loads(line)
                if o["k"] == "r" and o["t"] == "household":
                    del o["v"][at]
                w.write(json.dumps(o, ensure_ascii=False, separators=(",", ":")).encode() + b"\n")
        return {"changes.jsonl.zst": out.getvalue()}

    with Container(_open(pair, package)) as c:
        columns = dict(c.manifest["columns"])
    columns["household"] = [x for x in columns["household"] if x != "note"]
    old = _resigned(pair, package, "old", manifest={"schema": _older_heads(), "columns": columns},
                    replace=without_note)
    rep = import_package(pair.district, old, actor="同步")
    assert rep.new_records > 0 and rep.compared
    town, district = syncable_rows(pair.town)["household"], syncable_rows(pair.district)["household"]
    assert [r[0] for r in town] == [r[0] for r in district]
    con = sqlite3.connect(pair.district.path)
    try:
        assert {r[0] for r in con.execute("SELECT note FROM household")} == {None}
        assert "旧版本程序的地址" in {r[0] for r in con.execute("SELECT address FROM household")}
    finally:
        con.close()


def _open(pair: Pair, package: Path) -> Path:
    inner = pair.root / f"{package.name}.zip"
    inner.unlink(missing_ok=True)
    envelope.open_to_file(package, inner, _keys(pair.district).enc_private)
    return inner


@pytest.mark.parametrize("years", [-10, 10])
def test_a_township_clock_ten_years_off_changes_nothing(pair: Pair, years: int, tmp_path: Path) -> None:
    """The sender's clock only labels a package (created_at): ±10 years imports exactly as the
    true time does, with a warning to check the sender's date (the honest package has none)."""
    _edit_first_household(pair.town, "时钟不准的电脑")
    package = pair.export()
    with Container(_open(pair, package)) as c:
        when = datetime.fromisoformat(c.manifest["created_at"]) + timedelta(days=365 * years)
    skewed = _resigned(pair, package, f"skew{years}", manifest={"created_at": when.isoformat()})
    twin = open_database(backup_file(pair.district.path, tmp_path / "twin" / "district.db"))
    try:
        honest = import_package(twin, package, actor="同步")
        rep = import_package(pair.district, skewed, actor="同步")
        assert rep.new_records == honest.new_records > 0 and rep.compared and rep.problems == ()
        assert syncable_rows(pair.district) == syncable_rows(twin)
        assert _vector(pair.district) == _vector(twin)
        assert clock_warning(honest.created_at) is None
        warning = clock_warning(rep.created_at)
        side = "晚" if years > 0 else "早"  # a clock ahead stamps a time later than ours
        assert warning is not None and f"比本机时间{side}约 36" in warning and "不影响导入" in warning
    finally:
        twin.close()



def test_the_next_run_clears_what_killed_runs_left(pair: Pair) -> None:
    package = pair.export()
    town_path, district_path = pair.town.path, pair.district.path
    pair.town.close()
    pair.district.close()
    try:
        assert _run(_export_code(town_path, district_path, pair.stick), "before-rename").returncode == 70
        code = ("import desktop_app.sync\nfrom pathlib import Path\nfrom db.migrate import open_database\n"
                "from desktop_app.sync.apply import import_package\n"
                f"db = open_database(Path({str(district_path)!r}))\n"
                f"import_package(db, Path({str(package)!r}), actor='同步')\n")
        assert _run(code, "mid-apply").returncode == 70
    finally:
        pair.town, pair.district = open_database(town_path), open_database(district_path)
    import_package(pair.district, package, actor="同步")
    pair.export()
    assert [p.name for p in pair.stick.iterdir() if p.name.endswith(".part")] == []
    assert list((town_path.parent / "sync" / "tmp").glob("export-*")) == []
    assert list(district_path.parent.glob(".sync-import-*.tmp")) == []
