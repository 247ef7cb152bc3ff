"""``python -m benchmarks [--quick] [--only B1,B3] [--against DIR]``: run the suite and print each
benchmark's table, its targets (met or missed) and notes."""

from __future__ import annotations

import os

# One BLAS thread for every NumPy contender (the hand code and the replay alike): set before NumPy
# is imported, since OpenBLAS and MKL read these once; threadpoolctl, when installed, also pins
# a library loaded before (and reports what it found).
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import argparse  # noqa: E402
import datetime  # noqa: E402
from pathlib import Path  # noqa: E402
import platform  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from contextlib import nullcontext  # noqa: E402
from typing import Any, Sequence  # noqa: E402

import numpy as np  # noqa: E402

from . import b1_moons, b2_scaling, b3_chain, b4_memory, b5_replay, b6_playground, b7_fit  # noqa: E402

BENCHMARKS = {"B1": b1_moons, "B2": b2_scaling, "B3": b3_chain, "B4": b4_memory, "B5": b5_replay,
              "B6": b6_playground, "B7": b7_fit}


def _names(text: str) -> list[str]:
    names = [name.strip().upper() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in BENCHMARKS]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"unknown benchmark {', '.join(unknown) or text!r}; choose from {', '.join(BENCHMARKS)}")
    return names


def machine() -> str:
    """One line naming the machine, the interpreter and the date, for the README's figures."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            cpu = next(line.split(":", 1)[1].strip() for line in info if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return (f"{cpu} ({os.cpu_count()} CPUs), Python {platform.python_version()}, NumPy {np.__version__}, "
            f"{platform.system()}, {datetime.date.today().isoformat()}")


def one_blas_thread() -> tuple[Any, str]:
    """A context pinning BLAS to one thread, and a line saying how."""
    variables = ", ".join(f"{v}={os.environ.get(v)}" for v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS",
                                                                 "MKL_NUM_THREADS"))
    try:
        from threadpoolctl import threadpool_info, threadpool_limits
    except ImportError:
        return nullcontext(), f"BLAS threads: {variables} (set before NumPy's import; threadpoolctl not installed)"
    limits = threadpool_limits(limits=1)
    found = ", ".join(f"{i['internal_api']} {i['num_threads']} thread(s)" for i in threadpool_info()) or "no BLAS found"
    return limits, f"BLAS threads: {variables} and threadpoolctl.threadpool_limits(1): {found}"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the chosen benchmarks and print their reports; returns the exit status (0)."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes and fewer repeats (about a minute)")
    parser.add_argument("--only", type=_names, default=list(BENCHMARKS), metavar="B1,B3",
                        help="run only these benchmarks")
    parser.add_argument("--against", type=Path, metavar="DIR",
                        help="B1 also times the nn.MLP step on the engine of another checkout (e.g. `git archive` of "
                             "an older commit unpacked in DIR), against this one's, each in a worker process")
    args = parser.parse_args(argv)
    if args.against is not None and not (args.against / "nn" / "__init__.py").is_file():
        parser.error(f"--against: {args.against} holds no nn package")
    b1_moons.AGAINST = args.against
    limits, threads = one_blas_thread()
    print(machine())
    print(threads)
    with limits:
        for name in args.only:
            start = time.perf_counter()
            section = BENCHMARKS[name].run(args.quick)
            print(f"\n{section.render()}\n({time.perf_counter() - start:.0f} s)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
