"""The sync package envelope against the machine's limit: time and peak memory for a big payload.

    .venv/bin/python bench/bench_envelope.py [--mb 200] [--runs 3] [--whole]

Writes a random payload of ``--mb`` MB in a temp dir, then each measurement runs in its own
child process (so its peak RSS, ``ru_maxrss``, is its own):

- ``seal``  envelope.seal of the payload file into a package file (1 MiB chunks);
- ``open``  envelope.open_sealed of that package into an output file;
- ``raw``   the raw limit: ChaCha20-Poly1305 over the same bytes, read in 1 MiB pieces and
            written to a file, no header, no framing, no key agreement;
- ``sha256`` SHA-256 of the payload file, read in 1 MiB pieces;
- ``idle``  the child with the same imports doing nothing (the RSS floor);
- ``whole`` (with --whole) ChaCha20-Poly1305 of the whole file read into memory at once: what
            memory looks like when a package is not streamed.

Printed: median seconds and MB/s of each, the ratios seal/raw and open/raw, and peak RSS
beside the idle floor (flat memory means seal/open stay within a few MiB of it whatever --mb).
The machine is shared: quote medians and ratios.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PIECE = 1 << 20


def _child(mode: str, payload: Path, package: Path, out: Path, keys: dict[str, str]) -> None:
    from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

    from desktop_app.sync import envelope

    start = time.perf_counter()
    if mode == "seal":
        with payload.open("rb") as s, package.open("wb") as d:
            envelope.seal(s, d, bytes.fromhex(keys["public"]))
    elif mode == "open":
        with package.open("rb") as s, out.open("wb") as d:
            envelope.open_sealed(s, d, bytes.fromhex(keys["private"]))
    elif mode == "raw":
        aead = ChaCha20Poly1305(os.urandom(32))
        counter = 0
        with payload.open("rb") as s, out.open("wb") as d:
            while piece := s.read(PIECE):
                d.write(aead.encrypt(counter.to_bytes(12, "big"), piece, None))
                counter += 1
    elif mode == "whole":
        aead = ChaCha20Poly1305(os.urandom(32))
        with out.open("wb") as d:
            d.write(aead.encrypt(bytes(12), payload.read_bytes(), None))
    elif mode == "sha256":
        digest = hashlib.sha256()
        with payload.open("rb") as s:
            while piece := s.read(PIECE):
                digest.update(piece)
    elif mode != "idle":
        raise SystemExit(f"unknown mode {mode}")
    seconds = time.perf_counter() - start
    rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"seconds": seconds, "rss_mb": rss_kb / 1024}))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while piece := f.read(PIECE):
            digest.update(piece)
    return digest.hexdigest()


def _measure(mode: str, work: Path, keys: dict[str, str]) -> dict[str, float]:
    args = [sys.executable, __file__, "--child", mode, "--work", str(work), "--keys", json.dumps(keys)]
    done = subprocess.run(args, check=True, capture_output=True, text=True)
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--mb", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--whole", action="store_true")
    parser.add_argument("--child")
    parser.add_argument("--work")
    parser.add_argument("--keys")
    args = parser.parse_args()
    if args.child:
        work = Path(args.work)
        _child(
            args.child, work / "payload.zip", work / "package.slsync", work / "out.bin", json.loads(args.keys)
        )
        return

    from db.keys import new_key_pairs

    pairs = new_key_pairs()
    keys = {"public": pairs.enc_public.hex(), "private": pairs.enc_private.hex()}
    with tempfile.TemporaryDirectory(prefix="bench_envelope_") as tmp:
        work = Path(tmp)
        payload = work / "payload.zip"
        with payload.open("wb") as f:
            for _ in range(args.mb):
                f.write(os.urandom(1_000_000))
        size = payload.stat().st_size
        modes = ["idle", "sha256", "raw", *(["whole"] if args.whole else []), "seal", "open"]
        results: dict[str, list[dict[str, float]]] = {m: [] for m in modes}
        for _ in range(args.runs):
            for mode in modes:
                results[mode].append(_measure(mode, work, keys))
        if _sha256(work / "out.bin") != _sha256(payload):  # "open" ran last
            raise SystemExit("round trip failed: the opened package differs from the payload")
        package_size = (work / "package.slsync").stat().st_size

    def med(mode: str, key: str) -> float:
        return statistics.median(r[key] for r in results[mode])

    print(f"payload {size / 1e6:.0f} MB, package {package_size / 1e6:.3f} MB, {args.runs} runs (medians)")
    print(f"{'':8} {'seconds':>8} {'MB/s':>8} {'peak RSS MB':>12} {'RSS - idle':>11}")
    floor = med("idle", "rss_mb")
    for mode in modes:
        secs, rss = med(mode, "seconds"), med(mode, "rss_mb")
        rate = "-" if mode == "idle" else f"{size / 1e6 / secs:.0f}"
        print(f"{mode:8} {secs:8.3f} {rate:>8} {rss:12.1f} {rss - floor:11.1f}")
    raw = med("raw", "seconds")
    sha = med("sha256", "seconds")
    for mode in ("seal", "open"):
        print(
            f"{mode}/raw chacha20poly1305: {med(mode, 'seconds') / raw:.2f}x   {mode}/sha256: "
            f"{med(mode, 'seconds') / sha:.2f}x"
        )


if __name__ == "__main__":
    main()
