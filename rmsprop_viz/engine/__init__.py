"""The engine: the step loop (:func:`run`, :func:`race`), sweeps, and what is said about runs."""
