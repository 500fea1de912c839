"""The ``rmsprop-viz`` command line.

``rmsprop-viz race`` runs optimizers on a surface (or a preset scene), prints how each
did and, with ``--out``, animates the race to a GIF, MP4, HTML page or PNG.
``rmsprop-viz plot`` draws the finished race, ``rmsprop-viz sweep`` maps the final loss
over a grid of learning rates and decays, ``rmsprop-viz scenes`` lists the classroom
presets and ``rmsprop-viz surfaces`` the loss surfaces.

Every file written comes with a JSON *recipe* beside it (``race.gif`` -> ``race.json``)
that ``--recipe`` turns back into exactly the same runs. Every mistake in the arguments
gives a one-line message and exit status 2.

Matplotlib is imported only by the commands that draw, so a race that only prints its
table starts quickly.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

import numpy as np

from rmsprop_viz.apps.cli.commands import COMMANDS
from rmsprop_viz.apps.cli.parser import UsageError, build_parser, glue_negative_points
from rmsprop_viz.apps.cli.signals import Interrupted, report_interrupt, signals_interrupt
from rmsprop_viz.apps.cli.values import EXIT_IO, EXIT_USAGE

__all__ = ["build_parser", "main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``rmsprop-viz``; returns the exit status.

    0 on success, 2 for a mistake in the arguments or a recipe (one line on stderr), 1
    when a file cannot be read or written, 128 + N when signal N (SIGINT, SIGTERM,
    SIGHUP) stopped the command. Files are written all at once or not at all, so an
    interrupted command leaves no partial file, and old files it would have replaced are
    unchanged unless every new file was already in place.
    """
    received: list[int] = []
    try:
        with signals_interrupt(received):
            status = _main(argv, received)
    except Interrupted as error:
        return report_interrupt(error.signum)
    # A signal may also have ended the command another way (e.g. ffmpeg, which shares the
    # terminal's SIGINT, stopped first, or a library turned the interrupt into an error of
    # its own): the status still says it was interrupted.
    return report_interrupt(received[0]) if received else status


def _main(argv: Sequence[str] | None, received: Sequence[int] = ()) -> int:
    """The command's exit status; an error that follows a signal is not reported (the
    interrupt is, by :func:`main`)."""

    def say(text: str) -> None:
        if not received:
            print(text, file=sys.stderr)

    parser = build_parser()
    try:
        args = parser.parse_args(glue_negative_points(sys.argv[1:] if argv is None else argv))
        if args.command is None:
            parser.print_help()
            return EXIT_USAGE
        handler = COMMANDS[args.command]
        with np.errstate(all="ignore"):
            return handler(args)
    except UsageError as error:
        say(str(error))
        return EXIT_USAGE
    except ValueError as error:  # includes the animation's ExportError
        message = " ".join(str(error).split())
        say(f"rmsprop-viz: error: {message}")
        return EXIT_USAGE
    except MemoryError as error:  # a last resort: every size should have been checked before
        say(f"rmsprop-viz: error: not enough memory for this request ({error}); ask for less")
        return EXIT_USAGE
    except BrokenPipeError:
        # The reader went away (e.g. '| head'): stop quietly, without a second error at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except OSError as error:
        text = str(error.strerror or error)
        where = str(error.filename or "")
        say(f"rmsprop-viz: error: {text}" + (f": {where}" if where and where not in text else ""))
        return EXIT_IO
    except Interrupted:
        raise
    except KeyboardInterrupt:
        print("rmsprop-viz: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
