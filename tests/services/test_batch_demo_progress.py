"""The demo reports its progress often (every month of every book), on one rising 0–1000 scale,
so the first-run progress bar moves instead of a silent wait."""

from __future__ import annotations

from pathlib import Path

from db.migrate import open_database
from desktop_app.core.demo import build_demo
from desktop_app.core.progress import Progress


def test_demo_reports_every_month_and_book(tmp_path: Path) -> None:
    seen: list[tuple[int, int, str]] = []
    db = open_database(tmp_path / "demo.db")
    try:
        with db.begin("demo") as s:
            summary = build_demo(s, villages=1, years=1, progress=Progress(
                lambda done, total, text: seen.append((done, total, text)), min_interval=0))
    finally:
        db.close()
    assert all(total == 1000 for _, total, _ in seen)
    assert [d for d, _, _ in seen] == sorted(d for d, _, _ in seen)  # never goes back
    assert seen[0][0] == 0 and seen[-1] == (1000, 1000, "示例数据已生成")
    months = [text for _, _, text in seen if "逐月业务与结账（2026年" in text]
    assert len(months) == 11 * summary.books  # January … November of every book
    assert any("2026年6月" in text for text in months)
