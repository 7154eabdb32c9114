"""On demand: hundreds of generated worlds, each figure of the platform against the oracle.

    .venv/bin/python bench/oracle_seeds.py [--seeds 500] [--first 1] [--thorough]
        [--pages-every 50] [--no-shrink]

Each seed's world is loaded into its own transaction on a dedicated PostgreSQL database
(equalex_bench_oracle, or DATABASE_URL) and rolled back. For every seed that disagrees it
prints the disagreements and a minimal reproduction: the world shrunk (pupils, then
experiences, dropped while the disagreement persists) and its remaining rows, ready to
paste into a regression test. Ends with the number of seeds, the clean count and the time.
"""

import argparse
import sys
import time
from pathlib import Path

from _setup import django_on_bench_database

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def disagreements_of(world, thorough: bool, pages: bool = False) -> list[str]:
    """The selectors' and builders' figures against the oracle; with `pages`, also every
    page, API response and report (JSON, CSV, PDF text) of the world."""
    from django.db import transaction

    from tests.oracle.full import surface_disagreements
    from tests.oracle.load import load
    from tests.oracle.platform import function_disagreements

    with transaction.atomic():
        loaded = load(world)
        found = function_disagreements(loaded, thorough=thorough)
        if pages:
            found += surface_disagreements(loaded)
        transaction.set_rollback(True)
    return found


def shrink(world, thorough: bool, pages: bool = False):
    """Drop pupils then experiences, in halving chunks, while the world still disagrees."""
    from tests.oracle.world import without

    for kind in ("pupils", "experiences"):
        chunk = max(1, len(getattr(world, kind)) // 2)
        while chunk >= 1:
            ids, start = [row.id for row in getattr(world, kind)], 0
            while start < len(ids):
                smaller = without(world, **{kind: ids[start : start + chunk]})
                if smaller.pupils and disagreements_of(smaller, thorough, pages):
                    world, ids = smaller, ids[:start] + ids[start + chunk :]
                else:
                    start += chunk
            chunk //= 2
    return world


def reproduction(world) -> str:
    from tests.oracle.world import keep_referenced

    world = keep_referenced(world)
    lines = [f"as_at = {world.as_at!r}"]
    for kind in ("hubs", "schools", "employers", "pupils", "experiences", "participations"):
        lines += [f"  {row!r}" for row in getattr(world, kind)]
    return "\n".join(lines)


def _sectors_committed():
    """The worlds' sectors, committed once: each seed's transaction then only reads them,
    so two runs side by side do not wait on each other's inserts."""
    from django.utils.text import slugify

    from hubs.models import Sector
    from tests.oracle.world import SECTOR_NAMES

    for name in SECTOR_NAMES:
        Sector.objects.get_or_create(name=name, defaults={"slug": slugify(name)})


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=500)
    parser.add_argument("--first", type=int, default=1)
    parser.add_argument("--thorough", action="store_true", help="every pupil's record")
    parser.add_argument(
        "--pages-every", type=int, default=50, help="pages, API and reports every Nth seed"
    )
    parser.add_argument("--no-shrink", action="store_true")
    args = parser.parse_args()
    django_on_bench_database("equalex_bench_oracle")
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["testserver", "*"]
    from tests.conftest import ensure_reference_data
    from tests.oracle.world import generate

    ensure_reference_data()
    _sectors_committed()
    started, failing = time.perf_counter(), []
    for seed in range(args.first, args.first + args.seeds):
        world = generate(seed)
        pages = bool(args.pages_every) and seed % args.pages_every == 0
        found = disagreements_of(world, args.thorough, pages)
        if found:
            failing.append(seed)
            print(f"seed {seed}: {len(found)} disagreements", flush=True)
            for line in found[:20]:
                print(f"    {line}")
            if not args.no_shrink:
                small = shrink(world, args.thorough, pages)
                print(f"  minimal reproduction of seed {seed}:")
                print(f"    {disagreements_of(small, args.thorough, pages)[:5]}")
                print("    " + reproduction(small).replace("\n", "\n    "), flush=True)
        done = seed - args.first + 1
        if done % 25 == 0:
            print(f"  ... {done} seeds, {time.perf_counter() - started:.0f}s", flush=True)
    elapsed = time.perf_counter() - started
    paged = sum(
        1 for s in range(args.first, args.first + args.seeds) if s % (args.pages_every or 1) == 0
    )
    print(
        f"{args.seeds} seeds ({args.first}-{args.first + args.seeds - 1}; pages, API and "
        f"reports too on {paged if args.pages_every else 0}), "
        f"{args.seeds - len(failing)} clean, {len(failing)} disagreeing {failing}, "
        f"{elapsed:.0f}s ({elapsed / args.seeds:.2f}s a seed)"
    )
    sys.exit(1 if failing else 0)


if __name__ == "__main__":
    main()
