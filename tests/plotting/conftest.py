"""The plotting tests: their shared helpers (``_plotting_helpers.py``, beside this file)
import by name."""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib

sys.path.insert(0, str(Path(__file__).parent))
matplotlib.use("Agg")
