"""``python -m rmsprop_viz.apps.cli`` runs the command line."""

from rmsprop_viz.apps.cli import main

raise SystemExit(main())
