/* coursepack SCORM 1.2 adapter: the tracking interface on window.API (LMSInitialize ... LMSFinish).
 *
 * Writes (formats as Moodle's strict 1.2 data model checks them):
 *   cmi.core.lesson_location  the current page key (<= 255)
 *   cmi.suspend_data          the compact ASCII state from tracking.js (<= 4,096, checked at build)
 *   cmi.comments              every reflection, framed "#<id>:<length>:<text>\n" (see below)
 *   cmi.interactions.n.*      one per submitted question per attempt; one per reflection per session
 *   cmi.core.lesson_status, never "not attempted"; a CHANGED status is committed on its own, and
 *     only then cmi.core.score.min/max/raw, committed again. Why: Moodle 4.3 re-grades and re-checks
 *     completion only when a score.raw is posted (and its JS posts score before status in one commit),
 *     so the score must arrive after the final status is stored. No score while incomplete.
 *   cmi.core.exit "suspend" until completed/passed, then ""; cmi.core.session_time once, at finish
 *   lesson_mode "review": reads only (no status, score, state, interactions or comments written)
 *   lesson_mode "browse": status "browsed", no score; pages, answers and reflections are still saved
 *
 * cmi.comments holds the reflections' full texts. Moodle APPENDS every LMSSetValue to the stored value
 * (cmi.comments = cmi.comments + value); scorm-again REPLACES it. So:
 *   - it is written at most once per session, at finish, and only when some reflection changed;
 *   - each write starts with a mark "@<n>" (n = 1, 2, ... per write) followed by records
 *     "#<reflection id>:<length>:<text>\n" in course order, length in Unicode code points (what Python's
 *     len() and PHP's mb_strlen count); the reader takes the last record of each id, so the value
 *     parses the same whether the LMS appended or replaced;
 *   - the marks the LMS kept tell which it does: several marks = appends, one mark "@2" or above =
 *     replaces. Appending LMS: only the changed records are written. Replacing LMS: all of them.
 *     Not yet known (second session): all of them when the old value plus the new one still fit
 *     4,096 characters (right either way), else only the changed ones.
 *   - the texts also go, in the learner's script on one line, cut to 255 characters ("…" marks a cut),
 *     into one cmi.interactions.n per reflection per session (type fill-in, result neutral), written
 *     on commit, for LMS reports; a text restored from the saved state is not reported again.
 */
(function (w) {
  "use strict";
  var CP = w.Coursepack;

  function detect(win) { return CP.util.findApi(win, "API", "LMSInitialize"); }

  var LETTERS = "abcdefghijklmnopqrstuvwxyz";
  var PROMPTS = "123456789abcdefghijklmnopq";

  // index just past `count` code points from `start`, or -1 when the text is shorter
  function afterCodePoints(text, start, count) {
    var i = start;
    for (var k = 0; k < count; k++) {
      if (i >= text.length) return -1;
      var c = text.charCodeAt(i);
      i += c >= 0xd800 && c < 0xdc00 && i + 1 < text.length ? 2 : 1;
    }
    return i;
  }
  // "@<n>" opens the n-th write (one per session); "#<id>:<length>:<text>\n" is one reflection.
  // Anything else between records is skipped. Later records win.
  function parseComments(text) {
    var out = { texts: {}, marks: [] }, pos = 0;
    text = String(text || "");
    while (pos < text.length) {
      var c = text.charAt(pos);
      if (c === "@") {
        var m = /^@(\d{1,4})/.exec(text.slice(pos, pos + 5));
        if (m) { out.marks.push(+m[1]); pos += m[0].length; continue; }
      } else if (c === "#") {
        var c1 = text.indexOf(":", pos + 1), c2 = c1 < 0 ? -1 : text.indexOf(":", c1 + 1);
        var id = c1 < 0 ? "" : text.slice(pos + 1, c1), len = c2 < 0 ? NaN : parseInt(text.slice(c1 + 1, c2), 10);
        var end = len >= 0 ? afterCodePoints(text, c2 + 1, len) : -1;
        if (/^[a-z0-9][a-z0-9-]{0,63}$/.test(id) && end >= 0) {
          out.texts[id] = text.slice(c2 + 1, end);
          pos = end;
          continue;
        }
      }
      pos++;
    }
    return out;
  }
  // What the LMS does with a second write, judged from the write marks it kept: several marks = it
  // appends (Moodle); one mark above 1 = it replaces (scorm-again); otherwise not yet known.
  function commentsMode(marks) {
    if (marks.length > 1) return "append";
    if (marks.length === 1 && marks[0] > 1) return "replace";
    return "unknown";
  }
  function frame(id, text) { return "#" + id + ":" + Array.from(text).length + ":" + text + "\n"; }

  function response(ix) {
    var r = ix.response, c = ix.correct;
    switch (ix.type) {
      case "single_choice":
        return ["choice", r == null ? "" : LETTERS.charAt(r), LETTERS.charAt(c)];
      case "multiple_response":
        var letters = function (list) { return list.slice().sort(function (a, b) { return a - b; }).map(function (i) { return LETTERS.charAt(i); }).join(","); };
        return ["choice", letters(r || []), letters(c)];
      case "true_false":
        return ["true-false", r == null ? "" : r ? "t" : "f", c ? "t" : "f"];
      case "fill_in":
        return ["fill-in", CP.util.clean(r, 255), CP.util.clean(c, 255)];
      case "matching":
        var pairs = function (list) {
          var out = [];
          for (var i = 0; i < list.length; i++) if (list[i] != null) out.push(PROMPTS.charAt(i) + "." + LETTERS.charAt(list[i]));
          return out.join(",");
        };
        return ["matching", pairs(r || []), pairs(c)];
      case "sequencing":
        var seq = function (list) { return list.map(function (i) { return LETTERS.charAt(i); }).join(","); };
        return ["sequencing", seq(r || []), seq(c)];
    }
    return ["performance", "", ""];
  }

  function create(api, data) {
    var limits = data.limits;
    var started = Date.now();
    var initialized = false;
    var status = "";
    var values = {}; // last value written per element (skip repeats)
    var reflections = {}, written = {}, dirty = {}, reflIndex = {};
    var startValue = "", atStart = { texts: {}, marks: [] };
    var review = false; // lesson_mode "review": show the learner's data, change nothing
    var browse = false; // lesson_mode "browse": a preview; progress is kept, results are not reported
    var nextInteraction = 0;
    var pendingScore = null; // score values waiting for their status to be committed first
    var inCourseOrder = CP.util.courseOrder(data.reflections);

    var model = CP.util.dataModel(api, "LMSGetValue", "LMSSetValue", "LMSGetLastError", values);
    var get = model.get, set = model.set, setOnce = model.setOnce;
    function interaction(fields) {
      var n = nextInteraction++;
      for (var i = 0; i < fields.length; i++) {
        if (fields[i][1] === "" && fields[i][0] !== "student_response") continue;
        set("cmi.interactions." + n + "." + fields[i][0], fields[i][1]);
      }
      return n;
    }

    var statusUncommitted = false; // a status change not yet committed: its score must wait
    function writeScore() {
      setOnce("cmi.core.score.min", "0");
      setOnce("cmi.core.score.max", "100");
      setOnce("cmi.core.score.raw", pendingScore);
      pendingScore = null;
    }
    // LMSCommit; when a score waits for a status change, commit the status first, then the score.
    function commitInOrder() {
      api.LMSCommit("");
      statusUncommitted = false;
      if (pendingScore != null) {
        writeScore();
        api.LMSCommit("");
      }
    }
    // One interaction per reflection per session (updated in place), written on commit.
    function flushInteractions() {
      var ids = inCourseOrder(Object.keys(dirty));
      dirty = {};
      if (review) return;
      for (var j = 0; j < ids.length; j++) {
        var rid = ids[j], text = reflections[rid] || "";
        if (text === written[rid]) continue;
        var fields = [
          ["type", "fill-in"],
          ["student_response", CP.util.readable(text, 255)],
          ["result", "neutral"],
          ["time", CP.util.clock(new Date())]
        ];
        if (reflIndex[rid] == null) reflIndex[rid] = interaction([["id", rid]].concat(fields));
        else for (var k = 0; k < fields.length; k++) set("cmi.interactions." + reflIndex[rid] + "." + fields[k][0], fields[k][1]);
        written[rid] = text;
      }
    }
    // cmi.comments is written once per session, at finish, and only when a reflection changed:
    // Moodle appends every write to the stored value, scorm-again replaces it.
    function writeComments() {
      if (review) return;
      var ids = inCourseOrder(Object.keys(reflections)), changed = [];
      for (var i = 0; i < ids.length; i++) if ((reflections[ids[i]] || "") !== (atStart.texts[ids[i]] || "")) changed.push(ids[i]);
      if (!changed.length) return;
      var mark = "@" + ((atStart.marks.length ? Math.max.apply(null, atStart.marks) : 0) + 1);
      var full = mark, delta = mark;
      for (i = 0; i < ids.length; i++) if (reflections[ids[i]]) full += frame(ids[i], reflections[ids[i]]);
      for (i = 0; i < changed.length; i++) delta += frame(changed[i], reflections[changed[i]] || "");
      // sizes in UTF-8 bytes, which is what the strictest LMSs count (never more than characters)
      var size = CP.utf8Length, mode = commentsMode(atStart.marks), old = size(startValue), value;
      if (mode === "replace") value = full;
      else if (mode === "append") value = delta;
      else value = old + size(full) <= limits.comments ? full : delta; // right under either behaviour when it fits
      if ((mode === "replace" ? 0 : old) + size(value) > limits.comments) {
        CP.warn("comments", "reflections no longer fit cmi.comments (" + limits.comments + " characters); the latest changes are kept in cmi.interactions only");
        return;
      }
      set("cmi.comments", value);
    }

    return {
      kind: "lms",
      start: function () {
        var result = String(api.LMSInitialize(""));
        initialized = result === "true" || get("cmi.core.lesson_status") !== "";
        if (!initialized) CP.warn("init", "LMSInitialize failed; continuing without saving");
        status = get("cmi.core.lesson_status");
        var mode = get("cmi.core.lesson_mode");
        review = mode === "review";
        browse = mode === "browse";
        startValue = get("cmi.comments");
        atStart = parseComments(startValue);
        for (var id in atStart.texts) if (atStart.texts.hasOwnProperty(id)) written[id] = reflections[id] = atStart.texts[id];
        nextInteraction = parseInt(get("cmi.interactions._count"), 10) || 0;
        var mastery = parseFloat(get("cmi.student_data.mastery_score"));
        values["cmi.core.lesson_location"] = get("cmi.core.lesson_location");
        values["cmi.suspend_data"] = get("cmi.suspend_data");
        if (!review && (status === "" || status === "not attempted")) {
          // a learner previewing the course (browse mode, no credit) has browsed it, not started it
          status = browse ? "browsed" : "incomplete";
          setOnce("cmi.core.lesson_status", status);
        }
        return {
          entry: get("cmi.core.entry"),
          location: values["cmi.core.lesson_location"],
          state: values["cmi.suspend_data"],
          reflections: JSON.parse(JSON.stringify(atStart.texts)),
          learnerName: get("cmi.core.student_name"),
          learnerId: get("cmi.core.student_id"),
          masteryScore: isNaN(mastery) ? null : mastery,
          mode: mode
        };
      },
      pageViewed: function (location) { setOnce("cmi.core.lesson_location", String(location).slice(0, limits.location)); },
      answered: function (ix) {
        if (review) return;
        var r = response(ix);
        interaction([
          ["id", CP.util.ascii(ix.id, 255).replace(/ /g, "_")],
          ["type", r[0]],
          ["student_response", r[1]],
          ["correct_responses.0.pattern", r[2]],
          ["result", ix.result ? "correct" : "wrong"],
          ["weighting", String(ix.points)],
          ["latency", CP.util.timespan(ix.latency || 0)],
          ["time", CP.util.clock(ix.when || new Date())]
        ]);
      },
      restored: function (texts) {
        for (var id in texts) if (texts.hasOwnProperty(id)) written[id] = reflections[id] = texts[id];
      },
      reflected: function (id, text) {
        text = String(text || "");
        if ((reflections[id] || "") === text) return; // an untouched, empty box is no answer to report
        reflections[id] = text;
        dirty[id] = true;
      },
      saveState: function (text) {
        if (review) return;
        if (text.length > limits.suspend) {
          CP.warn("suspend", "saved state too long (" + text.length + " > " + limits.suspend + "); not saved");
          return;
        }
        setOnce("cmi.suspend_data", text);
      },
      setResult: function (result) {
        if (review || browse) return; // a preview earns no score and no status beyond "browsed"
        var next = result.status, changed = false;
        // never step back from a final status
        var stepBack = status === "passed" || ((status === "completed" || status === "failed") && next === "incomplete");
        if (next && next !== "not attempted" && next !== status && !stepBack) {
          if (set("cmi.core.lesson_status", next)) { status = next; changed = true; }
        }
        if (result.scoreRaw == null || status === "incomplete" || status === "browsed" || status === "") return;
        var raw = String(Math.max(0, Math.min(100, Math.floor(result.scoreRaw * 100) / 100)));
        if (values["cmi.core.score.raw"] === raw) { pendingScore = null; return; }
        pendingScore = raw;
        if (!changed && !statusUncommitted) writeScore();
        else statusUncommitted = true;
      },
      commit: function () {
        flushInteractions();
        commitInOrder();
      },
      finish: function () {
        flushInteractions();
        writeComments();
        if (!review) set("cmi.core.exit", status === "completed" || status === "passed" ? "" : "suspend");
        set("cmi.core.session_time", CP.util.timespan(Date.now() - started));
        if (pendingScore != null) commitInOrder(); // the score still needs its own commit after the status
        api.LMSFinish("");
      }
    };
  }

  CP.adapters.scorm12 = { detect: detect, create: create, parseComments: parseComments, commentsMode: commentsMode };
})(window);
