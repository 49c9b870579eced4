"""Ids that must be the same on every PC: made from the thing's own code, not at random."""

from __future__ import annotations

import uuid

# A fixed namespace of this program (uuid5 of its name): changing it would rename every region.
_REGION_NAMESPACE = uuid.UUID("6f1b0f55-3f7e-5a55-9c1e-2b0a3c0d6a11")


def region_id(code: str) -> uuid.UUID:
    """A 区划's id from its 12-digit code: two townships of one county registering 江苏省/南京市/
    江宁区 write the same rows, which the district then holds once."""
    return uuid.uuid5(_REGION_NAMESPACE, code)
