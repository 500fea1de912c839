"""The course's notebooks: every one runs from top to bottom in a fresh kernel, is
committed without outputs, opens with what the student will learn and closes with
questions, draws every figure it shows, leaves the optimizers' maths to the package
(except the exercises, where the student writes one), and is linked from the README and
listed in docs/teaching.md."""

from __future__ import annotations

import functools
import pathlib
import re
import tempfile

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = pathlib.Path(__file__).parent.parent
FOLDER = ROOT / "notebooks"
NOTEBOOKS = sorted(p for p in FOLDER.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
IDS = [p.relative_to(FOLDER).with_suffix("").as_posix() for p in NOTEBOOKS]

#: The course, in order (paths under notebooks/, without .ipynb).
COURSE = (
    "01_rmsprop_step_by_step",
    "02_optimizer_race",
    "03_explorer",
    "04_claims_lab",
    "05_tuning_and_fairness",
    "06_noise_and_change",
    "07_exercises",
    "solutions/07_exercises_solutions",
)
#: The notebooks where the student writes an optimizer of their own.
EXERCISES = {"07_exercises", "solutions/07_exercises_solutions"}
#: The notebooks that need not close with questions (they answer them).
ANSWERS = {"solutions/07_exercises_solutions"}
#: The notebooks that show a live widget instead of figures.
WIDGETS = {"03_explorer"}

#: Source that writes an optimizer's maths instead of calling the package.
OPTIMIZER_CODE = re.compile(r"\bdef\s+(init|update|step)\s*\(|\bOptimizer\s*\(|\bregister\s*\(")
#: A figure's text form, shown where the figure itself was not drawn.
FIGURE_TEXT = re.compile(r"<[\w.]*Figure\b[^>]*>")
#: A cell that ends by showing a figure (``fig``, ``figure.fig``, ``race_fig``, ...).
SHOWS_FIGURE = re.compile(r"(?i)^[\w.]*fig\w*$")
HEADING = re.compile(r"^#{1,6}\s+(.*?)\s*$", re.MULTILINE)
ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+\S", re.MULTILINE)


def name_of(path: pathlib.Path) -> str:
    return path.relative_to(FOLDER).with_suffix("").as_posix()


def sections(notebook: nbformat.NotebookNode) -> list[tuple[str, str, int]]:
    """The markdown headings of ``notebook`` in order: (title, text up to the next
    heading, index of the cell that holds the heading)."""
    found: list[tuple[str, str, int]] = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "markdown":
            continue
        matches = list(HEADING.finditer(cell.source))
        for i, match in enumerate(matches):
            end = matches[i + 1].start() if i + 1 < len(matches) else len(cell.source)
            found.append((match.group(1), cell.source[match.end() : end], index))
    return found


def structure_errors(notebook: nbformat.NotebookNode, questions: bool = True) -> list[str]:
    """What is wrong with the shape of a course notebook (empty: nothing)."""
    errors = []
    heads = sections(notebook)
    first_code = next((i for i, c in enumerate(notebook.cells) if c.cell_type == "code"), len(notebook.cells))
    if not notebook.cells or not notebook.cells[0].source.lstrip().startswith("# "):
        errors.append("the first cell is not a title (# ...)")
    learn = [(t, body, i) for t, body, i in heads if re.fullmatch(r"(?i)what you will learn", t)]
    if not learn or learn[0][2] > first_code or heads.index(learn[0]) > 1:
        errors.append("no 'What you will learn' section right after the title, before the first code cell")
    elif not 3 <= len(ITEM.findall(learn[0][1])) <= 6:
        errors.append("'What you will learn' should list 3 to 6 points")
    if questions:
        if not heads or not re.search(r"(?i)\bquestions\b", heads[-1][0]):
            errors.append("the last section is not 'Questions'")
        else:
            after = notebook.cells[heads[-1][2] + 1 :]
            if any(c.cell_type == "code" and c.source.strip() for c in after):
                errors.append("code follows the 'Questions' section")
            if len(ITEM.findall(heads[-1][1])) < 3:
                errors.append("the 'Questions' section asks fewer than 3 questions")
    return errors


@functools.cache
def executed(path: pathlib.Path) -> nbformat.NotebookNode:
    """``path`` run from top to bottom in a fresh kernel, in a temporary folder (files it
    writes go there); run once per test session."""
    notebook = nbformat.read(path, as_version=4)
    with tempfile.TemporaryDirectory() as folder:
        NotebookClient(notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": folder}}).execute()
    return notebook


def test_the_course_is_here() -> None:
    assert set(IDS) >= set(COURSE), f"missing: {sorted(set(COURSE) - set(IDS))}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_is_committed_without_outputs(path: pathlib.Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path.name} has outputs: clear them before committing"
            assert cell.execution_count is None


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_opens_with_what_you_will_learn_and_closes_with_questions(path: pathlib.Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    assert structure_errors(notebook, questions=name_of(path) not in ANSWERS) == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_only_the_exercises_write_an_optimizer(path: pathlib.Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    written = [c.source for c in notebook.cells if c.cell_type == "code" and OPTIMIZER_CODE.search(c.source)]
    if name_of(path) in EXERCISES:
        # One cell: the task in which the student writes RMSProp as rv.Optimizer(init, update).
        assert len(written) == 1, "the student's optimizer is the only optimizer code of the exercises"
        assert "rv.Optimizer(" in written[0]
        assert "def my_update(" in written[0]
    else:
        assert written == [], "the cells call the package; an optimizer's maths belongs in rmsprop_viz"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_is_linked_from_the_readme_and_the_teachers_page(path: pathlib.Path) -> None:
    link = f"notebooks/{path.relative_to(FOLDER).as_posix()}"
    assert f"]({link})" in (ROOT / "README.md").read_text(encoding="utf-8"), f"README.md has no link to {link}"
    assert f"](../{link})" in (ROOT / "docs" / "teaching.md").read_text(encoding="utf-8"), (
        f"docs/teaching.md does not list {link}"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_notebook_runs_and_draws_every_figure(path: pathlib.Path) -> None:
    notebook = executed(path)
    errors = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors
    outputs = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs]
    kinds = {kind for o in outputs for kind in o.get("data", {})}
    if name_of(path) in WIDGETS:
        assert "application/vnd.jupyter.widget-view+json" in kinds  # the explorer widget was displayed
    else:
        assert "image/png" in kinds  # figures were drawn
    for index, cell in enumerate(notebook.cells):
        shown = [o for o in cell.get("outputs", []) if "data" in o]
        lines = [line for line in cell.source.splitlines() if line.strip()] if cell.cell_type == "code" else []
        if lines and SHOWS_FIGURE.match(lines[-1].strip()):
            assert any("image/png" in o["data"] for o in shown), f"cell {index} ends with a figure but drew none"
        as_text = [o for o in shown if FIGURE_TEXT.search(str(o["data"].get("text/plain", "")))]
        assert all("image/png" in o["data"] for o in as_text), f"cell {index} shows a figure as text, not a picture"
