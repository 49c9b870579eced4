"""Disclosure sections: one module each, registered by a module-level ``SECTION`` (see registry.py).

Modules whose name starts with ``_`` are helpers and are not scanned.
"""
