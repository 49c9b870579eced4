"""Window state (geometry, splitter, column widths, last organisation, the last folder of each kind of
file) in a JSON file written atomically."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any


class WindowSettings:
    """A small key/value store; every ``set`` writes the file via temp file + rename."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self._data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(self._data, dict):
                self._data = {}
        except (OSError, ValueError):
            self._data = {}  # a missing or damaged settings file only costs the window layout

    def get(self, key: str, default: Any = None) -> Any:
        return self._data.get(key, default)

    def set(self, key: str, value: Any) -> None:
        if key in self._data and self._data[key] == value:
            return  # each save syncs the file to disk: nothing to write
        self._data[key] = value
        self.save()

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.name + ".tmp")
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(self._data, fh, ensure_ascii=False, indent=1)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.path)

    # -- the folder each kind of file was last opened from or saved to (ui.file_dialogs) ----------
    def last_folder(self, kind: str) -> Path | None:
        folder = self.get(f"folder:{kind}")
        if isinstance(folder, str) and folder and Path(folder).is_dir():
            return Path(folder)
        return None  # never chosen, or the U盘 it was on is gone

    def remember_folder(self, kind: str, chosen: str | Path) -> None:
        path = Path(chosen)
        self.set(f"folder:{kind}", str(path if path.is_dir() else path.parent))
