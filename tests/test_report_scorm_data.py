"""Decoding what the SCORM 1.2 packages write (builder/report/scorm_data.py): cmi.comments framing,
the saved state as the player's own JavaScript encodes it (run in Node.js), quiz attempts from
interactions, and Moodle's value formats."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from conftest import REPO
from coursepack.load.course_loader import load_course
from coursepack.render.course_data import course_data
from coursepack.render.unit_contents import unit_contents
from coursepack.report.course_map import course_map
from coursepack.report.evidence import Learner, LearnerEvidence
from coursepack.report.sco_attempt import OTHER_VERSION, ScoAttempt, apply_attempt
from coursepack.report.scorm_data import (
    Interaction,
    StateError,
    decode_state,
    parse_comments,
    quiz_attempt_scores,
    reflection_texts,
    score_value,
    state_fingerprint,
    text_length,
    timespan_seconds,
    unpack,
)
from coursepack.targets.limits import SCORM12_LIMITS

TRACKING = REPO / "builder" / "runtime" / "tracking.js"
NODE = shutil.which("node")


def record(rid: str, text: str, units: bool = False) -> str:
    length = len(text.encode("utf-16-le")) // 2 if units else len(text)
    return f"#{rid}:{length}:{text}\n"


# ---- cmi.comments ---------------------------------------------------------------------------------


def test_last_record_of_an_id_wins_across_appended_writes() -> None:
    # Bob's case: the first session skipped a reflection, the second wrote it and repeated the others
    value = "@1" + record("a-reflect", "first") + record("b-reflect", "kept") + "@2" + record("a-reflect", "second\nline")
    assert parse_comments(value) == {"a-reflect": "second\nline", "b-reflect": "kept"}


def test_crlf_from_moodles_unload_beacon_reads_like_lf() -> None:
    value = ("@1" + record("a-reflect", "one\ntwo") + record("b-reflect", "three")).replace("\n", "\r\n")
    assert parse_comments(value) == {"a-reflect": "one\ntwo", "b-reflect": "three"}


def test_lengths_in_code_points_and_in_older_packages_utf16_units() -> None:
    text = "Emoji 👩‍🏫 and 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 #b-reflect:3:no"  # astral characters: the two counts differ
    assert len(text) != len(text.encode("utf-16-le")) // 2
    for units in (False, True):
        value = "@1" + record("a-reflect", text, units) + record("b-reflect", "yes")
        assert parse_comments(value) == {"a-reflect": text, "b-reflect": "yes"}


def test_junk_between_records_is_skipped_and_bad_ids_ignored() -> None:
    value = "noise@1" + record("a-reflect", "ok") + "#Bad_Id:2:xx\n" + record("c-reflect", "fine")
    assert parse_comments(value) == {"a-reflect": "ok", "c-reflect": "fine"}


def test_reflection_length_counts_code_points_of_the_trimmed_text() -> None:
    assert text_length("  café 👩‍🏫 \n") == len("café 👩‍🏫")
    assert text_length("") == 0


# ---- saved state, encoded by the player's own codec --------------------------------------------------

ENCODER = """
const fs = require("fs"), vm = require("vm");
const w = { console }; w.window = w; vm.createContext(w);
vm.runInContext(fs.readFileSync(process.argv[1], "utf8"), w);
const input = JSON.parse(fs.readFileSync(0, "utf8"));
process.stdout.write(JSON.stringify(w.Coursepack.codec.encode(input.state, input.data)));
"""


def encode_in_node(state: dict, data: dict) -> str:
    if NODE is None:
        pytest.skip("needs Node.js (node) to run the player's JavaScript")
    out = subprocess.run([NODE, "-e", ENCODER, str(TRACKING)], input=json.dumps({"state": state, "data": data}),
                         capture_output=True, text=True, check=True, timeout=60)
    return json.loads(out.stdout)


@pytest.fixture(scope="module")
def loaded():
    return load_course(REPO)


def test_state_written_by_the_player_decodes_to_its_pages_bests_and_reflections(loaded) -> None:
    unit = unit_contents(loaded, "certificate")
    data = course_data(unit, "scorm12", SCORM12_LIMITS)
    pages = [i % 3 != 0 for i in range(len(data["pages"]))]
    quizzes = [{"attempts": 0, "best": None, "last": None} for _ in data["quizzes"]]
    quizzes[0] = {"attempts": 3, "best": 6666, "last": None}
    quizzes[2] = {"attempts": 1, "best": 10000, "last": None}
    texts = {data["reflections"][0]["id"]: "Café — naïve “quotes”.\nSecond line 👩‍🏫", data["reflections"][3]["id"]: "short"}
    value = encode_in_node({"pages": pages, "done": 20789, "quizzes": quizzes, "reflections": texts}, data)

    assert state_fingerprint(value) == data["fp"]
    state = decode_state(value, len(data["pages"]), len(data["quizzes"]), len(data["reflections"]))
    assert state.pages == pages
    assert state.completed_day == 20789
    assert [(q.attempts, q.best_percent) if q else None for q in state.quizzes][:3] == [(3, 66.66), None, (1, 100.0)]
    assert state.reflections[0] == texts[data["reflections"][0]["id"]]
    assert state.reflections[3] == "short" and state.reflections[1] is None

    # through the course map: the shape matches, so the saved state is what counts
    course = course_map(loaded)
    evidence = LearnerEvidence(Learner("mailto:x@example.org", "X"))
    warnings: set[str] = set()
    apply_attempt(evidence, ScoAttempt("item-course", 1, "incomplete", suspend_data=value), course, warnings)
    assert not warnings
    first_quiz = data["quizzes"][0]["id"]
    assert evidence.quizzes[first_quiz].best_percent == 66.66 and evidence.quizzes[first_quiz].evidence == "suspend_data"
    first_module = course.module_ids[0]
    module_pages = [p for p, page in zip(pages, data["pages"]) if page["module"] == 0]
    assert (evidence.modules[first_module].pages_seen, evidence.modules[first_module].pages_total) == (sum(module_pages), len(module_pages))
    assert evidence.reflections[data["reflections"][3]["id"]].chars == 5


def test_packed_text_round_trips_from_the_players_packer() -> None:
    if NODE is None:
        pytest.skip("needs Node.js (node) to run the player's JavaScript")
    texts = ["plain English", "Ученики ИИ", "学生用人工智能", "👩‍🏫📚 ok 🇺🇸", "\U000E0067\U000F0000\U0010FFFD", "a`b ~ c"]
    script = ENCODER.replace("w.Coursepack.codec.encode(input.state, input.data)", "input.map(t => w.Coursepack.codec.pack(t))")
    out = subprocess.run([NODE, "-e", script, str(TRACKING)], input=json.dumps(texts), capture_output=True, text=True, check=True, timeout=60)
    assert [unpack(p) for p in json.loads(out.stdout)] == texts


def test_a_state_of_another_course_version_is_not_read(loaded) -> None:
    # the fixtures' packages (version 1.0.0, format 2, 36 pages) against today's course
    course = course_map(loaded)
    old = "2hsYa|______|g1h|1,7ps,0Hf=0~012301234|" + "|" * 12 + "text"
    evidence = LearnerEvidence(Learner("mailto:x@example.org", "X"))
    warnings: set[str] = set()
    apply_attempt(evidence, ScoAttempt("item-course", 1, "incomplete", suspend_data=old), course, warnings)
    assert warnings == {OTHER_VERSION}
    assert not evidence.quizzes and not evidence.modules


def test_damaged_or_foreign_states_raise() -> None:
    with pytest.raises(StateError):
        decode_state("hello", 1, 0, 0)
    with pytest.raises(StateError):
        decode_state("3abcd|A||x,y,|", 1, 1, 0)
    with pytest.raises(StateError):
        decode_state("3abcd|A|", 1, 1, 1)  # too few parts for the shape


# ---- interactions -------------------------------------------------------------------------------------


def q(n: int, qid: str, result: str, weight: float | None = 1) -> Interaction:
    return Interaction(n, qid, "choice", result, "a", weight)


def test_quiz_attempts_split_where_a_question_repeats() -> None:
    # studente: quiz 1 three times at 4/6, then quiz 2 right; a reflection in between is not a question
    wrong = {"q1.a", "q1.c"}
    items = [Interaction(0, "m1-reflect", "fill-in", "neutral", "text")]
    n = 1
    for _ in range(3):
        for question in ("q1.a", "q1.b", "q1.c", "q1.d", "q1.e", "q1.f"):
            items.append(q(n, question, "wrong" if question in wrong else "correct"))
            n += 1
    items += [q(n + i, f"q2.{x}", "correct") for i, x in enumerate("abc")]
    # Moodle lists elements sorted as strings: the order given must not matter
    items.sort(key=lambda ix: str(ix.index))
    assert quiz_attempt_scores(items, lambda quiz, question: None) == {"q1": [66.66, 66.66, 66.66], "q2": [100.0]}


def test_weighting_or_else_the_course_points_weigh_questions() -> None:
    items = [q(0, "q.a", "correct", None), q(1, "q.b", "wrong", None)]
    assert quiz_attempt_scores(items, lambda quiz, question: 3 if question == "a" else 1) == {"q": [75.0]}
    assert quiz_attempt_scores([q(0, "q.a", "correct", 1), q(1, "q.b", "wrong", 2)], lambda *_: None) == {"q": [33.33]}


def test_the_last_interaction_of_a_reflection_is_its_text() -> None:
    items = [Interaction(5, "r", "fill-in", "neutral", "later"), Interaction(1, "r", "fill-in", "neutral", "earlier"),
             q(2, "quiz.x", "correct")]
    assert reflection_texts(items) == {"r": "later"}


# ---- Moodle's values ----------------------------------------------------------------------------------


def test_seventeen_digit_floats_strings_and_empty_scores() -> None:
    assert score_value(66.659999999999997) == 66.66
    assert score_value("66.66") == 66.66
    assert score_value(100) == 100.0
    assert score_value("") is None and score_value(None) is None and score_value("n/a") is None


def test_scorm_timespans() -> None:
    assert timespan_seconds("00:00:56.46") == pytest.approx(56.46)
    assert timespan_seconds("0012:30:05") == 12 * 3600 + 30 * 60 + 5
    assert timespan_seconds("") is None and timespan_seconds("PT5M") is None and timespan_seconds(None) is None
