"""The variants' editor: race a second run of one optimizer beside its own, each with its
own beta, epsilon, place of epsilon or bias correction.

"Add a variant of" a kind starts one that differs from the kind's own run in one thing
(:func:`~rmsprop_viz.apps.explorer.settings.contrasting`: beta 0.99 against 0.9, no bias
correction, ...); each variant then has a row with the parameters it may set for itself
(:data:`~rmsprop_viz.apps.explorer.settings.VARIANT_PARAMS`) and a button to remove it.
Everything else (the learning rate in "one alpha for all", the surface, the start)
follows the shared controls. The settings hold the variants
(:meth:`~rmsprop_viz.apps.explorer.settings.Settings.add_variant`); this module only makes
the controls and reads them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import ipywidgets as W

from rmsprop_viz.apps.explorer.settings import KEYS, VARIANT_PARAMS, Settings, all_params
from rmsprop_viz.core.kinds import KINDS

__all__ = ["VariantsEditor"]

_NAMES = {
    "beta": "β",
    "beta1": "β₁",
    "beta2": "β₂",
    "eps": "ε",
    "momentum": "μ",
    "eps_in_sqrt": "ε inside √",
    "bias_correction": "bias correction",
    "centered": "centered",
    "amsgrad": "AMSGrad",
    "nesterov": "Nesterov",
}


class VariantsEditor:
    """The "add a variant of" menu and button, and one row per variant (``box``)."""

    def __init__(self) -> None:
        self.kind = W.Dropdown(
            options=[(KINDS[k].label, k) for k in KEYS if VARIANT_PARAMS[k]],
            value="rmsprop",
            description="add a variant of",
            style={"description_width": "initial"},
            layout=W.Layout(width="260px"),
        )
        self.add = W.Button(description="add", icon="plus", tooltip="race a second run of this optimizer")
        self.add.add_class("rv-add-variant")
        self.rows = W.VBox()
        self.box = W.VBox([W.HBox([self.kind, self.add]), self.rows])
        self._owners: dict[int, tuple[str, str]] = {}  # id(control) -> (lane, parameter)
        self._on_change: Callable[[Any], None] | None = None
        self._on_remove: Callable[[str], None] | None = None
        self._shown: tuple[str, ...] = ()

    def wire(self, *, add: Callable[[Any], None], change: Callable[[Any], None], remove: Callable[[Any], None]) -> None:
        """Call ``add`` when the add button is pressed, ``change`` with the change of a
        variant's control (see :meth:`read`), ``remove`` with the lane of a removed one."""
        self.add.on_click(add)
        self._on_change, self._on_remove = change, remove

    def show(self, settings: Settings, colors: Mapping[str, str]) -> None:
        """One row per variant of ``settings``, its name in its colour. Rows that are
        there already keep their controls (a field being typed in keeps its focus); only
        their names change."""
        keys = tuple(v.key for v in settings.variants)
        if keys == self._shown:
            for row, variant in zip(self.rows.children, settings.variants):
                row.children[0].value = self._name(settings, variant.key, colors)
            return
        self._shown = keys
        self._owners = {}
        rows = []
        for variant in settings.variants:
            params = all_params(settings.spec(variant.key))
            name = W.HTML(self._name(settings, variant.key, colors), layout=W.Layout(width="240px"))
            made: list[W.Widget] = [name]
            for param in VARIANT_PARAMS[variant.kind]:
                value = params.get(param)
                if isinstance(value, bool):
                    control: W.Widget = W.Checkbox(value=value, description=_NAMES[param], indent=False)
                else:
                    control = W.FloatText(
                        value=float(value) if value is not None else 0.0,
                        description=_NAMES.get(param, param),
                        layout=W.Layout(width="150px"),
                    )
                self._owners[id(control)] = (variant.key, param)
                if self._on_change is not None:
                    control.observe(self._on_change, names="value")
                made.append(control)
            remove = W.Button(description="remove", icon="times", layout=W.Layout(width="100px"))
            if self._on_remove is not None:
                on_remove = self._on_remove
                remove.on_click(lambda _, key=variant.key, call=on_remove: call(key))
            made.append(remove)
            rows.append(W.HBox(made))
        self.rows.children = tuple(rows)

    @staticmethod
    def _name(settings: Settings, key: str, colors: Mapping[str, str]) -> str:
        color = colors.get(key, "#000000")
        return (
            f"<span style='border-left:6px solid {color}; padding-left:6px; font-weight:bold'>"
            f"{settings.label(key)}</span>"
        )

    def read(self, control: W.Widget) -> tuple[str, str, Any]:
        """``(lane, parameter, value)`` of one of the rows' controls, the value checked:
        decays in [0, 1), epsilon in (0, 1]."""
        try:
            key, param = self._owners[id(control)]
        except KeyError:
            raise ValueError("that control belongs to no variant any more") from None
        value = control.value
        if isinstance(value, bool):
            return key, param, value
        number = float(value)
        if param == "eps":
            if not (math.isfinite(number) and 0 < number <= 1):
                raise ValueError(f"ε must be a number in (0, 1], got {number!r}")
        elif not (math.isfinite(number) and 0 <= number < 1):
            raise ValueError(f"{_NAMES.get(param, param)} must be a number in [0, 1), got {number!r}")
        return key, param, number
