"""Where a USB stick may be: mounted volumes, removable ones first (Qt-free, for the sync page).

Windows asks ``GetDriveTypeW`` (DRIVE_REMOVABLE); Linux reads ``/sys/block/*/removable`` for the
device behind each mount in ``/proc/mounts``; macOS treats ``/Volumes/*`` as removable. Anything
else mounted that a person could pick (home, other disks) follows, so a folder is always offered.
"""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

_SKIP_FS = {"proc", "sysfs", "tmpfs", "devtmpfs", "devpts", "cgroup", "cgroup2", "overlay", "squashfs",
            "securityfs", "pstore", "bpf", "tracefs", "debugfs", "mqueue", "hugetlbfs", "fusectl",
            "configfs", "autofs", "binfmt_misc", "rpc_pipefs", "nsfs", "efivarfs", "ramfs"}


@dataclass(frozen=True)
class Drive:
    path: Path
    label: str  # shown to the user, e.g. "U盘 (E:)  剩余 3.2 GB"
    removable: bool
    free_bytes: int


def _free(path: Path) -> int:
    try:
        return shutil.disk_usage(path).free
    except OSError:
        return -1


def _size_text(n: int) -> str:
    if n < 0:
        return "不可用"
    return f"剩余 {n / 1024 ** 3:.1f} GB" if n >= 1024 ** 3 else f"剩余 {n / 1024 ** 2:.0f} MB"


def _windows() -> list[tuple[Path, bool]]:
    import ctypes
    import string

    kernel = ctypes.windll.kernel32  # type: ignore[attr-defined]
    mask = kernel.GetLogicalDrives()
    found = []
    for i, letter in enumerate(string.ascii_uppercase):
        if mask & (1 << i):
            root = f"{letter}:\\"
            kind = kernel.GetDriveTypeW(root)
            if kind in (2, 3):  # DRIVE_REMOVABLE, DRIVE_FIXED (USB disks often report fixed)
                found.append((Path(root), kind == 2))
    return found


def _linux_removable(device: str) -> bool:
    """The disk's ``removable`` flag; a partition (``sdb1``) reads its disk's (``sdb``)."""
    block = (Path("/sys/class/block") / os.path.basename(os.path.realpath(device))).resolve()
    for node in (block, block.parent):
        try:
            return (node / "removable").read_text().strip() == "1"
        except OSError:
            continue
    return False


def _linux() -> list[tuple[Path, bool]]:
    found: list[tuple[Path, bool]] = []
    try:
        lines = Path("/proc/mounts").read_text().splitlines()
    except OSError:
        return found
    for line in lines:
        parts = line.split()
        if len(parts) < 3 or parts[2] in _SKIP_FS:
            continue
        device, mount = parts[0], parts[1].replace("\\040", " ")
        if mount.startswith(("/proc", "/sys", "/dev", "/run/user", "/snap", "/boot")):
            continue
        removable = device.startswith("/dev/") and _linux_removable(device)
        removable = removable or mount.startswith(("/media/", "/run/media/", "/mnt/"))
        found.append((Path(mount), removable))
    return found


def _mac() -> list[tuple[Path, bool]]:
    volumes = Path("/Volumes")
    return [(p, True) for p in sorted(volumes.iterdir()) if p.is_dir()] if volumes.is_dir() else []


def list_drives() -> list[Drive]:
    """Mounted places to write a package to or read one from: removable first, then the rest."""
    if sys.platform == "win32":
        raw = _windows()
    elif sys.platform == "darwin":
        raw = _mac()
    else:
        raw = _linux()
    seen: set[Path] = set()
    drives = []
    for path, removable in raw:
        if path in seen or not os.access(path, os.R_OK):
            continue
        seen.add(path)
        free = _free(path)
        label = f"{'U盘/移动磁盘' if removable else '本机磁盘'}  {path}  {_size_text(free)}"
        drives.append(Drive(path, label, removable, free))
    drives.sort(key=lambda d: (not d.removable, str(d.path)))
    return drives
