"""The sync page's drive list: every place offered is mounted and readable, removable ones first."""

from __future__ import annotations

import os

from desktop_app.sync.drives import list_drives


def test_drives_are_readable_and_removable_first() -> None:
    drives = list_drives()
    assert drives, "at least the system disk is offered"
    assert all(os.access(d.path, os.R_OK) for d in drives)
    flags = [d.removable for d in drives]
    assert flags == sorted(flags, reverse=True)  # True (removable) before False
    assert all(("U盘" in d.label) == d.removable for d in drives)
    assert len({d.path for d in drives}) == len(drives)
