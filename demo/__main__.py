"""`python -m demo --out exports --size S --seed 7`: write the demo organisation's exports."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from .marker import ForeignFilesError, write_demo


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m demo", description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("exports"), help="exports folder (default: exports)")
    parser.add_argument("--size", default="S", help="S, M, L or a scale factor such as 0.25 (default: S)")
    parser.add_argument("--seed", type=int, default=7, help="random seed (default: 7)")
    parser.add_argument("--force", action="store_true", help="write even into a folder holding other files")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        counts = write_demo(args.out, args.size, args.seed, args.force)
    except ForeignFilesError as error:
        raise SystemExit(f"Demo not written: {error}") from None
    if counts is None:
        print(f"The demo in {args.out} is unchanged (size {args.size}, seed {args.seed}): nothing rewritten.")
        return
    elapsed = time.perf_counter() - started
    width = max(len(kind) for kind in counts)
    for kind, count in counts.items():
        print(f"{kind:<{width}}  {count:>10,}")
    print(
        f"Wrote the demo organisation (size {args.size}, seed {args.seed}) to {args.out} in {elapsed:.1f} s."
    )


if __name__ == "__main__":
    main()
