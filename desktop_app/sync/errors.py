"""Errors of USB sync packages: every refusal of a package is a ``PackageError`` with a Chinese reason.

The subclasses let callers (import command, GUI, tests) tell the reasons apart without parsing
messages; the message itself always says what happened and what to do next.
"""

from __future__ import annotations

from desktop_app.core.errors import UserError


class PackageError(UserError):
    """A sync package that cannot be read or applied; nothing was changed."""


class PackageIncomplete(PackageError):
    """The file ends early (copy interrupted, stick pulled, damaged stick)."""


class PackageDamaged(PackageError):
    """Bytes were changed: decryption or a hash/signature check failed."""


class NotAPackage(PackageError):
    """The file is not a 阳光台账 sync package at all."""


class PackageTooNew(PackageError):
    """Written by a newer program (format version or cipher suite unknown here)."""


class PackageNotForMe(PackageError):
    """Encrypted for another installation (recipient fingerprint differs)."""
