"""CLI commands of each area. A module here defines ``register(sub, add)``; ``cli.py``
discovers them, so an area adds its commands without editing the shared parser.

``add(name, handler, help_text)`` creates a subcommand that already has ``--db``; the
handler gets the parsed namespace and returns the exit status.
"""
