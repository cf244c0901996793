"""Drive a built coursepack course in the browser from its YAML: answer keys, pages, reflections.

Everything the tests need to know about a course is read from the course folder with
``load_course`` (never hard-coded), so the play-through tests keep working when authors edit
the example course. Two ways to play:

* mouse-style helpers (``answer_quiz``, ``write_reflection``, ``next_page``) that use Playwright
  actions (click / check / fill / select_option);
* :class:`Keyboard`, which only presses keys (Tab, Shift+Tab, Enter, Space, arrows) and types text,
  and fails -- instead of hanging -- when the element it tabs towards cannot be reached.

``expected_interaction`` gives the SCORM 1.2 ``cmi.interactions.n`` values (type, student_response,
correct_responses.0.pattern) an answer must produce, from the question's authored positions.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from coursepack.cli import main as coursepack_cli
from coursepack.load.course_loader import LoadedCourse, load_course
from coursepack.model.content import ReflectionBlock
from coursepack.model.quiz import FillIn, Matching, MultipleResponse, QuizBlock, Sequencing, SingleChoice, TrueFalse
from coursepack.targets.package import package_files

LETTERS = "abcdefghijklmnopqrstuvwxyz"   # SCORM 1.2 response characters for choices / items / matches
PROMPTS = "123456789abcdefghijklmnopq"   # ... and for matching prompts (the "x" of "x.y")

TIMESPAN = re.compile(r"^([0-9]{2,4}):([0-9]{2}):([0-9]{2})(\.[0-9]{1,2})?$")
CMI_TIME = re.compile(r"^([0-2][0-9]):([0-5][0-9]):([0-5][0-9])(\.[0-9]{1,2})?$")


REPO = Path(__file__).resolve().parents[2]
SCAFFOLD = REPO / "builder" / "scaffold"


# --------------------------------------------------------------------------- building packages

def build_dir(root: Path, edition: str, out: Path, per_module: bool = False) -> Path:
    """The SCORM 1.2 package of the course in ``root``, written unzipped to ``out``."""
    files = package_files(load_course(root), "scorm12", edition, per_module=per_module)
    for name, content in files.items():
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        # assets come as the file to copy (streamed by the zipper), the rest as bytes
        path.write_bytes(content.read_bytes() if isinstance(content, Path) else content)
    return out


def cli_build(root: Path, out: Path, *args: str) -> dict[str, Path]:
    """`coursepack build ROOT --out OUT ARGS`; returns {"standard"|"certificate": zip}."""
    result = CliRunner().invoke(coursepack_cli, ["build", str(root), "--out", str(out), *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    zips = sorted(out.glob("*.zip"))
    assert zips, result.output
    return {("certificate" if z.stem.endswith("-certificate") else "standard"): z for z in zips}


# --------------------------------------------------------------------------- the course, from YAML

@dataclass(frozen=True)
class PageKey:
    index: int          # position in the SCO (cp-page-N)
    key: str            # "<module id>/<page id>": data-cp-page and cmi.core.lesson_location
    module: int         # module position in the SCO
    title: str


@dataclass(frozen=True)
class QuizKey:
    id: str
    page: int
    block: QuizBlock

    @property
    def questions(self) -> list[Any]:
        return list(self.block.questions)

    @property
    def attempts(self) -> int | None:
        return self.block.max_attempts()

    @property
    def total_points(self) -> int:
        return sum(q.points for q in self.block.questions)


@dataclass(frozen=True)
class ReflectionKey:
    id: str
    page: int
    block: ReflectionBlock
    page_title: str


@dataclass(frozen=True)
class ModuleKey:
    id: str
    title: str
    pages: tuple[int, ...]


@dataclass
class CourseKey:
    loaded: LoadedCourse
    pages: list[PageKey] = field(default_factory=list)
    modules: list[ModuleKey] = field(default_factory=list)
    quizzes: list[QuizKey] = field(default_factory=list)
    reflections: list[ReflectionKey] = field(default_factory=list)

    @classmethod
    def load(cls, root: Path, module_ids: list[str] | None = None) -> "CourseKey":
        """The course in ``root``, or only the given modules (a --sco-per-module SCO)."""
        loaded = load_course(root)
        key = cls(loaded)
        for mod in loaded.modules:
            module = mod.module
            if module_ids is not None and module.id not in module_ids:
                continue
            indexes = []
            for page in module.pages:
                index = len(key.pages)
                indexes.append(index)
                key.pages.append(PageKey(index, f"{module.id}/{page.id}", len(key.modules), page.title))
                for block in page.blocks:
                    if isinstance(block, QuizBlock):
                        key.quizzes.append(QuizKey(block.id, index, block))
                    elif isinstance(block, ReflectionBlock):
                        key.reflections.append(ReflectionKey(block.id, index, block, page.title))
            key.modules.append(ModuleKey(module.id, module.title, tuple(indexes)))
        return key

    @property
    def course(self):
        return self.loaded.course

    def quizzes_on(self, page: int) -> list[QuizKey]:
        return [q for q in self.quizzes if q.page == page]

    def reflections_on(self, page: int) -> list[ReflectionKey]:
        return [r for r in self.reflections if r.page == page]

    def reflection_min(self, reflection: ReflectionKey, edition: str) -> int:
        """Characters the reflection needs in this edition (the rules of builder/render/course_data.py)."""
        block, course = reflection.block, self.course
        if not block.required:
            return 0
        if edition == "certificate":
            return max(block.min_chars, course.certificate.requires.reflection_min_chars, 1)
        return max(block.min_chars, 1) if course.completion.reflections_required else 0


# --------------------------------------------------------------------------- answers

def chosen(question: Any, right: bool = True) -> Any:
    """What the learner picks: the key when right, a deterministic wrong answer otherwise.

    single_choice: choice id; multiple_response: list of choice ids; true_false: bool;
    fill_in: the text typed; matching: {pair id: pair id of the match picked};
    sequencing: item ids, first to last."""
    if isinstance(question, SingleChoice):
        return question.answer if right else next(c.id for c in question.choices if c.id != question.answer)
    if isinstance(question, MultipleResponse):
        if right:
            return list(question.answers)
        wrong = [c.id for c in question.choices if c.id not in question.answers]
        return wrong[:1] if wrong else list(question.answers)[:-1]
    if isinstance(question, TrueFalse):
        return question.answer if right else not question.answer
    if isinstance(question, FillIn):
        return fill_in_text(question) if right else "certainly not the answer"
    if isinstance(question, Matching):
        ids = [p.id for p in question.pairs]
        return {pid: (pid if right else ids[(i + 1) % len(ids)]) for i, pid in enumerate(ids)}
    if isinstance(question, Sequencing):
        ids = [it.id for it in question.items]
        return ids if right else ids[::-1]
    raise TypeError(f"unknown question type {question!r}")


def fill_in_text(question: FillIn) -> str:
    """A right answer as a learner might type it: the last accepted answer, with the case and
    spacing changes the question says do not matter (so the player's normalizing is exercised)."""
    text = question.accepted[-1]
    if not question.case_sensitive:
        text = text.swapcase()
    if question.whitespace == "normalize":
        text = "  " + text.replace(" ", "   ") + " "
    elif question.whitespace == "ignore":
        text = " ".join(text.replace(" ", ""))
    return text


def _cut_units(text: str, n: int) -> str:
    """At most n UTF-16 units (what Moodle's CMIString255 check counts), whole characters."""
    out, units = [], 0
    for ch in text:
        w = 2 if ord(ch) > 0xFFFF else 1
        if units + w > n:
            break
        out.append(ch)
        units += w
    return "".join(out)


def clean_text(text: str, n: int = 255) -> str:
    """What the SCORM 1.2 adapter sends of a fill-in answer: the learner's script, controls as spaces."""
    return _cut_units(re.sub(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]", " ", text), n)


def readable(text: str, n: int = 255) -> str:
    """What the SCORM 1.2 adapter sends of a reflection: one line in the learner's script, "…" at a cut."""
    flat = " ".join(re.sub(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+", " ", text).split())
    if len(flat.encode("utf-16-le")) // 2 <= n:
        return flat
    return _cut_units(flat, n - 1) + "\u2026"


def expected_interaction(question: Any, answer: Any) -> tuple[str, str, str]:
    """(type, student_response, correct_responses.0.pattern) for ``answer`` as given by chosen()."""
    if isinstance(question, SingleChoice):
        ids = [c.id for c in question.choices]
        return "choice", LETTERS[ids.index(answer)], LETTERS[ids.index(question.answer)]
    if isinstance(question, MultipleResponse):
        ids = [c.id for c in question.choices]

        def letters(chosen_ids):
            return ",".join(LETTERS[i] for i in sorted(ids.index(c) for c in chosen_ids))
        return "choice", letters(answer), letters(question.answers)
    if isinstance(question, TrueFalse):
        return "true-false", "t" if answer else "f", "t" if question.answer else "f"
    if isinstance(question, FillIn):
        return "fill-in", clean_text(answer), clean_text(question.accepted[0])
    if isinstance(question, Matching):
        ids = [p.id for p in question.pairs]
        got = ",".join(f"{PROMPTS[i]}.{LETTERS[ids.index(answer[pid])]}" for i, pid in enumerate(ids))
        return "matching", got, ",".join(f"{PROMPTS[i]}.{LETTERS[i]}" for i in range(len(ids)))
    if isinstance(question, Sequencing):
        ids = [it.id for it in question.items]
        return "sequencing", ",".join(LETTERS[ids.index(i)] for i in answer), ",".join(LETTERS[: len(ids)])
    raise TypeError(f"unknown question type {question!r}")


def reflection_text(reflection_id: str, length: int = 180) -> str:
    """A reflection of at least ``length`` characters (after trimming) with non-ASCII text in it."""
    text = (f"My reflection ({reflection_id}): café — naïve trust in fluent answers is the risk; "
            "I will check sources, protect student data and explain my choices to families. ")
    while len(text.strip()) < length:
        text += "Déjà vu, façade, über — "
    return text.strip()


def exactly(text: str, n: int) -> str:
    """``text`` cut or padded to exactly n characters, with no trailing space."""
    text = (text * (n // max(len(text), 1) + 2))[:n]
    return text[:-1] + "x" if text.endswith(" ") else text


# --------------------------------------------------------------------------- playing with the mouse

def quiz_sel(quiz: QuizKey) -> str:
    return f'[data-cp-quiz="{quiz.id}"]'


def question_sel(quiz: QuizKey, question: Any) -> str:
    return f'{quiz_sel(quiz)} [data-cp-question="{question.id}"]'


def sequence_order(frame, fieldset: str) -> list[str]:
    return frame.eval_on_selector_all(fieldset + " [data-cp-item]", "els => els.map(e => e.dataset.cpItem)")


# force=True: Playwright skips its actionability waits (visible, stable over two animation frames,
# enabled, not covered) and acts at once; a missing or hidden element still fails, and a check still
# fails when the box's state does not change. The long traversals (every page of a course, played in
# several tests) use it: they take about 40 % less time, and every control is still reached with its
# checks by the keyboard walkthrough and the shorter plays.

def wait_for_images(frame, page_index: int) -> None:
    """Until the page's images are loaded: a forced click lands where a control is now, and a figure
    without a height (an image whose size coursepack cannot read) moves what is below it when it loads."""
    frame.wait_for_function("(i) => [...document.querySelectorAll(`#cp-page-${i} img`)].every((img) => img.complete)",
                            arg=page_index)


def answer_question(frame, quiz: QuizKey, question: Any, right: bool = True, force: bool = False) -> Any:
    """Answer one question with Playwright actions; returns the answer given (as chosen())."""
    fs = question_sel(quiz, question)
    answer = chosen(question, right)
    if isinstance(question, SingleChoice):
        frame.check(f'{fs} input[data-cp-choice="{answer}"]', force=force)
    elif isinstance(question, MultipleResponse):
        for c in question.choices:
            box = f'{fs} input[data-cp-choice="{c.id}"]'
            if c.id in answer:
                frame.check(box, force=force)
            else:
                frame.uncheck(box, force=force)
    elif isinstance(question, TrueFalse):
        frame.check(f'{fs} input[value="{"true" if answer else "false"}"]', force=force)
    elif isinstance(question, FillIn):
        frame.fill(f"{fs} input[data-cp-fill-input]", answer, force=force)
    elif isinstance(question, Matching):
        for pid, match in answer.items():
            frame.select_option(f'{fs} select[data-cp-match="{pid}"]', value=match, force=force)
    elif isinstance(question, Sequencing):
        for pos, item in enumerate(answer):
            for _ in range(len(answer)):
                if sequence_order(frame, fs).index(item) <= pos:
                    break
                frame.click(f'{fs} [data-cp-item="{item}"] [data-cp-move="up"]', force=force)
        assert sequence_order(frame, fs) == list(answer)
    return answer


def answer_quiz(frame, quiz: QuizKey, right: bool | set[str] = True, submit: bool = True,
                force: bool = False) -> dict[str, Any]:
    """Answer every question (right=True: all right; False: all wrong; a set: the question ids to
    get wrong) and submit. Returns {question id: answer given}."""
    given = {}
    for q in quiz.questions:
        ok = right if isinstance(right, bool) else q.id not in right
        given[q.id] = answer_question(frame, quiz, q, ok, force=force)
    if submit:
        frame.click(f"{quiz_sel(quiz)} [data-cp-action=submit]", force=force)
        frame.wait_for_selector(f"{quiz_sel(quiz)} [data-cp-action=submit]", state="hidden")
    return given


def write_reflection(frame, reflection: ReflectionKey, text: str, force: bool = False) -> None:
    frame.fill(f'[data-cp-reflection-input="{reflection.id}"]', text, force=force)


def current_page(frame) -> int | None:
    """Index of the page shown, or None when another view is shown."""
    return frame.evaluate("""() => { const s = document.querySelector('section[data-cp-view=page]:not([hidden])');
                                     return s ? +s.dataset.cpPageIndex : null; }""")


def visible_view(frame) -> str | None:
    return frame.evaluate("""() => { const s = document.querySelector('section[data-cp-view]:not([hidden])');
                                     return s ? s.dataset.cpView : null; }""")


SETTLED = "() => !document.getElementById('cp-main').hasAttribute('aria-busy')"


def settled(frame) -> None:
    """Wait for a turn waiting on its page file: a click before then goes one page further, by design."""
    frame.wait_for_function(SETTLED)


def next_page(frame, force: bool = False) -> None:
    settled(frame)
    before = current_page(frame)
    frame.click("#cp-next", force=force)
    settled(frame)
    if before is not None:
        frame.wait_for_function("(b) => !document.getElementById('cp-page-' + b) || document.getElementById('cp-page-' + b).hidden",
                                arg=before)


def focused_id(frame) -> str:
    return frame.evaluate("() => document.activeElement ? document.activeElement.id : ''")


def interactions(cmi: dict) -> list[dict]:
    """cmi.interactions as a list (scorm-again renders arrays as {"0": {...}, ...})."""
    items = cmi.get("interactions") or {}
    if isinstance(items, dict):
        items = items.get("childArray", items)
    if isinstance(items, dict):
        return [items[k] for k in sorted(items, key=int)]
    return list(items)


def pattern_of(interaction: dict) -> str | None:
    responses = interaction.get("correct_responses") or {}
    if isinstance(responses, dict):
        responses = responses.get("childArray", responses)
        responses = [responses[k] for k in sorted(responses, key=int)] if isinstance(responses, dict) else responses
    return responses[0].get("pattern") if responses else None


def completion_day(suspend_data: str) -> datetime.date:
    """The completion day the player saved (field 2 of the saved state, days since 1970 in
    base 36): the same place in every saved-state format so far ("2...", "3...")."""
    day = suspend_data.split("|")[2]
    return datetime.date(1970, 1, 1) + datetime.timedelta(days=int(day, 36))


# --------------------------------------------------------------------------- playing with the keyboard

_DESCRIBE_FN = """function describe() {
  const a = document.activeElement;
  if (!a || a === document.body || !document.hasFocus()) return '(nothing focused in the course frame)';
  let d = a.tagName.toLowerCase() + (a.id ? '#' + a.id : '');
  for (const n of a.getAttributeNames()) if (n.startsWith('data-cp-') || n === 'type' || n === 'value') d += '[' + n + '=' + a.getAttribute(n) + ']';
  const text = (a.innerText || a.value || '').trim().slice(0, 30);
  return d + (text ? ' "' + text + '"' : '');
}"""

_DESCRIBE = "() => { " + _DESCRIBE_FN + " return describe(); }"

_MATCHES = """(sel) => { const a = document.activeElement;
  return !!(document.hasFocus() && a && a !== document.body && a.matches(sel)); }"""

# One round trip per Tab: does the focused element match, and what is it (for the failure path).
_STEP = "(sel) => { " + _DESCRIBE_FN + """
  const a = document.activeElement;
  return [!!(document.hasFocus() && a && a !== document.body && a.matches(sel)), describe()]; }"""

_FOCUS_RING = """() => {
  const a = document.activeElement, s = getComputedStyle(a);
  const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
  const shadow = s.boxShadow && s.boxShadow !== 'none';
  return {outline: outline ? s.outlineStyle + ' ' + s.outlineWidth + ' ' + s.outlineColor : null,
          shadow: shadow ? s.boxShadow : null, focusVisible: a.matches(':focus-visible')};
}"""


class KeyboardTrap(AssertionError):
    pass


class Keyboard:
    """Keys only: no clicks, no element.focus(). Reads the DOM (which element is focused, values)
    to decide the next key, as a sighted keyboard user reads the screen."""

    def __init__(self, page, frame, max_presses: int = 120):
        self.page = page
        self.frame = frame
        self.max_presses = max_presses
        self.presses = 0

    def press(self, key: str) -> None:
        self.presses += 1
        self.page.keyboard.press(key)

    def type(self, text: str) -> None:
        self.page.keyboard.type(text)

    def focused(self) -> str:
        return self.frame.evaluate(_DESCRIBE)

    def focused_is(self, selector: str) -> bool:
        return self.frame.evaluate(_MATCHES, selector)

    def focused_attr(self, name: str) -> str | None:
        return self.frame.evaluate("(n) => document.activeElement ? document.activeElement.getAttribute(n) : null", name)

    def tab_to(self, selector: str, backwards: bool = False, max_presses: int | None = None) -> int:
        """Press Tab (Shift+Tab) until the focused element matches ``selector``; returns the presses.
        Fails with the focus path when it is not reached in ``max_presses`` (a trap, or a control
        that is not focusable), so a keyboard trap fails the test instead of hanging it."""
        limit = self.max_presses if max_presses is None else max_presses
        key = "Shift+Tab" if backwards else "Tab"
        path: list[str] = []
        found, _ = self.frame.evaluate(_STEP, selector)
        while not found:
            if len(path) == limit:
                raise KeyboardTrap(f"{key} x{limit} never reached {selector}; "
                                   f"focus went: {' -> '.join(path[-15:])}")
            self.press(key)
            found, where = self.frame.evaluate(_STEP, selector)
            path.append(where)
        return len(path)

    def focus_ring(self) -> dict:
        return self.frame.evaluate(_FOCUS_RING)

    def assert_focus_visible(self, where: str) -> None:
        ring = self.focus_ring()
        assert ring["outline"] or ring["shadow"], f"{where}: no visible focus indicator on {self.focused()} ({ring})"

    # -- question types

    def pick_radio(self, fieldset: str, value_attr: str, wanted: str) -> None:
        """Tab into a radio group, then arrow to the wanted radio (arrows check as they move)."""
        self.tab_to(f"{fieldset} input[type=radio]")
        count = self.frame.eval_on_selector_all(f"{fieldset} input[type=radio]", "els => els.length")
        for _ in range(count + 1):
            if self.focused_attr(value_attr) == wanted:
                self.press("Space")
                break
            self.press("ArrowDown")
        assert self.frame.is_checked(f'{fieldset} input[{value_attr}="{wanted}"]'), f"could not pick {wanted} in {fieldset}"

    def tick_boxes(self, fieldset: str, wanted: list[str]) -> None:
        order = self.frame.eval_on_selector_all(f"{fieldset} input[type=checkbox]", "els => els.map(e => e.dataset.cpChoice)")
        for choice in order:  # in tab order, so Tab only moves forward
            box = f'{fieldset} input[data-cp-choice="{choice}"]'
            if (choice in wanted) != self.frame.is_checked(box):
                self.tab_to(box)
                self.press("Space")
        for choice in order:
            assert self.frame.is_checked(f'{fieldset} input[data-cp-choice="{choice}"]') == (choice in wanted)

    def choose_option(self, select: str, value: str) -> None:
        """A <select> by arrow keys: closed, they change its value; if they open the picker
        instead (Chromium does that for a styled ``appearance: base-select`` select, at times),
        they move through its options, and Enter picks the one wanted."""
        self.tab_to(select)
        options = self.frame.eval_on_selector_all(f"{select} option", "els => els.map(o => o.value)")
        seen = []
        for _ in range(3 * len(options) + 2):
            state = self.frame.eval_on_selector(select, """s => { const a = document.activeElement;
                return {value: s.value, open: a !== s && s.contains(a), on: a !== s && s.contains(a) ? a.value : null}; }""")
            seen.append(state)
            if state["open"]:
                if state["on"] == value:
                    self.press("Enter")
                    continue
                here = options.index(state["on"])
            elif state["value"] == value:
                return
            else:
                here = options.index(state["value"])
            self.press("ArrowDown" if options.index(value) > here else "ArrowUp")
        raise AssertionError(f"could not choose {value} in {select} with the arrow keys: options {options}, "
                             f"states seen {seen}, focus on {self.focused()}")

    def order_items(self, fieldset: str, wanted: list[str]) -> None:
        """Selection sort with the Move up buttons: focus stays on the button pressed."""
        for pos, item in enumerate(wanted):
            current = sequence_order(self.frame, fieldset)
            if current.index(item) == pos:
                continue
            self.tab_to(f'{fieldset} [data-cp-item="{item}"] [data-cp-move="up"]')
            for _ in range(current.index(item) - pos):
                self.press("Enter")
                assert self.focused_is(f'{fieldset} [data-cp-item="{item}"] [data-cp-move="up"]'), \
                    f"focus left the Move up button of {item}: {self.focused()}"
            assert sequence_order(self.frame, fieldset).index(item) == pos
        assert sequence_order(self.frame, fieldset) == list(wanted)

    def answer_question(self, quiz: QuizKey, question: Any, right: bool = True) -> Any:
        fs = question_sel(quiz, question)
        answer = chosen(question, right)
        if isinstance(question, SingleChoice):
            self.pick_radio(fs, "data-cp-choice", answer)
        elif isinstance(question, TrueFalse):
            self.pick_radio(fs, "value", "true" if answer else "false")
        elif isinstance(question, MultipleResponse):
            self.tick_boxes(fs, answer)
        elif isinstance(question, FillIn):
            self.tab_to(f"{fs} input[data-cp-fill-input]")
            self.type(answer)
        elif isinstance(question, Matching):
            order = self.frame.eval_on_selector_all(f"{fs} select[data-cp-match]", "els => els.map(e => e.dataset.cpMatch)")
            for pid in order:
                self.choose_option(f'{fs} select[data-cp-match="{pid}"]', answer[pid])
        elif isinstance(question, Sequencing):
            self.order_items(fs, answer)
        return answer

    def answer_quiz(self, quiz: QuizKey, right: bool = True) -> dict[str, Any]:
        given = {q.id: self.answer_question(quiz, q, right) for q in quiz.questions}
        self.tab_to(f"{quiz_sel(quiz)} [data-cp-action=submit]")
        self.press("Enter")
        self.frame.wait_for_selector(f"{quiz_sel(quiz)} [data-cp-action=submit]", state="hidden")
        return given

    def write(self, reflection: ReflectionKey, text: str, keyed: int = 12) -> None:
        """Tab to the box, type the first ``keyed`` characters key by key, then insert the rest in
        one input event (as an IME or a paste does): the keys reach the box either way, without
        one browser round trip per character of a 180-character text."""
        self.tab_to(f'[data-cp-reflection-input="{reflection.id}"]')
        self.type(text[:keyed])
        if text[keyed:]:
            self.page.keyboard.insert_text(text[keyed:])

    def activate(self, selector: str, key: str = "Enter", backwards: bool = False) -> None:
        self.tab_to(selector, backwards=backwards)
        self.press(key)

