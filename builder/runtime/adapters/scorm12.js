/* coursepack SCORM 1.2 adapter: the tracking interface on window.API (LMSInitialize ... LMSFinish).
 *
 * Writes (formats as Moodle's strict 1.2 data model checks them):
 *   cmi.core.lesson_location  the current page key (<= 255)
 *   cmi.suspend_data          the compact ASCII state from tracking.js (<= 4,096, checked at build)
 *   cmi.comments              every reflection, framed "#<id>:<length>:<text>\n" (see below)
 *   cmi.interactions.n.*      one per submitted question per attempt; one per reflection per session
 *   cmi.core.score.min/max/raw before cmi.core.lesson_status; never "not attempted"
 *   cmi.core.exit "suspend" until completed/passed, then ""; cmi.core.session_time once, at finish
 *   lesson_mode "review": reads only (no status, score, state, interactions or comments written)
 *   lesson_mode "browse": status "browsed", no score; pages, answers and reflections are still saved
 *
 * cmi.comments holds the reflections' full texts. Moodle APPENDS every LMSSetValue to the stored value
 * (cmi.comments = cmi.comments + value); scorm-again REPLACES it. So:
 *   - it is written at most once per session, at finish, and only when some reflection changed;
 *   - each write starts with a mark "@<n>" (n = 1, 2, ... per write) followed by records
 *     "#<reflection id>:<length>:<text>\n"; the reader takes the last record of each id, so the value
 *     parses the same whether the LMS appended or replaced;
 *   - the marks the LMS kept tell which it does: several marks = appends, one mark "@2" or above =
 *     replaces. Appending LMS: only the changed records are written. Replacing LMS: all of them.
 *     Not yet known (second session): all of them when the old value plus the new one still fit
 *     4,096 characters (right either way), else only the changed ones.
 *   - the texts also go, cut to 255 printable-ASCII characters, into one cmi.interactions.n per
 *     reflection per session (type fill-in, result neutral), written on commit, for LMS reports.
 */
(function (w) {
  "use strict";
  var CP = w.Coursepack;

  function hasApi(win) {
    try {
      return win && win.API && typeof win.API.LMSInitialize === "function" ? win.API : null;
    } catch (e) {
      return null; // cross-origin frame
    }
  }
  function scan(win) {
    for (var i = 0; win && i <= 500; i++) {
      var api = hasApi(win);
      if (api) return api;
      var parent = null;
      try { parent = win.parent; } catch (e) { parent = null; }
      if (!parent || parent === win) return null;
      win = parent;
    }
    return null;
  }
  function detect(win) {
    var api = scan(win);
    if (api) return api;
    var opener = null;
    try { opener = win.top && win.top.opener; } catch (e) { opener = null; }
    if (!opener) { try { opener = win.opener; } catch (e2) { opener = null; } }
    return opener ? scan(opener) : null;
  }

  var LETTERS = "abcdefghijklmnopqrstuvwxyz";
  var PROMPTS = "123456789abcdefghijklmnopq";

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
        if (/^[a-z0-9][a-z0-9-]{0,63}$/.test(id) && len >= 0 && c2 + 1 + len <= text.length) {
          out.texts[id] = text.substr(c2 + 1, len);
          pos = c2 + 1 + len;
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
  function frame(id, text) { return "#" + id + ":" + text.length + ":" + text + "\n"; }

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
        return ["fill-in", CP.util.ascii(r, 255), CP.util.ascii(c, 255)];
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

    function get(name) {
      try {
        var v = api.LMSGetValue(name);
        return v == null ? "" : String(v);
      } catch (e) {
        return "";
      }
    }
    function set(name, value) {
      value = String(value);
      var ok;
      try { ok = String(api.LMSSetValue(name, value)) === "true"; } catch (e) { ok = false; }
      if (!ok) {
        var code = "";
        try { code = String(api.LMSGetLastError()); } catch (e2) { code = "?"; }
        CP.warn("set:" + name.replace(/\.\d+\./, ".n."), "the LMS refused " + name + " (error " + code + ")");
      }
      return ok;
    }
    function setOnce(name, value) {
      value = String(value);
      if (values[name] === value) return;
      if (set(name, value)) values[name] = value;
    }
    function interaction(fields) {
      var n = nextInteraction++;
      for (var i = 0; i < fields.length; i++) {
        if (fields[i][1] === "" && fields[i][0] !== "student_response") continue;
        set("cmi.interactions." + n + "." + fields[i][0], fields[i][1]);
      }
      return n;
    }

    // One interaction per reflection per session (updated in place), written on commit.
    function flushInteractions() {
      var ids = Object.keys(dirty).sort();
      dirty = {};
      if (review) return;
      for (var j = 0; j < ids.length; j++) {
        var rid = ids[j], text = reflections[rid] || "";
        if (text === written[rid]) continue;
        var fields = [
          ["type", "fill-in"],
          ["student_response", CP.util.ascii(text, 255)],
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
      var ids = Object.keys(reflections).sort(), changed = [];
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
          masteryScore: isNaN(mastery) ? null : mastery
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
        if (result.scoreRaw != null) {
          var raw = String(Math.max(0, Math.min(100, Math.floor(result.scoreRaw * 100) / 100)));
          if (values["cmi.core.score.raw"] !== raw) {
            setOnce("cmi.core.score.min", "0");
            setOnce("cmi.core.score.max", "100");
            setOnce("cmi.core.score.raw", raw);
          }
        }
        var next = result.status;
        if (!next || next === "not attempted" || next === status) return;
        // never step back from a final status
        if (status === "passed" || (status === "completed" && next === "incomplete") || (status === "failed" && next === "incomplete")) return;
        if (set("cmi.core.lesson_status", next)) status = next;
      },
      commit: function () {
        flushInteractions();
        api.LMSCommit("");
      },
      finish: function () {
        flushInteractions();
        writeComments();
        if (!review) set("cmi.core.exit", status === "completed" || status === "passed" ? "" : "suspend");
        set("cmi.core.session_time", CP.util.timespan(Date.now() - started));
        api.LMSFinish("");
      }
    };
  }

  CP.adapters.scorm12 = { detect: detect, create: create, parseComments: parseComments, commentsMode: commentsMode };
})(window);
