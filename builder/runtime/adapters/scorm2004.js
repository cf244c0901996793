/* coursepack SCORM 2004 (4th edition) adapter: the tracking interface on window.API_1484_11
 * (Initialize ... Terminate), the same interface and the same discipline as adapters/scorm12.js.
 *
 * Writes (formats of the SCORM 2004 RTE data model):
 *   cmi.location              the current page key (<= 1,000)
 *   cmi.suspend_data          the compact ASCII state from tracking.js (<= 64,000, proved at build)
 *   cmi.progress_measure      share of the SCO's pages seen, 0..1; never 1 before the course is completed
 *   cmi.completion_status     incomplete | completed, never "not attempted"/"unknown"
 *   cmi.success_status        passed | failed, only when the course's rules give them (else left unknown)
 *     The player's status maps: incomplete -> incomplete; completed -> completed; passed -> completed +
 *     passed; failed -> failed, completion left incomplete (a failed learner has not met the course's
 *     rules, and an LMS that reads completion alone must not count the failure as done).
 *     As in SCORM 1.2, a CHANGED status is committed on its own, and only then cmi.score.min/max/raw/
 *     scaled, committed again; no score while incomplete. Moodle needs this order in 1.2 and it does no
 *     harm here. The score is on the same side of the pass mark as the status, so an LMS judging
 *     success by measure (the manifest's satisfiedByMeasure / cmi.scaled_passing_score) agrees.
 *   cmi.score.scaled = raw / 100 AND raw/min/max (0..100): Moodle's minimum-score completion reads raw
 *   cmi.exit "suspend" until completed/passed, then "normal"; cmi.session_time (ISO 8601 duration) at finish
 *   cmi.interactions.n.*      one per submitted question per attempt: id "<quiz id>.<question id>", type,
 *     description "<quiz title>: <question id>", timestamp (ISO 8601, UTC), weighting, learner_response,
 *     result correct|incorrect, latency (ISO 8601 duration), correct_responses.0.pattern. Response formats:
 *     choice "a[,]c" (letters by authored position), true-false "true"|"false", fill-in the text (<= 250),
 *     matching "1[.]a[,]2[.]b" (prompt number, match letter), sequencing "a[,]b[,]c".
 *     One long-fill-in per reflection per session (updated in place on commit): learner_response the
 *     learner's text in their script, up to 4,000 characters (a longer text, only possible with emoji
 *     near max_chars 4,000, is cut whole-character with "…"), result neutral.
 *   cmi.comments_from_learner.n: the reflections' report copy. One record per reflection per session,
 *     written on commit and updated in place: comment = the text (<= 4,000, cut as above), location =
 *     the reflection id, timestamp. Records are separate (SCORM 2004 has no appending string as 1.2's
 *     cmi.comments), so a reader takes the last record of each location. The saved state
 *     (cmi.suspend_data) stays what a resumed session reads.
 *   cmi.mode "review": reads only; "browse": pages, answers and reflections are kept, but no status and
 *     no score are written (a preview earns nothing).
 * adl.nav.request is not written: the LMS's own navigation (flow and choice) moves between SCOs.
 */
(function (w) {
  "use strict";
  var CP = w.Coursepack;

  function detect(win) { return CP.util.findApi(win, "API_1484_11", "Initialize"); }

  var LETTERS = "abcdefghijklmnopqrstuvwxyz";
  var TEXT_MAX = 4000; // localized_string_type (SPM 4,000): long-fill-in responses, comments
  var FILL_MAX = 250; // fill-in learner_response / pattern items (SPM 250)

  // ISO 8601 duration, seconds with at most 2 decimals: PT1H2M3.4S, PT0S
  function duration(ms) {
    var cs = Math.max(0, Math.round(ms / 10));
    var h = Math.floor(cs / 360000), m = Math.floor((cs % 360000) / 6000), s = Math.floor((cs % 6000) / 100), f = cs % 100;
    var out = "PT" + (h ? h + "H" : "") + (m ? m + "M" : "");
    if (s || f || (!h && !m)) out += s + (f ? "." + (f < 10 ? "0" + f : String(f)).replace(/0$/, "") : "") + "S";
    return out;
  }
  // ISO 8601 time(second,10,2) in UTC: YYYY-MM-DDThh:mm:ss.ssZ (the zone only follows a fraction)
  function timestamp(date) {
    return date.toISOString().slice(0, 22) + "Z";
  }
  // free text for a localized string: one line, whole characters, at most n UTF-16 units ("…" marks a cut);
  // a leading "{" would read as a {lang=...} delimiter, so it gets a space before it
  function text(value, n) {
    var flat = CP.util.readable(value, n);
    if (flat.charAt(0) === "{") flat = CP.util.readable(" " + flat, n);
    return flat;
  }
  function fillText(value) {
    return text(String(value == null ? "" : value).split("[,]").join(","), FILL_MAX);
  }

  function response(ix, question) {
    var r = ix.response, c = ix.correct;
    var list = function (xs) { return xs.map(function (i) { return LETTERS.charAt(i); }).join("[,]"); };
    switch (ix.type) {
      case "single_choice":
        return ["choice", r == null ? "" : LETTERS.charAt(r), LETTERS.charAt(c)];
      case "multiple_response":
        var sorted = function (xs) { return xs.slice().sort(function (a, b) { return a - b; }); };
        return ["choice", list(sorted(r || [])), list(sorted(c))];
      case "true_false":
        return ["true-false", r == null ? "" : r ? "true" : "false", c ? "true" : "false"];
      case "fill_in":
        return ["fill-in", r == null || r === "" ? "" : fillText(r), (question && question.case ? "{case_matters=true}" : "") + fillText(c)];
      case "matching":
        var pairs = function (xs) {
          var out = [];
          for (var i = 0; i < xs.length; i++) if (xs[i] != null) out.push((i + 1) + "[.]" + LETTERS.charAt(xs[i]));
          return out.join("[,]");
        };
        return ["matching", pairs(r || []), pairs(c)];
      case "sequencing":
        return ["sequencing", list(r || []), list(c)];
    }
    return ["other", "", ""];
  }
  function identifier(value) {
    return CP.util.ascii(value, 4000).replace(/\s/g, "_") || "interaction";
  }

  function create(api, data) {
    var limits = data.limits;
    var started = Date.now();
    var completion = "", success = "", status = "";
    var values = {};
    var reflections = {}, written = {}, dirty = {}, reflIndex = {}, commentIndex = {};
    var review = false, browse = false;
    var nextInteraction = 0, nextComment = 0;
    var quizzes = {};
    for (var qi = 0; qi < data.quizzes.length; qi++) quizzes[data.quizzes[qi].id] = data.quizzes[qi];
    var pendingScore = null, statusUncommitted = false;
    var inCourseOrder = CP.util.courseOrder(data.reflections);

    var model = CP.util.dataModel(api, "GetValue", "SetValue", "GetLastError", values);
    var get = model.get, set = model.set, setOnce = model.setOnce;
    // set each [name, value]; an empty value is skipped unless `empties` (a reflection cleared by the learner)
    function fields(prefix, list, empties) {
      for (var i = 0; i < list.length; i++) if (empties || list[i][1] !== "") set(prefix + list[i][0], list[i][1]);
    }

    // the player's status from what the LMS kept
    function statusFrom(c, s) {
      if (s === "passed") return "passed";
      if (s === "failed") return "failed";
      if (c === "completed") return "completed";
      return c === "incomplete" ? "incomplete" : "";
    }
    function writeScore() {
      var raw = pendingScore;
      setOnce("cmi.score.min", "0");
      setOnce("cmi.score.max", "100");
      setOnce("cmi.score.raw", raw);
      setOnce("cmi.score.scaled", String(Math.round(parseFloat(raw) * 100) / 10000));
      pendingScore = null;
    }
    function commitInOrder() {
      api.Commit("");
      statusUncommitted = false;
      if (pendingScore != null) {
        writeScore();
        api.Commit("");
      }
    }
    function progress() {
      if (completion === "completed") return 1;
      var state = CP.codec.decode(values["cmi.suspend_data"] || "", data);
      if (!state || !data.pages.length) return 0;
      var seen = state.pages.filter(function (p) { return p; }).length;
      return Math.min(0.99, Math.floor((seen / data.pages.length) * 100) / 100);
    }
    // One interaction and one comment per reflection per session (updated in place), written on commit.
    function flushReflections() {
      var ids = inCourseOrder(Object.keys(dirty));
      dirty = {};
      if (review) return;
      var now = timestamp(new Date());
      for (var j = 0; j < ids.length; j++) {
        var rid = ids[j], body = text(reflections[rid] || "", TEXT_MAX);
        if ((reflections[rid] || "") === (written[rid] || "")) continue;
        if (reflIndex[rid] == null) {
          reflIndex[rid] = nextInteraction++;
          fields("cmi.interactions." + reflIndex[rid] + ".", [["id", identifier(rid)], ["type", "long-fill-in"]]);
        }
        fields("cmi.interactions." + reflIndex[rid] + ".", [["timestamp", now], ["learner_response", body], ["result", "neutral"]], true);
        if (commentIndex[rid] == null) commentIndex[rid] = nextComment++;
        fields("cmi.comments_from_learner." + commentIndex[rid] + ".", [["comment", body], ["location", rid], ["timestamp", now]], true);
        written[rid] = reflections[rid] || "";
      }
    }

    return {
      kind: "lms",
      start: function () {
        var ok = String(api.Initialize("")) === "true";
        if (!ok) CP.warn("init", "Initialize failed; continuing without saving");
        var mode = get("cmi.mode");
        review = mode === "review";
        browse = mode === "browse";
        completion = get("cmi.completion_status");
        success = get("cmi.success_status");
        status = statusFrom(completion, success);
        nextInteraction = parseInt(get("cmi.interactions._count"), 10) || 0;
        nextComment = parseInt(get("cmi.comments_from_learner._count"), 10) || 0;
        // the report copies of earlier sessions: the last record of each reflection wins
        var restored = {};
        for (var n = 0; n < Math.min(nextComment, 1000); n++) {
          var where = get("cmi.comments_from_learner." + n + ".location");
          if (inCourseOrder.knows(where)) restored[where] = get("cmi.comments_from_learner." + n + ".comment");
        }
        for (var id in restored) if (restored.hasOwnProperty(id)) written[id] = reflections[id] = restored[id];
        // Elements never set answer error 403 (not initialized): on a first launch (entry "ab-initio")
        // the learner's data is not read. Nor is cmi.scaled_passing_score, which an LMS without
        // sequencing (Moodle) leaves unset: the player judges by its own mark (course data "mark").
        var entry = get("cmi.entry"), fresh = entry === "ab-initio";
        values["cmi.location"] = fresh ? "" : get("cmi.location");
        values["cmi.suspend_data"] = fresh ? "" : get("cmi.suspend_data");
        if (!review && !browse && status === "") {
          if (set("cmi.completion_status", "incomplete")) { completion = "incomplete"; status = "incomplete"; }
        }
        return {
          entry: entry,
          location: values["cmi.location"],
          state: values["cmi.suspend_data"],
          reflections: JSON.parse(JSON.stringify(restored)),
          learnerName: get("cmi.learner_name"),
          learnerId: get("cmi.learner_id"),
          masteryScore: null,
          mode: mode
        };
      },
      pageViewed: function (location) {
        if (review) return;
        setOnce("cmi.location", String(location).slice(0, limits.location));
      },
      answered: function (ix) {
        if (review) return;
        var quiz = quizzes[ix.quizId], question = null;
        if (quiz) for (var i = 0; i < quiz.questions.length; i++) if (quiz.questions[i].id === ix.questionId) question = quiz.questions[i];
        var r = response(ix, question), n = nextInteraction++;
        fields("cmi.interactions." + n + ".", [
          ["id", identifier(ix.id)],
          ["type", r[0]],
          ["description", quiz ? text(quiz.title + ": " + ix.questionId, 250) : ""],
          ["timestamp", timestamp(ix.when || new Date())],
          ["weighting", String(ix.points)],
          ["learner_response", r[1]],
          ["result", ix.result ? "correct" : "incorrect"],
          ["latency", duration(ix.latency || 0)],
          ["correct_responses.0.pattern", r[2]]
        ]);
      },
      restored: function (texts) {
        for (var id in texts) if (texts.hasOwnProperty(id)) written[id] = reflections[id] = texts[id];
      },
      reflected: function (id, value) {
        value = String(value || "");
        if ((reflections[id] || "") === value) return;
        reflections[id] = value;
        dirty[id] = true;
      },
      saveState: function (state) {
        if (review) return;
        if (state.length > limits.suspend) {
          CP.warn("suspend", "saved state too long (" + state.length + " > " + limits.suspend + "); not saved");
          return;
        }
        setOnce("cmi.suspend_data", state);
        setOnce("cmi.progress_measure", String(progress()));
      },
      setResult: function (result) {
        if (review || browse) return;
        var next = result.status, changed = false;
        var stepBack = status === "passed" || ((status === "completed" || status === "failed") && next === "incomplete");
        if (next && next !== "not attempted" && next !== status && !stepBack) {
          var c = next === "failed" ? (completion || "incomplete") : next === "incomplete" ? "incomplete" : "completed";
          var s = next === "passed" || next === "failed" ? next : "";
          var ok = true;
          if (c !== completion) { ok = set("cmi.completion_status", c) && ok; if (ok) completion = c; }
          if (s && s !== success) { ok = set("cmi.success_status", s) && ok; if (ok) success = s; }
          if (ok) { status = next; changed = true; }
          if (completion === "completed") setOnce("cmi.progress_measure", "1");
        }
        if (result.scoreRaw == null || status === "incomplete" || status === "") return;
        var raw = String(Math.max(0, Math.min(100, Math.floor(result.scoreRaw * 100) / 100)));
        if (values["cmi.score.raw"] === raw) { pendingScore = null; return; }
        pendingScore = raw;
        if (!changed && !statusUncommitted) writeScore();
        else statusUncommitted = true;
      },
      commit: function () {
        flushReflections();
        commitInOrder();
      },
      finish: function () {
        flushReflections();
        if (!review) set("cmi.exit", completion === "completed" ? "normal" : "suspend");
        set("cmi.session_time", duration(Date.now() - started));
        if (pendingScore != null) commitInOrder();
        api.Terminate("");
      }
    };
  }

  CP.adapters.scorm2004 = { detect: detect, create: create, duration: duration, timestamp: timestamp };
})(window);
