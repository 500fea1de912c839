"""Speed of the numerical core, each fast path beside the plain loop it stands in for.

Run with ``python benchmarks/bench_core.py``. It prints the median time of

* a race of SGD, Adagrad, RMSProp and Adam, 1200 steps each, one run each, on
  Rosenbrock (the explorer recomputes this on every slider move): target < 10 ms;
  with the fused single-run loop and with the plain loop;
* a 100 x 100 (lr, beta) sweep of RMSProp on Rosenbrock, 500 steps: target < 50 ms;
  with numba (the ``fast`` extra) and with the plain loop;
* the explorer's "best alpha": :func:`rmsprop_viz.engine.sweeps.best_lr` for the four
  kinds of the default race, 26 learning rates x 1200 steps each; with numba and with
  the plain loop;

the time numba takes in a new process (importing it and compiling or loading the
loop), and, when torch is installed, the same race and sweep done with torch in the
same process, as a ratio (torch.optim for the race; for the sweep, torch tensors
holding all 10,000 runs, since torch.optim takes one learning rate per parameter group).
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
from unittest import mock

import numpy as np

import rmsprop_viz as rv
from rmsprop_viz.core.kinds import DEFAULT_RACE
from rmsprop_viz.engine import run as engine_run
from rmsprop_viz.engine.accel import compiled
from rmsprop_viz.engine.sweeps import best_lr

RACE_STEPS = 1200
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


def race_plain() -> None:
    """The same race with the fused single-run loop switched off: the plain loop."""
    with mock.patch.object(engine_run, "fused_loop", return_value=None):
        race_ours()


def best_alpha(backend: str) -> None:
    for kind in DEFAULT_RACE:
        best_lr(rv.Rosenbrock(), kind, start=START, n_steps=RACE_STEPS, backend=backend)


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


def numba_first_sweep_s() -> tuple[float, float] | None:
    """Seconds the first numba sweep takes in a new process: with an empty cache
    (importing numba and compiling the loop), then with the loop cached on disk."""
    if not compiled.available():
        return None
    code = (
        "import time, numpy as np, rmsprop_viz as rv\n"
        "start = time.perf_counter()\n"
        "rv.sweep(rv.Rosenbrock(), rv.rmsprop, grid={'lr': [0.01], 'beta': [0.9]}, n_steps=2, backend='numba')\n"
        "print(time.perf_counter() - start)\n"
    )
    times = []
    with tempfile.TemporaryDirectory() as cache:
        for _ in range(2):
            out = subprocess.run(
                [sys.executable, "-c", code],
                env={**os.environ, "RMSPROP_VIZ_CACHE": cache},
                capture_output=True,
                text=True,
            )
            if out.returncode != 0:
                return None
            times.append(float(out.stdout))
    return times[0], times[1]


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
    parser.add_argument("--repeats", type=int, default=31, help="timed repeats of the race (sweeps: a third)")
    args = parser.parse_args()
    print(
        f"rmsprop_viz {rv.__version__}, numpy {np.__version__}, Python {platform.python_version()}, "
        f"{os.cpu_count()} cores, {platform.machine()}"
    )
    fast = compiled.available()
    sweep_repeats = max(5, args.repeats // 3)
    rows = [
        ("race: 4 optimizers x 1200 steps", race_ours, race_plain, "fused", RACE_TARGET_MS, torch_race(), args.repeats),
        (
            "sweep: RMSProp 100 x 100 (lr, beta) x 500 steps",
            (lambda: sweep_ours("numba")) if fast else None,
            lambda: sweep_ours("numpy"),
            "numba",
            SWEEP_TARGET_MS,
            torch_sweep(),
            sweep_repeats,
        ),
        (
            "best alpha: 4 kinds x 26 lrs x 1200 steps",
            (lambda: best_alpha("numba")) if fast else None,
            lambda: best_alpha("numpy"),
            "numba",
            None,
            None,
            sweep_repeats,
        ),
    ]
    header = f"{'benchmark':48s} {'path':>6s} {'fast':>9s} {'plain':>9s} {'speed-up':>8s} {'target':>9s}"
    print(header + f"  {'torch':>9s} {'torch/fast':>10s}")
    for name, fast_work, plain_work, path, target, torch_work, repeats in rows:
        plain_ms = median_ms(plain_work, repeats, warmup=1)
        if fast_work is None:
            path, fast_ms = "plain", plain_ms
        else:
            fast_ms = median_ms(fast_work, repeats, warmup=1)
        verdict = "" if target is None else ("ok" if fast_ms < target else "MISS")
        target_text = "" if target is None else f"< {target:g}ms {verdict}"
        if torch_work is None:
            torch_text, ratio = "n/a", "n/a"
        else:
            torch_ms = median_ms(torch_work, max(3, repeats // 4), warmup=1)
            torch_text, ratio = f"{torch_ms:7.1f}ms", f"{torch_ms / fast_ms:9.1f}x"
        print(
            f"{name:48s} {path:>6s} {fast_ms:7.2f}ms {plain_ms:7.2f}ms {plain_ms / fast_ms:7.1f}x {target_text:>9s}"
            f"  {torch_text:>9s} {ratio:>10s}"
        )
    first = numba_first_sweep_s()
    if first is not None:
        print(
            f"numba: first sweep in a new process: {first[0]:.2f} s with an empty cache (import and compile), "
            f"{first[1]:.2f} s with the loop cached on disk (import and load)"
        )
    else:
        print("numba is not installed: sweeps use the plain loop (pip install 'rmsprop-viz[fast]')")


if __name__ == "__main__":
    main()
