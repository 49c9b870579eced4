"""Window state (geometry, splitter, column widths, last organisation) in a JSON file written atomically."""

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
