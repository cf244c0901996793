"""Self-tests of the browser harness: each check is shown able to pass AND to fail.

The check_strict unit tests at the bottom need no browser; the others play the hand-written
SCOs in tests/browser/fixtures/ in headless chromium.
"""

from __future__ import annotations

import pytest

from . import harness
from .harness import FIXTURES, Call, check_strict

browser = pytest.mark.browser


def rules(violations) -> list[str]:
    return [v.rule for v in violations]


# --------------------------------------------------------------------------- playing a SCO

@browser
def test_tiny_sco_is_recorded_and_clean(lms):
    frame = lms.play(FIXTURES / "tiny_sco")
    final = lms.final_cmi()

    calls = lms.calls()
    names = [c.name for c in calls]
    assert names[0] == "LMSInitialize" and names[-1] == "LMSFinish"
    assert names.count("LMSCommit") == 2   # status committed, then the score
    sets = {c.element: c.value for c in calls if c.name == "LMSSetValue"}
    assert sets["cmi.core.lesson_status"] == "completed"
    assert sets["cmi.core.score.raw"] == "85"
    assert all(c.ret == "true" for c in calls if c.name != "LMSGetValue")
    assert all(c.error == "0" for c in calls)

    assert final["core"]["lesson_status"] == "completed"
    assert final["core"]["score"] == {"raw": "85", "min": "0", "max": "100"}
    assert final["core"]["lesson_location"] == "page-2"
    assert final["core"]["exit"] == "suspend"
    assert final["suspend_data"] == '{"page":2,"answers":["a"]}'
    # what the LMS passed on a first launch, read by the SCO
    seen = frame.evaluate("window.seen")
    assert seen["cmi.core.entry"] == "ab-initio"
    assert seen["cmi.core.student_name"] == "Learner, Test"
    assert seen["cmi.launch_data"] == "from-the-manifest"   # adlcp:datafromlms

    commits = lms.commits()
    assert [c["name"] for c in commits] == ["LMSCommit", "LMSCommit", "LMSFinish"]
    assert commits[0]["cmi"]["core"]["lesson_status"] == "completed"
    assert commits[0]["cmi"]["core"]["score"]["raw"] == ""

    assert check_strict(calls) == []
    assert lms.console_errors == []
    assert lms.run_axe() == []   # the host page and the tiny SCO are accessible


@browser
def test_plays_a_zip_and_insists_on_a_root_manifest(lms, tmp_path):
    import zipfile
    good, bad = tmp_path / "good.zip", tmp_path / "bad.zip"
    with zipfile.ZipFile(good, "w") as zf, zipfile.ZipFile(bad, "w") as zb:
        for f in (FIXTURES / "tiny_sco").iterdir():
            zf.write(f, f.name)
            zb.write(f, "nested/" + f.name)
    lms.play(good)
    assert lms.final_cmi()["core"]["lesson_status"] == "completed"
    with pytest.raises(AssertionError, match="no imsmanifest.xml at the package root"):
        lms.play(bad)


@browser
def test_preloaded_cmi_is_what_the_sco_reads(lms):
    """A resume launch: prior-session data preloaded with scorm-again's loadFromJSON."""
    prior = {
        "core": {"entry": "resume", "lesson_location": "page-7", "lesson_status": "incomplete",
                 "student_name": "Doe, Jane"},
        "suspend_data": '{"page":7}',
        "comments": "prior comment",
        "cmi.student_data.mastery_score": "75",   # flattened keys work too
    }
    frame = lms.play(FIXTURES / "tiny_sco", cmi=prior)
    assert frame.evaluate("window.seen") == {
        "cmi.core.entry": "resume",
        "cmi.core.lesson_location": "page-7",
        "cmi.core.lesson_status": "incomplete",
        "cmi.core.student_name": "Doe, Jane",
        "cmi.core.student_id": "learner-001",
        "cmi.core.credit": "credit",
        "cmi.suspend_data": '{"page":7}',
        "cmi.comments": "prior comment",
        "cmi.launch_data": "from-the-manifest",
        "cmi.student_data.mastery_score": "75",
    }
    lms.wait_for_finish()
    assert lms.check_strict() == []


@browser
def test_next_session_resumes_like_moodle(lms):
    lms.play(FIXTURES / "tiny_sco")
    first = lms.final_cmi()
    second_cmi = harness.next_session_cmi(first)
    assert second_cmi["core"]["entry"] == "resume"          # exit was "suspend"
    assert second_cmi["core"]["total_time"] == "00:00:05.25"
    frame = lms.play(FIXTURES / "tiny_sco", cmi=second_cmi)
    seen = frame.evaluate("window.seen")
    assert seen["cmi.core.entry"] == "resume"
    assert seen["cmi.core.lesson_location"] == "page-2"
    assert seen["cmi.suspend_data"] == first["suspend_data"]
    assert harness.next_session_cmi({"core": {"exit": ""}})["core"]["entry"] == ""


@browser
def test_comments_overwrite_in_scorm_again_but_append_in_moodle(lms):
    lms.play(FIXTURES / "tiny_sco", launch="index.html?comments=first&comments=second")
    final = lms.final_cmi()
    assert final["comments"] == "second"     # scorm-again: each LMSSetValue replaces
    assert rules(lms.check_strict()) == ["comments-repeated"]   # Moodle would store "firstsecond"


@browser
def test_bad_sco_violations_are_reported(lms):
    lms.play(FIXTURES / "bad_sco")
    lms.wait_for_finish()
    violations = lms.check_strict()
    by_rule = {}
    for v in violations:
        by_rule.setdefault(v.rule, []).append(v)
    text = "\n".join(map(str, violations))

    # 'not attempted' is not a settable lesson_status (scorm-again rejects it too: 405)
    [fmt] = [v for v in by_rule["value-format"] if v.call.element == "cmi.core.lesson_status"]
    assert fmt.call.value == "not attempted"
    # 5,000 characters of suspend_data: scorm-again accepts it, Moodle's 4,096 does not
    [sd] = by_rule["suspend_data-length"]
    assert sd.call.ret == "true" and "5000 characters" in sd.message
    # session_time with 3 decimals
    [st] = [v for v in by_rule["value-format"] if v.call.element == "cmi.core.session_time"]
    assert st.call.value == "00:00:01.234"
    # calls after LMSFinish, and LMSFinish twice. scorm-again 3.4.3 itself accepts the
    # LMSSetValue and LMSCommit after LMSFinish ("true", error 0) and answers the second
    # LMSFinish "true" with error 101: only the recorder + checker see them.
    after = [(v.call.name, v.call.ret, v.call.error) for v in by_rule["call-after-finish"]]
    assert after == [("LMSSetValue", "true", "0"), ("LMSCommit", "true", "0"),
                     ("LMSFinish", "true", "101")], text
    assert len(by_rule["finish-once"]) == 1
    # what scorm-again did reject shows up as non-zero LMSGetLastError codes
    assert sorted(v.call.error for v in by_rule["error-code"]) == ["101", "405", "405"], text
    # the only status set was rejected: Moodle would store 'completed', scorm-again does not
    assert len(by_rule["status-never-set"]) == 1
    assert set(by_rule) == {"value-format", "suspend_data-length", "call-after-finish",
                            "finish-once", "error-code", "status-never-set"}, text
    assert lms.final_cmi()["core"]["lesson_status"] == "not attempted"


@browser
def test_console_errors_collects_from_the_content_frame(lms):
    lms.play(FIXTURES / "tiny_sco", launch="index.html?throw=1")
    lms.wait_for_finish()
    # the throw comes from a setTimeout: wait for it to land, not for a fixed time
    harness.wait_until(lms.page, lambda: any(e.startswith("pageerror:") for e in lms.console_errors))
    joined = "\n".join(lms.console_errors)
    assert "console.error on purpose" in joined
    assert "pageerror: tiny SCO: uncaught on purpose" in joined


@browser
def test_close_content_runs_the_unload_finish(lms):
    lms.play(FIXTURES / "tiny_sco", launch="index.html?finish=unload")
    assert [c.name for c in lms.calls()].count("LMSFinish") == 0
    lms.close_content()
    final = lms.final_cmi()
    assert final["core"]["exit"] == "suspend"
    assert lms.check_strict() == []


# --------------------------------------------------------------------------- mastery_override

# THE TRAP our real package must survive. A SCO reports score.raw=90 and lesson_status
# "incomplete"; the manifest's adlcp:masteryscore is 80 and reaches the SCO as
# cmi.student_data.mastery_score. scorm-again's LMSFinish, when mastery_override is on and
# credit == "credit" and lesson_mode == "normal", replaces the status with passed/failed from
# score vs mastery score (Moodle's "Mastery score overrides status" does the same). It is on
# for `new Scorm12API({...any settings...})` and off for `new Scorm12API()`. So the same SCO
# ends "incomplete" in one LMS and "passed" in another: a package must not send a score
# before it means the status that score implies, nor put masteryscore in a manifest whose
# SCO reports "incomplete" with a score.
@browser
@pytest.mark.parametrize("settings, expected", [
    (None, "incomplete"),                        # new Scorm12API(): mastery_override off
    ({}, "passed"),                              # new Scorm12API({}): mastery_override on
    ({"mastery_override": False}, "incomplete"),
])
def test_mastery_override_changes_final_status(lms, settings, expected):
    frame = lms.play(FIXTURES / "mastery_sco", settings=settings)
    assert frame.evaluate("window.masteryScore") == "80"   # from adlcp:masteryscore
    final = lms.final_cmi()
    assert final["core"]["score"]["raw"] == "90"
    assert final["core"]["lesson_status"] == expected
    # and Moodle would never re-grade it: the score arrived before any final status
    assert rules(lms.check_strict()) == ["moodle-regrade"]


# --------------------------------------------------------------------------- axe-core

@browser
@pytest.mark.parametrize("fixture", ["inaccessible", "inaccessible_csp"])
def test_axe_finds_the_faults_inside_the_iframe(lms, fixture):
    lms.play(FIXTURES / fixture)
    violations = lms.run_axe()
    ids = {v["id"] for v in violations}
    expected = {"button-name", "color-contrast", "document-title", "html-has-lang",
                "image-alt", "label"}
    assert expected <= ids, harness.format_axe(violations)
    # all in the package's document, none in the host page
    assert {v["frame"] for v in violations} == {lms.server.url("/pkg/index.html")}
    assert lms.console_errors == []   # injecting axe left no trace, even under the CSP


@browser
def test_axe_exclude_leaves_out_only_the_elements_named(lms):
    # sweeps exclude a player's hidden views: the page-level rules must still run
    lms.play(FIXTURES / "inaccessible")
    ids = {v["id"] for v in lms.run_axe(exclude=["img"])}
    assert "image-alt" not in ids
    assert {"document-title", "html-has-lang", "button-name", "label"} <= ids


# --------------------------------------------------------------------------- check_strict unit tests

def calls_of(*spec):
    """Build Calls from (name, args..., [ret, error]) tuples; ret/error default 'true'/'0'."""
    out = []
    for i, s in enumerate(spec):
        if isinstance(s, Call):
            out.append(s)
            continue
        name, *args = s
        ret, error = "true", "0"
        if args and isinstance(args[-1], dict):
            meta = args.pop()
            ret, error = meta.get("ret", ret), meta.get("error", error)
        out.append(Call(index=i, name=name, args=tuple(args), ret=ret, error=error))
    return out


def session(*middle, status="completed"):
    """LMSInitialize, the calls, a lesson_status set (unless status=None), LMSFinish."""
    end = [("LMSSetValue", "cmi.core.lesson_status", status)] if status else []
    return calls_of(("LMSInitialize", ""), *middle, *end, ("LMSFinish", ""))


def test_clean_session_has_no_violations():
    assert check_strict(session(
        ("LMSGetValue", "cmi.core.entry", {"ret": "ab-initio"}),
        ("LMSSetValue", "cmi.core.lesson_status", "passed"),
        ("LMSCommit", ""),
        ("LMSSetValue", "cmi.core.score.min", "0"),
        ("LMSSetValue", "cmi.core.score.max", "100"),
        ("LMSSetValue", "cmi.core.score.raw", "90.5"),
        ("LMSSetValue", "cmi.core.lesson_location", "x" * 255),
        ("LMSSetValue", "cmi.suspend_data", "é" * 2048),          # 4,096 bytes exactly
        ("LMSSetValue", "cmi.interactions.0.id", "q1"),
        ("LMSSetValue", "cmi.interactions.0.type", "choice"),
        ("LMSSetValue", "cmi.interactions.0.time", "09:05:00"),
        ("LMSSetValue", "cmi.interactions.0.student_response", "a,c"),
        ("LMSSetValue", "cmi.interactions.0.correct_responses.0.pattern", "a,c"),
        ("LMSSetValue", "cmi.interactions.0.result", "correct"),
        ("LMSSetValue", "cmi.interactions.0.latency", "0000:00:04.5"),
        ("LMSSetValue", "cmi.interactions.0.weighting", "1"),
        ("LMSSetValue", "cmi.interactions.1.id", "q2"),
        ("LMSSetValue", "cmi.interactions.1.type", "matching"),
        ("LMSSetValue", "cmi.interactions.1.student_response", "1.a,2.b"),
        ("LMSSetValue", "cmi.interactions.1.result", "wrong"),
        ("LMSSetValue", "cmi.interactions.2.id", "q3"),
        ("LMSSetValue", "cmi.interactions.2.type", "true-false"),
        ("LMSSetValue", "cmi.interactions.2.student_response", "t"),
        ("LMSSetValue", "cmi.interactions.2.result", "0.5"),
        ("LMSSetValue", "cmi.objectives.0.id", "obj-1"),
        ("LMSSetValue", "cmi.objectives.0.status", "not attempted"),
        ("LMSSetValue", "cmi.comments", "one comment"),
        ("LMSGetLastError",),
        ("LMSSetValue", "cmi.core.session_time", "0001:02:03.45"),
        ("LMSSetValue", "cmi.core.exit", ""),
        ("LMSCommit", ""),
        status=None,
    )) == []


@pytest.mark.parametrize("element, value, rule", [
    ("cmi.core.lesson_status", "not attempted", "value-format"),
    ("cmi.core.lesson_status", "Passed", "value-format"),
    ("cmi.core.score.raw", "101", "value-range"),
    ("cmi.core.score.raw", "-1", "value-range"),
    ("cmi.core.score.raw", "1e2", "value-format"),
    ("cmi.core.score.max", "1000", "value-format"),
    ("cmi.core.session_time", "00:00:01.234", "value-format"),
    ("cmi.core.session_time", "1:00:00", "value-format"),
    ("cmi.core.session_time", "12345:00:00", "value-format"),
    ("cmi.core.session_time", "PT1M", "value-format"),
    ("cmi.core.exit", "normal", "value-format"),
    ("cmi.core.lesson_location", "x" * 256, "value-format"),
    ("cmi.suspend_data", "x" * 4097, "suspend_data-length"),
    ("cmi.suspend_data", "é" * 2049, "suspend_data-length"),     # 2,049 chars, 4,098 bytes
    ("cmi.suspend_data", "😀" * 2049, "suspend_data-length"),    # 4,098 UTF-16 units
    ("cmi.comments", "x" * 4097, "value-format"),
    ("cmi.interactions.0.time", "9:05:00", "value-format"),
    ("cmi.interactions.0.time", "2026-01-01T09:05:00", "value-format"),
    ("cmi.interactions.0.type", "long-fill-in", "value-format"),
    ("cmi.interactions.0.result", "incorrect", "value-format"),
    ("cmi.interactions.0.latency", "4s", "value-format"),
    ("cmi.interactions.0.weighting", "101", "value-range"),
    ("cmi.interactions.0.id", "has space", "value-format"),
    ("cmi.interactions.0.student_response", "x" * 256, "value-format"),
    ("cmi.objectives.0.status", "done", "value-format"),
    ("cmi.student_preference.text", "2", "value-range"),
    ("cmi.core.student_name", "Me", "read-only"),
    ("cmi.core.total_time", "00:00:01", "read-only"),
    ("cmi.core.nonsense", "x", "unknown-element"),
    ("cmi.interactions.3.id", "q", "index-gap"),
])
def test_each_bad_value_is_reported(element, value, rule):
    found = check_strict(session(("LMSSetValue", element, value)))
    assert rule in rules(found), found


@pytest.mark.parametrize("itype, response", [
    ("choice", "A"),
    ("choice", "ab"),
    ("choice", "a;b"),
    ("sequencing", "a b"),
    ("matching", "1-a"),
    ("matching", "1.a,2"),
    ("true-false", "yes"),
    ("likert", "10"),
    ("numeric", "ten"),
])
def test_response_formats_by_interaction_type(itype, response):
    found = check_strict(session(
        ("LMSSetValue", "cmi.interactions.0.id", "q1"),
        ("LMSSetValue", "cmi.interactions.0.student_response", response),  # type set later
        ("LMSSetValue", "cmi.interactions.0.type", itype),
        ("LMSSetValue", "cmi.interactions.0.correct_responses.0.pattern", response),
    ))
    assert rules(found) == ["response-format", "response-format"], found


def test_session_shape_rules():
    # no LMSInitialize first, initialized twice, nothing after LMSFinish, LMSFinish once
    found = check_strict(calls_of(
        ("LMSGetValue", "cmi.core.entry"),
        ("LMSInitialize", ""),
        ("LMSInitialize", "", {"ret": "false", "error": "101"}),
        ("LMSSetValue", "cmi.core.lesson_status", "completed"),
        ("LMSFinish", ""),
        ("LMSGetLastError",),                   # allowed after LMSFinish
        ("LMSGetValue", "cmi.core.lesson_status", {"ret": "", "error": "101"}),
        ("LMSFinish", "", {"ret": "false", "error": "101"}),
    ))
    assert sorted(rules(found)) == sorted([
        "initialize-first", "initialize-once", "error-code",
        "call-after-finish", "error-code",
        "call-after-finish", "error-code", "finish-once",
    ]), found
    assert "finish-once" in rules(check_strict(calls_of(("LMSInitialize", ""))))
    assert "initialize-once" in rules(check_strict(calls_of(("LMSFinish", ""))))


def test_moodle_regrade_rules_are_part_of_the_strict_check():
    # score and status in one commit: Moodle posts the score first and re-grades against "incomplete"
    bad = check_strict(session(
        ("LMSSetValue", "cmi.core.lesson_status", "incomplete"),
        ("LMSCommit", ""),
        ("LMSSetValue", "cmi.core.lesson_status", "passed"),
        ("LMSSetValue", "cmi.core.score.raw", "90"),
        status=None,
    ))
    assert rules(bad) == ["score-while-incomplete", "moodle-regrade"]
    ok = check_strict(session(
        ("LMSSetValue", "cmi.core.lesson_status", "incomplete"),
        ("LMSCommit", ""),
        ("LMSSetValue", "cmi.core.lesson_status", "passed"),
        ("LMSCommit", ""),
        ("LMSSetValue", "cmi.core.score.raw", "90"),
        status=None,
    ))
    assert ok == []


def test_write_only_get_and_never_set_status():
    found = check_strict(session(("LMSGetValue", "cmi.core.session_time"), status=None))
    assert rules(found) == ["write-only", "status-never-set"]
    resumed = check_strict(session(status=None), initial_cmi={"core": {"lesson_status": "incomplete"}})
    assert resumed == []


def test_comments_append_like_moodle():
    found = check_strict(session(
        ("LMSSetValue", "cmi.comments", "x" * 3000),
        ("LMSSetValue", "cmi.comments", "y" * 1500),
    ), initial_cmi={"cmi.comments": ""})
    assert rules(found) == ["comments-repeated", "comments-length"]


def test_index_gaps_count_preloaded_items():
    prior = {"interactions": [{"id": "q1"}, {"id": "q2"}]}
    ok = session(("LMSSetValue", "cmi.interactions.2.id", "q3"))
    assert check_strict(ok, initial_cmi=prior) == []
    assert rules(check_strict(ok)) == ["index-gap"]


def test_calls_accept_recorded_dicts():
    recorded = [{"i": 0, "name": "LMSInitialize", "args": [""], "ret": "true", "error": "0"},
                {"i": 1, "name": "LMSSetValue", "args": ["cmi.core.lesson_status", "not attempted"],
                 "ret": "false", "error": "405"},
                {"i": 2, "name": "LMSFinish", "args": [""], "ret": "true", "error": "0"}]
    assert rules(check_strict(recorded)) == ["error-code", "value-format", "status-never-set"]


def test_read_manifest():
    m = harness.read_manifest(FIXTURES / "mastery_sco")
    assert (m.launch, m.mastery_score, m.launch_data) == ("index.html", "80", None)
    t = harness.read_manifest(FIXTURES / "tiny_sco")
    assert (t.mastery_score, t.launch_data, t.title) == (None, "from-the-manifest", "Tiny SCO")


def test_ci_turns_missing_requirements_into_failures(monkeypatch, tmp_path):
    monkeypatch.setattr(harness, "CHROMIUM", tmp_path / "no-chromium")
    assert any("no-chromium" in m for m in harness.requirements_missing())
    for value, expected in [("1", True), ("true", True), ("", False), ("0", False)]:
        monkeypatch.setenv("CI", value)
        assert harness.in_ci() is expected


def test_add_time():
    assert harness.add_time("00:59:59.50", "0000:00:00.75") == "01:00:00.25"
    assert harness.add_time("00:00:00", "00:00:05") == "00:00:05"
