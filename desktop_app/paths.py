"""Where things live: the single source of truth for data, resources, logs and settings.

No Qt here, so the CLI runs without a display. Precedence for the data folder:
``--data-dir`` > the ``SUNSHINE_LEDGER_DATA`` environment variable > ``portable.txt``
beside the program (keeps data beside it, e.g. on a USB stick) > the platform default.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ENV_DATA_DIR = "SUNSHINE_LEDGER_DATA"
DB_FILE_NAME = "ledger.db"


def is_frozen() -> bool:
    return bool(getattr(sys, "frozen", False))


def program_dir() -> Path:
    """The folder of the executable (frozen) or of the source checkout."""
    if is_frozen():
        return Path(sys.executable).resolve().parent
    return Path(__file__).resolve().parents[1]


def resources_dir() -> Path:
    if is_frozen():
        return Path(getattr(sys, "_MEIPASS", program_dir())) / "resources"
    return Path(__file__).resolve().parents[1] / "resources"


def font_path() -> Path:
    return resources_dir() / "fonts" / "wqy-microhei.ttc"


def _platform_data_dir() -> Path:
    if sys.platform.startswith("win"):
        base = os.environ.get("LOCALAPPDATA") or os.environ.get("APPDATA") or str(Path.home())
        return Path(base) / "SunshineLedger"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "SunshineLedger"
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "sunshine-ledger"


def data_dir(override: str | os.PathLike[str] | None = None) -> Path:
    if override:
        path = Path(override)
    elif os.environ.get(ENV_DATA_DIR):
        path = Path(os.environ[ENV_DATA_DIR])
    elif (program_dir() / "portable.txt").exists():
        path = program_dir() / "data"
    else:
        path = _platform_data_dir()
    return path.expanduser().resolve()


def default_db_path(override_data_dir: str | os.PathLike[str] | None = None) -> Path:
    return data_dir(override_data_dir) / DB_FILE_NAME


def log_dir(base: Path) -> Path:
    return base / "logs"


def backup_dir(base: Path) -> Path:
    return base / "backups"


def settings_path(base: Path) -> Path:
    """Window state (geometry, last organisation); business settings live in the database."""
    return base / "window-settings.json"
