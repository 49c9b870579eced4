"""Area modules are found the same way from source and from a PyInstaller bundle."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import desktop_app.commands
import desktop_app.reports.disclosure.sections
import desktop_app.ui.pages
from desktop_app import discovery, paths

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = (desktop_app.commands, desktop_app.ui.pages, desktop_app.reports.disclosure.sections)


def test_manifest_lists_what_the_source_tree_has() -> None:
    manifest = discovery.build_manifest(ROOT)
    assert set(manifest) == set(discovery.DISCOVERED)
    for package in PACKAGES:
        assert manifest[package.__name__] == discovery.submodule_names(package)
        assert manifest[package.__name__], f"{package.__name__} has no modules?"


def test_frozen_program_reads_the_manifest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / discovery.MANIFEST).write_text(json.dumps(discovery.build_manifest(ROOT)), encoding="utf-8")
    monkeypatch.setattr(paths, "is_frozen", lambda: True)
    monkeypatch.setattr(paths, "resources_dir", lambda: tmp_path)
    discovery._manifest.cache_clear()
    try:
        modules = discovery.import_submodules(desktop_app.commands)
        assert {m.__name__.rsplit(".", 1)[-1] for m in modules} >= {"funds", "assets", "contracts", "members"}
    finally:
        discovery._manifest.cache_clear()
