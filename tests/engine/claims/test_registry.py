"""The table of claims: C1-C11 in order, each verdict well formed and reproduced by its
recorded settings, and claims named by id in any of the accepted spellings."""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from typing import Any

import pytest

import rmsprop_viz as rv
from rmsprop_viz.engine import claims
from rmsprop_viz.engine.claims import CLAIMS, OUTSIDE, VERDICTS, Verdict, c11_rnns, check, check_all, claim_id

IDS = [f"C{n}" for n in range(1, 12)]
#: The claim functions, kept before any test replaces one.
FUNCTIONS = dict(CLAIMS)

_verdicts: dict[str, Verdict] = {}


def verdict_of(key: str) -> Verdict:
    """Each claim is run once with its defaults for the whole module."""
    if key not in _verdicts:
        _verdicts[key] = FUNCTIONS[key]()
    return _verdicts[key]


def sentences(text: str) -> list[str]:
    """Split at '.', '!' or '?' followed by a space and a capital (numbers such as 0.5 or
    1.00e-04 have no space after their point)."""
    return re.split(r"(?<=[.!?])\s+(?=[A-Z])", text.strip())


def test_claims_lists_c1_to_c11_in_order() -> None:
    assert list(CLAIMS) == IDS
    for key, function in CLAIMS.items():
        assert function.__name__.startswith(f"c{key[1:]}_")
        assert getattr(rv.claims, function.__name__) is function


def test_the_sentence_splitter_sees_two_sentences() -> None:
    assert sentences("It took 1.00e-04 s at beta 0.9 (e.g. here). That is fast.") == [
        "It took 1.00e-04 s at beta 0.9 (e.g. here).",
        "That is fast.",
    ]


@pytest.mark.parametrize("key", IDS)
def test_each_verdict_is_well_formed(key: str) -> None:
    v = verdict_of(key)
    assert v.id == key
    assert v.verdict in VERDICTS
    assert v.claim.endswith(".")
    assert len(sentences(v.explanation)) == 2, v.explanation
    assert v.explanation.endswith(".")
    assert len(sentences(v.experiment)) == 1, v.experiment
    if v.verdict == OUTSIDE:
        assert v.evidence == {}
        assert v.key == ""
    else:
        assert v.key in v.evidence
        assert v.evidence, "a tested claim rests on numbers"
        assert v.key_number.startswith(f"{v.key} = ")


@pytest.mark.parametrize("key", IDS)
def test_the_settings_are_every_argument_with_its_default(key: str) -> None:
    v = verdict_of(key)
    parameters = inspect.signature(FUNCTIONS[key]).parameters.values()
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in parameters)
    assert dict(v.settings) == {p.name: p.default for p in parameters}
    for name, value in v.settings.items():  # plain values a student can type
        values = value if isinstance(value, tuple) else (value,)
        assert all(isinstance(x, (bool, int, float, str)) for x in values), name


@pytest.mark.parametrize("key", IDS)
def test_the_recorded_settings_reproduce_the_verdict(key: str) -> None:
    v = verdict_of(key)
    again = check(v.id, **v.settings)
    assert again == v  # id, claim, verdict, evidence, key, explanation, experiment, settings
    assert again.evidence == v.evidence


@pytest.mark.parametrize("spelling", ["C8", "c8", " c8 ", 8, "8"])
def test_a_claim_is_named_in_any_spelling(spelling: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    assert claim_id(spelling) == "C8"
    ran: list[dict[str, Any]] = []
    made = c11_rnns()

    def fake(**settings: Any) -> Verdict:
        ran.append(settings)
        return made

    monkeypatch.setitem(CLAIMS, "C8", fake)
    assert check(spelling, angle=30.0) is made
    assert ran == [{"angle": 30.0}]


def test_check_runs_the_real_c11_by_number() -> None:
    assert check(11) == check("c11") == c11_rnns()


@pytest.mark.parametrize("bad", ["C12", "C0", 0, 12, "rnn", "", None, True, 8.0, "C 8"])
def test_a_bad_id_is_one_clear_error(bad: Any) -> None:
    expected = f"claim must be one of C1, C2, C3, C4, C5, C6, C7, C8, C9, C10, C11, got {bad!r}"
    with pytest.raises(ValueError, match=f"^{re.escape(expected)}$"):
        check(bad)


def fakes(ran: list[str]) -> dict[str, Callable[..., Verdict]]:
    def make(key: str) -> Callable[..., Verdict]:
        def run(**settings: Any) -> Verdict:
            ran.append(key)
            return Verdict(key, "A claim.", VERDICTS[0], {"x": 1.0}, "x", "One. Two.", "Ran.")

        return run

    return {key: make(key) for key in IDS}


def test_check_all_runs_the_claims_in_the_order_given(monkeypatch: pytest.MonkeyPatch) -> None:
    ran: list[str] = []
    monkeypatch.setattr(claims, "CLAIMS", fakes(ran))
    seen: list[str] = []
    verdicts = check_all(["c9", 2, "C5"], on_done=lambda v: seen.append(v.id))
    assert [v.id for v in verdicts] == ["C9", "C2", "C5"]
    assert ran == seen == ["C9", "C2", "C5"]
    ran.clear()
    assert [v.id for v in check_all()] == IDS
    assert ran == IDS
    with pytest.raises(ValueError, match="claim must be one of"):
        check_all(["C2", "C13"])
