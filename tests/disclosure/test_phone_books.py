"""Phone images of a village with two 账套 (issue #20): each book is its own series, named by the
book and numbered 第1/n张 … within it, with its own 长图(s); a 长图 stays short enough for the
common viewers (ImageMagick's packaged policy refuses taller than 16,000 px)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from desktop_app.cli import main
from desktop_app.core.services.orgs import list_books
from desktop_app.reports.disclosure.phone import disclose_images
from desktop_app.reports.disclosure.phone_render import LONG_MAX_PX, image_stem, long_parts, write_images

from .conftest import PERIOD, Village


def _texts(ops: tuple[object, ...]) -> list[str]:
    return [str(op[3]) for op in ops if op[0] == "t"]  # type: ignore[index]


def test_each_book_is_its_own_series(village: Village, tmp_path: Path) -> None:
    with village.db.begin() as s:
        books = list_books(s, village.org.id)
        phone = disclose_images(s, village.org.id, PERIOD)
    assert len(books) == 2 and {b.name for b in books} == {i.book_name for i in phone.images}
    pngs, longs = write_images(phone, tmp_path)
    assert len(pngs) == len(phone.images)
    by_name = {p.name: p for p in pngs}
    for book in books:
        mine = [i for i in phone.images if i.book_id == book.id]
        n = len(mine)
        assert [i.number for i in mine] == list(range(1, n + 1)) and {i.total for i in mine} == {n}
        for image in mine:  # what is drawn: the book's title and its own 第k/n张
            texts = _texts(image.ops)
            assert book.name in texts[0]
            assert f"财务公开 · {phone.period.label} · 第{image.number}/{n}张" in texts
        stem = image_stem(village.org.region_code, book.name, PERIOD)
        assert book.name in stem
        names = [f"{stem}_第{k:02d}张.png" for k in range(1, n + 1)]
        assert all(name in by_name for name in names)
        first = mine[0]
        with Image.open(by_name[names[0]]) as png:  # the file holds that book's first image (its QR)
            assert [c.text for c in zxingcpp.read_barcodes(png)] == [first.payload]
        own_longs = [p for p in longs if p.name.startswith(stem + "_长图")]
        assert own_longs, [p.name for p in longs]
        total = 0
        for path in own_longs:
            with Image.open(path) as long:
                assert long.width == 1080 and long.height <= LONG_MAX_PX
                total += long.height
        assert total == 2340 * n  # every image of the book, and only those
    assert len({i.payload for i in phone.images}) == 2  # each series carries its own book's seal


def test_long_images_stay_under_the_viewers_limit(tmp_path: Path) -> None:
    images = [Image.new("L", (1080, 2340), 255) for _ in range(11)]  # 25,740 px: the reviewer's 长图
    parts = long_parts(images)
    assert [len(p) for p in parts] == [6, 5] and LONG_MAX_PX <= 16_000
    assert all(sum(i.height for i in p) <= LONG_MAX_PX for p in parts)
    assert [len(p) for p in long_parts(images[:7])] == [4, 3]  # evened out, no lone last image
    assert [len(p) for p in long_parts(images[:6])] == [6]  # 14,040 px: one 长图
    mixed = [Image.new("L", (1080, h), 255) for h in (9000, 2000, 2000, 9000)]
    assert all(sum(i.height for i in p) <= LONG_MAX_PX for p in long_parts(mixed))


def test_imagemagick_opens_the_long_images(village: Village, tmp_path: Path) -> None:
    with village.db.begin() as s:
        phone = disclose_images(s, village.org.id, PERIOD)
    _, longs = write_images(phone, tmp_path)
    assert len(longs) >= 2  # one series per book, at least
    for path in longs:
        run = subprocess.run(["identify", "-format", "%w %h", str(path)], capture_output=True, text=True,
                             check=False)
        assert run.returncode == 0, run.stderr
        w, h = map(int, run.stdout.split())
        assert w == 1080 and h <= LONG_MAX_PX


def test_cli_names_both_books(village: Village, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUNSHINE_LEDGER_PASSWORD", "demo1234")
    out, db = tmp_path / "imgs", str(village.db.engine.url.database)
    assert main(["--user", "kuaiji", "disclose", "--db", db, "--org", village.org.uscc, "--period", PERIOD,
                 "--images", str(out)]) == 0
    printed = capsys.readouterr().out
    with village.db.begin() as s:
        books = list_books(s, village.org.id)
    for book in books:
        stem = image_stem(village.org.region_code, book.name, PERIOD)
        mine = sorted(out.glob(f"{stem}_第*张.png"))
        assert mine and mine[0].name == f"{stem}_第01张.png"
        assert f"{book.name}：{len(mine)}张" in printed
        assert list(out.glob(f"{stem}_长图*.png"))
