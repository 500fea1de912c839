"""Speed of the numerical core: the explorer's race and a hyperparameter sweep.

Run with ``python benchmarks/bench_core.py``. It prints the median time of

* a race of SGD, Adagrad, RMSProp and Adam, 1000 steps each, one run each, on
  Rosenbrock (the explorer recomputes this on every slider move): target < 10 ms;
* a 100 x 100 (lr, beta) sweep of RMSProp on Rosenbrock, 500 steps: target < 50 ms.
  ``sweep`` compiles its loop with numba when numba is installed (the ``fast`` extra);
  the same sweep with ``backend="numpy"`` (in-place numpy calls) is printed too, and
  the time numba takes to compile the loop on first use, with an empty cache;

and, when torch is installed, the same work done with torch in the same process, as a
ratio (torch.optim for the race; for the sweep, torch tensors holding all 10,000 runs,
since torch.optim takes one learning rate per parameter group).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable

import numpy as np

import rmsprop_viz as rv

RACE_STEPS = 1000
SWEEP_STEPS = 500
SWEEP_SIDE = 100
START = (-1.5, 2.5)
RACE_TARGET_MS = 10.0
SWEEP_TARGET_MS = 50.0


def median_ms(work: Callable[[], object], repeats: int, warmup: int = 2) -> float:
    """Median wall time of ``work()`` in milliseconds."""
    for _ in range(warmup):
        work()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return 1e3 * statistics.median(times)


def race_ours() -> None:
    surface = rv.Rosenbrock()
    rv.race(
        surface,
        {"SGD": rv.sgd(1.5e-3), "Adagrad": rv.adagrad(0.3), "RMSProp": rv.rmsprop(0.01), "Adam": rv.adam(0.05)},
        start=START,
        n_steps=RACE_STEPS,
    )


def sweep_grid() -> dict[str, np.ndarray]:
    return {"lr": np.geomspace(1e-4, 1.0, SWEEP_SIDE), "beta": np.linspace(0.0, 0.999, SWEEP_SIDE)}


def sweep_ours(backend: str = "auto") -> None:
    rv.sweep(
        rv.Rosenbrock(),
        rv.rmsprop,
        grid=sweep_grid(),
        start=START,
        n_steps=SWEEP_STEPS,
        metric="final",
        backend=backend,
    )


def numba_compile_s() -> float | None:
    """Seconds the first numba sweep takes in a fresh process with an empty cache."""
    from rmsprop_viz.engine.accel import compiled as _compiled

    if not _compiled.available():
        return None
    code = (
        "import time, numpy as np, rmsprop_viz as rv\n"
        "start = time.perf_counter()\n"
        "rv.sweep(rv.Rosenbrock(), rv.rmsprop, grid={'lr': [0.01], 'beta': [0.9]}, n_steps=2, backend='numba')\n"
        "print(time.perf_counter() - start)\n"
    )
    with tempfile.TemporaryDirectory() as cache:
        out = subprocess.run(
            [sys.executable, "-c", code], env={**os.environ, "RMSPROP_VIZ_CACHE": cache}, capture_output=True, text=True
        )
    return float(out.stdout) if out.returncode == 0 else None


def torch_race() -> Callable[[], None] | None:
    try:
        import torch
    except ImportError:
        return None

    def grad(p: torch.Tensor) -> torch.Tensor:
        x, y = p[0], p[1]
        r = y - x * x
        return torch.stack([-2.0 * (1.0 - x) - 400.0 * x * r, 200.0 * r])

    def work() -> None:
        makers = [
            lambda ps: torch.optim.SGD(ps, lr=1.5e-3, foreach=False),
            lambda ps: torch.optim.Adagrad(ps, lr=0.3, foreach=False),
            lambda ps: torch.optim.RMSprop(ps, lr=0.01, alpha=0.9, eps=1e-8, foreach=False),
            lambda ps: torch.optim.Adam(ps, lr=0.05, foreach=False),
        ]
        for make in makers:
            p = torch.tensor(START, dtype=torch.float64, requires_grad=True)
            opt = make([p])
            history = [p.detach().clone()]
            for _ in range(RACE_STEPS):
                with torch.no_grad():
                    p.grad = grad(p)
                opt.step()
                history.append(p.detach().clone())
            torch.stack(history)

    return work


def torch_sweep() -> Callable[[], None] | None:
    try:
        import torch
    except ImportError:
        return None
    grid = sweep_grid()
    lr_np, beta_np = (m.reshape(-1) for m in np.meshgrid(grid["lr"], grid["beta"], indexing="ij"))

    def work() -> None:
        lr = torch.from_numpy(lr_np)
        beta = torch.from_numpy(beta_np)
        x = torch.full_like(lr, START[0])
        y = torch.full_like(lr, START[1])
        vx = torch.zeros_like(lr)
        vy = torch.zeros_like(lr)
        for _ in range(SWEEP_STEPS):
            r = y - x * x
            gx = -2.0 * (1.0 - x) - 400.0 * x * r
            gy = 200.0 * r
            vx = beta * vx + (1.0 - beta) * gx * gx
            vy = beta * vy + (1.0 - beta) * gy * gy
            x = x - lr * gx / torch.sqrt(vx + 1e-8)
            y = y - lr * gy / torch.sqrt(vy + 1e-8)
        _ = (1.0 - x) ** 2 + 100.0 * (y - x * x) ** 2

    return work


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=31, help="timed repeats of the race (sweep: a third)")
    args = parser.parse_args()
    print(
        f"rmsprop_viz {rv.__version__}, numpy {np.__version__}, Python {platform.python_version()}, "
        f"{os.cpu_count()} cores, {platform.machine()}"
    )

    from rmsprop_viz.engine.accel import compiled as _compiled

    sweep_repeats = max(5, args.repeats // 3)
    race_ms = median_ms(race_ours, args.repeats)
    sweep_ms = median_ms(sweep_ours, sweep_repeats, warmup=1)
    numpy_ms = median_ms(lambda: sweep_ours("numpy"), sweep_repeats, warmup=1)
    backend = "numba" if _compiled.available() else "numpy"
    rows = [
        ("race: 4 optimizers x 1000 steps", race_ms, RACE_TARGET_MS, torch_race(), args.repeats),
        (
            f"sweep: RMSProp 100 x 100 (lr, beta) x 500 steps, {backend}",
            sweep_ms,
            SWEEP_TARGET_MS,
            torch_sweep(),
            sweep_repeats,
        ),
        ('  the same sweep with backend="numpy"', numpy_ms, SWEEP_TARGET_MS, None, sweep_repeats),
    ]
    print(f"{'benchmark':56s} {'median':>10s} {'target':>9s}  {'':4s} {'torch':>10s} {'torch/ours':>10s}")
    for name, ours, target, torch_work, repeats in rows:
        verdict = "ok" if ours < target else "MISS"
        if torch_work is None:
            torch_text, ratio = "n/a", "n/a"
        else:
            torch_ms = median_ms(torch_work, max(3, repeats // 4), warmup=1)
            torch_text, ratio = f"{torch_ms:8.1f}ms", f"{torch_ms / ours:9.1f}x"
        print(
            f"{name:56s} {ours:8.2f}ms {'< ' + format(target, 'g') + 'ms':>9s}  {verdict:4s} {torch_text:>10s} "
            f"{ratio:>10s}"
        )
    compile_s = numba_compile_s()
    if compile_s is not None:
        print(f"numba: first sweep in a new process with an empty cache (compiling the loop): {compile_s:.2f} s")
    else:
        print("numba is not installed: sweeps use the numpy loop (pip install 'rmsprop-viz[fast]')")


if __name__ == "__main__":
    main()
