"""Where the program finds its area modules (CLI commands, pages, disclosure sections).

From a source checkout the package folders are listed; a PyInstaller build keeps modules in
an archive that ``pkgutil`` cannot list, so ``build.spec`` writes the names it collected into
``discovered-modules.json`` beside the bundled resources.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
from functools import cache
from pathlib import Path
from types import ModuleType

from desktop_app import paths

MANIFEST = "discovered-modules.json"
DISCOVERED = ("desktop_app.commands", "desktop_app.ui.pages", "desktop_app.reports.disclosure.sections")


def build_manifest(source_root: Path) -> dict[str, list[str]]:
    """What ``build.spec`` bundles: the modules of each discovered package, read from the
    source folders (nothing needs to be importable at build time)."""
    return {
        pkg: sorted(p.stem for p in (source_root / pkg.replace(".", "/")).glob("*.py") if p.stem != "__init__")
        for pkg in DISCOVERED
    }


@cache
def _manifest() -> dict[str, list[str]]:
    data = json.loads((paths.resources_dir() / MANIFEST).read_text(encoding="utf-8"))
    return {str(k): [str(n) for n in v] for k, v in data.items()}


def submodule_names(package: ModuleType) -> list[str]:
    """Names (without the package prefix) of the modules directly inside ``package``, sorted."""
    if paths.is_frozen():
        return sorted(_manifest().get(package.__name__, []))
    return sorted(info.name for info in pkgutil.iter_modules(package.__path__))


def import_submodules(package: ModuleType) -> list[ModuleType]:
    return [importlib.import_module(f"{package.__name__}.{name}") for name in submodule_names(package)]
