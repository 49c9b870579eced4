"""Where disclosure PDFs go: file names for a batch folder, and writing without half-written files."""

from __future__ import annotations

import os
from pathlib import Path


def village_file_name(region_code: str, name: str, period_code: str) -> str:
    """``320115106201_东湖村股份经济合作社_财务公开_2026-10.pdf`` (sorts by 区划代码)."""
    safe = "".join(ch for ch in name if ch not in '\\/:*?"<>|').strip()
    return f"{region_code}_{safe}_财务公开_{period_code}.pdf"


def write_atomically(path: Path, data: bytes) -> None:
    """Temp file, fsync, rename: a crash never leaves a truncated PDF under the real name."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
