"""Two real databases that trust each other: a demo township and an empty district (issue #12)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

import desktop_app.sync  # noqa: F401  (registers the district guard)
from db.engine import Database
from db.migrate import open_database
from desktop_app.sync import identity
from desktop_app.sync.apply import ImportReport, import_package
from desktop_app.sync.cards import parse_card
from desktop_app.sync.control import syncable_tables
from desktop_app.sync.export import ExportResult, export_package
from tests.conftest import copy_of


@dataclass
class SyncPair:
    town: Database
    district: Database
    stick: Path

    def export(self, src: Database, dst: Database) -> ExportResult:
        return export_package(src, dst.origin, self.stick, actor="tester", data_dir=src.path.parent)

    def carry(self, src: Database, dst: Database) -> tuple[ExportResult, ImportReport]:
        out = self.export(src, dst)
        assert out.path is not None, out.message
        return out, import_package(dst, out.path, actor="tester")


def trust_each_other(a: Database, b: Database) -> None:
    with a.begin("admin") as s:
        card_a = parse_card(identity.my_card(s)[1])
    with b.begin("admin") as s:
        card_b = parse_card(identity.my_card(s)[1])
        identity.trust_card(s, card_a, actor="admin")
    with a.begin("admin") as s:
        identity.trust_card(s, card_b, actor="admin")


def make_district(path: Path) -> Database:
    district = open_database(path)
    with district.begin("admin") as s:
        identity.set_site(s, "district", "江宁区经管站", "320115")
    return district


@pytest.fixture
def sync_pair(demo_template: Path, tmp_path: Path) -> Iterator[SyncPair]:
    town = open_database(copy_of(demo_template, tmp_path / "town"))
    district = make_district(tmp_path / "district" / "district.db")
    trust_each_other(town, district)
    stick = tmp_path / "stick"
    stick.mkdir()
    yield SyncPair(town, district, stick)
    town.close()
    district.close()


def syncable_rows(db: Database) -> dict[str, list[tuple[object, ...]]]:
    """Every syncable table's rows as stored, in id order."""
    con = sqlite3.connect(db.path)
    try:
        return {t.name: con.execute(f'SELECT * FROM "{t.name}" ORDER BY id').fetchall() for t in syncable_tables()}
    finally:
        con.close()


def dump(db: Database) -> list[str]:
    con = sqlite3.connect(db.path)
    try:
        return list(con.iterdump())
    finally:
        con.close()
