"""The command line's tests; ``cli_checks.py`` beside this file holds the checks they share."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
