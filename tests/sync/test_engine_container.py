"""A package member read in blocks gives exactly its lines (desktop_app/sync/container.py)."""

from __future__ import annotations

import json

from desktop_app.sync import envelope, identity
from desktop_app.sync.container import Container
from tests.sync.conftest import SyncPair


def test_json_blocks_hold_exactly_the_lines_whatever_the_block_size(sync_pair: SyncPair) -> None:
    out = sync_pair.export(sync_pair.town, sync_pair.district)
    assert out.path is not None
    with sync_pair.district.read() as s:
        private = identity.my_keys(s).enc_private
    inner = out.path.with_suffix(".inner")
    envelope.open_to_file(out.path, inner, private)
    with Container(inner) as c:
        lines = list(c.iter_lines("changes.jsonl.zst"))
        assert len(lines) == out.changes + out.rows
        assert any(not line.isascii() for line in lines)  # Chinese text: blocks cut inside characters
        for size in (7, 4096, 1 << 20):
            blocks = [json.loads(block) for block in c.iter_json_arrays("changes.jsonl.zst", size)]
            assert [o for block in blocks for o in block] == [json.loads(line) for line in lines]
            assert all(blocks)
        assert list(c.iter_json_arrays("no such member")) == []
