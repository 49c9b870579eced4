"""``python -m desktop_app`` starts the GUI; ``python -m desktop_app <command>`` runs the CLI."""

from __future__ import annotations

import sys


def main() -> int:
    argv = sys.argv[1:]
    gui_flags = {"--data-dir", "--db"}
    if not argv or (argv[0] in gui_flags):
        from desktop_app.app import run_gui

        return run_gui(argv)
    from desktop_app.cli import main as cli_main

    return cli_main(argv)


if __name__ == "__main__":
    sys.exit(main())
