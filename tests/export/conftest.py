"""The race and figures shared with the other tests of frames and exports (tests/race_pictures.py)."""

from race_pictures import figure, make_figure, race, untouched

__all__ = ["figure", "make_figure", "race", "untouched"]
