"""Limits on what a scene, a recipe or the command line may ask for.

Each is checked before anything is computed or allocated, and named in the message when
it is passed, so that a student who hits one can find it here.

A scene's steps have their own limit, :data:`MAX_SCENE_STEPS`, ten times below the
engine's :data:`rmsprop_viz.engine.run.MAX_STEPS`: a scene comes from a recipe file or
the command line and is drawn, animated and exported whole, so it is held to what a
classroom picture needs (a race of 100 000 steps takes about a second), while ``run``
and ``race`` called from code may go further.
"""

from __future__ import annotations

__all__ = [
    "DPI_RANGE",
    "FPS_RANGE",
    "MAX_BATCH_WORK",
    "MAX_CAPTION",
    "MAX_FRAMES",
    "MAX_JSON_DEPTH",
    "MAX_JSON_ITEMS",
    "MAX_LABEL",
    "MAX_OPTIMIZERS",
    "MAX_RECIPE_BYTES",
    "MAX_SCENE_STEPS",
    "MAX_SWEEP_CELLS",
    "MAX_SWEEP_RUN_STEPS",
]

#: Steps of a scene's race (a race of 100 000 steps takes about a second).
MAX_SCENE_STEPS = 100_000
#: Racers in one scene.
MAX_OPTIMIZERS = 12
#: Frames per second of an animation, lowest and highest.
FPS_RANGE = (0.5, 120.0)
#: Frames of an animation (at 30 fps, almost three minutes).
MAX_FRAMES = 5_000
#: Dots per inch of a picture, lowest and highest: 300 makes the default 12.8 x 7.2 inch
#: race figure 3840 x 2160 pixels.
DPI_RANGE = (10.0, 300.0)
#: Cells of a sweep's grid (learning rates times decays): 200 x 200.
MAX_SWEEP_CELLS = 40_000
#: Cells times steps of one sweep (about ten seconds of compiled loops).
MAX_SWEEP_RUN_STEPS = 20_000_000
#: Samples read from a mini-batch surface's data in one race or sweep: batch_size x steps
#: x racers (x cells for a sweep); 10**9 takes over two minutes, this about half a minute.
MAX_BATCH_WORK = 200_000_000
#: Size of a recipe file.
MAX_RECIPE_BYTES = 1_000_000
#: Characters of a label, name or title.
MAX_LABEL = 200
#: Characters of a caption.
MAX_CAPTION = 2_000
#: Nesting of a recipe's JSON, and entries of one list or mapping in it.
MAX_JSON_DEPTH = 12
MAX_JSON_ITEMS = 1_000
