/* coursepack preview: the LMS page around the course.
 *
 * Plays the LMS the way a real one does, with scorm-again (vendored beside this file) as the runtime:
 *   - the learner's cmi data is created for a first launch, preloaded with API.loadFromJSON() before
 *     the course's Initialize (with the manifest's mastery score or passing measure), and the API is
 *     put where the course looks for it (window.API, window.API_1484_11);
 *   - every call the course makes is recorded and shown in the panel: values set, refusals with the
 *     runtime's error code, commits; the summary shows what the LMS would show;
 *   - closing the course ends the session (the course finishes on pagehide) and the next launch gets
 *     the carried-over data an LMS hands a returning learner (entry "resume" after exit "suspend").
 *     The learner's data is kept in sessionStorage per target, course and edition, so a rebuild, a
 *     "Resume as a new session" or a reload of this page resumes where the learner was.
 * The server (coursepack/preview/server.py) pushes a "build" event after every rebuild: a good one
 * relaunches the course, a failed one shows its problems over the last good course. Only the course's
 * frame is replaced; the server answers 304 for the course files that did not change, so the browser
 * reuses them. The server builds the edition shown first: another edition may be "pending", and is
 * asked for (/_preview/state builds it) before its launch.
 * performance marks "coursepack-preview:build-event" and "coursepack-preview:frame" time a reload
 * (bench/preview_reload.py reads them).
 * xAPI and cmi5 have no API in the page: their LMS side is the server's in-process LRS, played here by
 * lrs_sides.js (window.CoursepackLrsSides); this file hands it the launches and the panel.
 * window.__preview exposes what the browser tests read.
 */
(function () {
  "use strict";

  const STORE = "coursepack-preview:";
  const LOG_MAX = 400; // lines in the panel's call log
  const CALLS_KEPT = 5000; // calls kept in window.__preview.calls
  const SHOWN_MAX = 160; // characters of a long value shown in the panel

  // ---------------------------------------------------------------- the LMS side of each target

  function asList(value) {
    // scorm-again renders CMI arrays as {"0": {...}} (or {childArray: [...]}); loadFromJSON takes lists
    if (value && typeof value === "object" && !Array.isArray(value)) {
      if (Array.isArray(value.childArray)) value = value.childArray;
      else {
        const keys = Object.keys(value);
        value = keys.every((k) => /^\d+$/.test(k)) ? keys.sort((a, b) => a - b).map((k) => value[k]) : [];
      }
    }
    return (Array.isArray(value) ? value : []).map((item) => {
      const copy = Object.assign({}, item);
      for (const sub of ["objectives", "correct_responses"]) if (sub in copy) copy[sub] = asList(copy[sub]);
      return copy;
    });
  }

  // CMITimespan addition (total_time += session_time), as Moodle does it
  function addTimespan(a, b) {
    const cs = (t) => {
      const m = /^(\d+):(\d{2}):(\d{2})(?:\.(\d{1,2}))?$/.exec(t || "");
      return m ? ((+m[1] * 60 + +m[2]) * 60 + +m[3]) * 100 + (m[4] ? +m[4].padEnd(2, "0") : 0) : 0;
    };
    const total = cs(a) + cs(b), secs = Math.floor(total / 100), cents = total % 100;
    const two = (n) => String(n).padStart(2, "0");
    return two(Math.floor(secs / 3600)) + ":" + two(Math.floor(secs / 60) % 60) + ":" + two(secs % 60) + (cents ? "." + two(cents) : "");
  }

  function dropEmpty(obj) {
    const out = {};
    for (const [k, v] of Object.entries(obj)) {
      if (v === "" || v == null) continue;
      if (typeof v === "object" && !Array.isArray(v)) {
        const inner = dropEmpty(v);
        if (Object.keys(inner).length) out[k] = inner;
      } else if (!Array.isArray(v) || v.length) out[k] = v;
    }
    return out;
  }

  const LMS_SIDES = {
    scorm12: {
      global: "API",
      create: () => new window.Scorm12API({ mastery_override: false, autocommit: false }),
      calls: { init: "LMSInitialize", finish: "LMSFinish", set: "LMSSetValue", get: "LMSGetValue",
               commit: "LMSCommit", lastError: "LMSGetLastError", errorString: "LMSGetErrorString" },
      entryOf: (cmi) => (cmi.core && cmi.core.entry) || "",
      setEntry: (cmi, entry) => { cmi.core.entry = entry; },
      firstSession: () => ({ core: { student_id: "preview-learner", student_name: "Learner, Preview", credit: "credit",
                                     lesson_mode: "normal", entry: "ab-initio" } }),
      // What Moodle hands the SCO on the next launch: the learner's data carried over, entry "resume"
      // only after exit "suspend", total_time = the previous total + this session's time.
      nextSession(final, totalTime, suspended) {
        const core = final.core || {}, score = core.score || {};
        return dropEmpty({
          core: {
            student_id: core.student_id, student_name: core.student_name, credit: core.credit || "credit",
            lesson_mode: core.lesson_mode || "normal", lesson_location: core.lesson_location,
            lesson_status: core.lesson_status,
            entry: core.exit === "suspend" || suspended ? "resume" : "",
            total_time: totalTime,
            // scorm-again renders a default max of 100 with no raw score: carry a score only when there is one
            score: score.raw ? { raw: score.raw, min: score.min, max: score.max } : {}
          },
          suspend_data: final.suspend_data, launch_data: final.launch_data, comments: final.comments,
          comments_from_lms: final.comments_from_lms, student_data: final.student_data,
          student_preference: final.student_preference,
          objectives: asList(final.objectives), interactions: asList(final.interactions)
        });
      },
      summary(cmi) {
        const core = cmi.core || {}, score = core.score || {};
        return {
          status: core.lesson_status || "not attempted",
          score: score.raw !== undefined && score.raw !== "" ? score.raw + " (of " + (score.min || "0") + "–" + (score.max || "100") + ")" : "–",
          location: core.lesson_location || "",
          state: cmi.suspend_data || "",
          entry: core.entry || "",
          sessionTime: core.session_time || ""
        };
      }
    },
    scorm2004: {
      global: "API_1484_11",
      create: () => new window.Scorm2004API({ autocommit: false }),
      calls: { init: "Initialize", finish: "Terminate", set: "SetValue", get: "GetValue",
               commit: "Commit", lastError: "GetLastError", errorString: "GetErrorString" },
      entryOf: (cmi) => cmi.entry || "",
      setEntry: (cmi, entry) => { cmi.entry = entry; },
      firstSession: () => ({ learner_id: "preview-learner", learner_name: "Learner, Preview", credit: "credit",
                             mode: "normal", entry: "ab-initio" }),
      nextSession(final, totalTime, suspended) {
        const score = final.score || {};
        return dropEmpty({
          learner_id: final.learner_id, learner_name: final.learner_name, credit: final.credit || "credit",
          mode: final.mode || "normal",
          entry: final.exit === "suspend" || suspended ? "resume" : "",
          location: final.location, suspend_data: final.suspend_data, launch_data: final.launch_data,
          completion_status: final.completion_status, success_status: final.success_status,
          progress_measure: final.progress_measure,
          score: { scaled: score.scaled, raw: score.raw, min: score.min, max: score.max },
          interactions: asList(final.interactions), comments_from_learner: asList(final.comments_from_learner),
          objectives: asList(final.objectives)
        });
      },
      summary(cmi) {
        const score = cmi.score || {};
        const parts = [];
        if (score.scaled !== undefined && score.scaled !== "") parts.push("scaled " + score.scaled);
        if (score.raw !== undefined && score.raw !== "") parts.push("raw " + score.raw);
        return {
          status: (cmi.completion_status || "unknown") + " · " + (cmi.success_status || "unknown"),
          score: parts.length ? parts.join(", ") : "–",
          location: cmi.location || "",
          state: cmi.suspend_data || "",
          entry: cmi.entry || "",
          sessionTime: cmi.session_time || ""
        };
      }
    }
  };

  // ---------------------------------------------------------------- page state

  const $ = (id) => document.getElementById(id);
  const preview = window.__preview = {
    ready: false, generation: 0, reloads: 0, sessions: 0, edition: null, calls: [], problems: [], error: null
  };
  let config = null; // the server's last state
  let side = null;
  let edition = null;
  let api = null, frame = null, shownGeneration = 0;
  let record = null; // {cmi, totalTime, sessions}: what the next launch of this edition gets
  let values = new Map(); // element -> {value, by: "lms" | "course"}
  let lastChanged = null;
  let renderQueued = false;
  let launchCount = 0; // an LRS launch answers later: only the latest one opens the course
  let launching = false;
  let chosenAu = null; // cmi5: the AU picked in the panel (null: the first)

  function mark(name) {
    if (window.performance && performance.mark) performance.mark(name);
  }

  function storeKey(name) { return STORE + config.target + ":" + config.build.slug + ":" + name; }
  function readRecord(name) {
    try { return JSON.parse(sessionStorage.getItem(storeKey(name)) || "null"); } catch (e) { return null; }
  }
  function writeRecord(name, rec) {
    try { sessionStorage.setItem(storeKey(name), JSON.stringify(rec)); } catch (e) { preview.error = String(e); }
  }

  function deepMerge(...objects) {
    const out = {};
    for (const obj of objects) {
      for (const [k, v] of Object.entries(obj || {})) {
        out[k] = v && typeof v === "object" && !Array.isArray(v) && out[k] && typeof out[k] === "object" && !Array.isArray(out[k])
          ? deepMerge(out[k], v) : v;
      }
    }
    return out;
  }

  function flatten(obj, prefix, out) {
    for (const [k, v] of Object.entries(obj || {})) {
      const name = prefix + "." + k;
      if (Array.isArray(v)) v.forEach((item, i) => (item && typeof item === "object" ? flatten(item, name + "." + i, out) : out.set(name + "." + i, { value: String(item), by: "lms" })));
      else if (v && typeof v === "object") flatten(v, name, out);
      else out.set(name, { value: String(v), by: "lms" });
    }
    return out;
  }

  function snapshot() {
    try { return api.renderCMIToJSONObject().cmi || {}; } catch (e) { return {}; }
  }

  // ---------------------------------------------------------------- the API and its recorder

  function makeApi(cmi) {
    const made = side.create();
    made.loadFromJSON(cmi);
    const c = side.calls;
    const lastError = made[c.lastError], errorString = made[c.errorString];
    const recorded = [c.init, c.finish, c.set, c.get, c.commit];
    for (const name of recorded) {
      const original = made[name];
      made[name] = function (...args) {
        const ret = original.apply(made, args);
        const code = String(lastError.call(made));
        const entry = { name, args: args.map(String), ret: String(ret), error: code, session: preview.sessions };
        if (code !== "0") entry.errorText = String(errorString.call(made, code));
        note(entry);
        return ret;
      };
    }
    return made;
  }

  function note(entry) {
    const c = side.calls;
    preview.calls.push(entry);
    if (preview.calls.length > CALLS_KEPT) preview.calls.splice(0, preview.calls.length - CALLS_KEPT);
    const failed = entry.error !== "0";
    if (entry.name === c.get && !failed) return; // reads change nothing: only refused ones are worth a line
    if (entry.name === c.set && !failed) {
      values.set(entry.args[0], { value: entry.args[1], by: "course" });
      lastChanged = entry.args[0];
    }
    if (entry.name === c.commit || entry.name === c.finish) keepLearner(entry.name === c.finish);
    logLine(entry);
    queueRender();
  }

  // The learner's data for the next launch, kept on every commit: whatever closes the course next
  // (a rebuild, the buttons, a reload of this page), the learner comes back where they were. Computed
  // from this session's start each time, so keeping it twice (Finish, then the close) changes nothing.
  function keepLearner(finished) {
    if (!api) return;
    const final = snapshot();
    const total = finished ? addTimespan(record.totalTime, side.summary(final).sessionTime) : record.totalTime;
    writeRecord(edition, { cmi: side.nextSession(final, total, !finished), totalTime: total, sessions: record.sessions });
  }

  // ---------------------------------------------------------------- sessions

  // xAPI / cmi5: the server does what the LMS does before a launch, then the course opens at its URL
  function launchLrs(info) {
    const mine = ++launchCount;
    launching = true;
    shownGeneration = config.build.goodGeneration;
    preview.generation = shownGeneration;
    preview.edition = edition;
    const ctx = {
      edition: edition, info: info, au: chosenAu, log: logLine,
      read: () => readRecord(edition), write: (rec) => writeRecord(edition, rec), render: queueRender
    };
    side.launch(ctx).then((url) => {
      if (mine !== launchCount) return; // a newer launch (a rebuild, a button) replaced this one
      launching = false;
      preview.sessions = side.sessions();
      frame = courseFrame(url);
      $("no-course").hidden = true;
      showHeader();
      queueRender();
    }, (err) => { if (mine === launchCount) launching = false; preview.error = String(err && err.stack || err); logLine({ name: "lrs", text: "launch failed: " + err, error: "launch" }); });
    showHeader();
  }

  // An edition the server has not built yet: the state it answers holds it built.
  function launchPending() {
    const mine = ++launchCount;
    launching = true;
    fetch("/_preview/state", { cache: "no-store" }).then((r) => r.json()).then((state) => {
      if (mine !== launchCount) return; // a newer launch (a rebuild, a button) replaced this one
      launching = false;
      config = state;
      showProblems(state.build);
      const info = state.editions[edition];
      if (info && !info.pending) launch();
      else preview.error = "the " + edition + " edition did not build";
    }, (err) => { if (mine === launchCount) launching = false; preview.error = String(err && err.stack || err); });
  }

  // The course's frame, loading src. Its scripts run only after the task that adds it ends, so an LMS
  // side set up later in the same task (the API, the learner's data) is in place when they look for it.
  function courseFrame(src) {
    const made = document.createElement("iframe");
    made.id = "content";
    made.title = "Course content";
    made.src = src;
    $("course-slot").appendChild(made);
    mark("coursepack-preview:frame");
    return made;
  }

  // opened: the frame already loading this launch (a rebuild opens it before the old course closes)
  function launch(opened) {
    const info = config.editions[edition];
    if (!info) return;
    if (info.pending) { launchPending(); return; }
    if (side.lrs) { launchLrs(info); return; }
    const kept = readRecord(edition) || {};
    record = { cmi: kept.cmi || null, totalTime: kept.totalTime || "00:00:00", sessions: (kept.sessions || 0) + 1 };
    preview.sessions = record.sessions;
    // the manifest's values are the LMS's, read again at every launch (a rebuild may change them)
    const cmi = deepMerge(side.firstSession(), record.cmi || {}, info.preload);
    if (record.cmi) side.setEntry(cmi, side.entryOf(record.cmi)); // a returning learner: "resume" or ""
    api = makeApi(cmi);
    window[side.global] = api;
    values = flatten(cmi, "cmi", new Map());
    lastChanged = null;
    writeRecord(edition, record); // the session count, even when the course never commits
    logLine({ name: "launch", text: "session " + record.sessions + " of the " + edition + " edition, entry \"" + (side.summary(cmi).entry || "") + "\"" });
    frame = opened || courseFrame(info.launch);
    $("no-course").hidden = true;
    shownGeneration = config.build.goodGeneration;
    preview.generation = shownGeneration;
    preview.edition = edition;
    showHeader();
    queueRender();
  }

  // Close the course: its pagehide handler finishes the session (exit, session_time, Finish) right
  // here, and the recorder keeps the learner's data for the next launch unless `forget`.
  function closeSession(forget) {
    if (!frame) return;
    frame.remove(); // xAPI / cmi5: the course sends terminated on pagehide, as when a learner leaves
    frame = null;
    if (side.lrs) return;
    if (!forget) keepLearner(true);
    delete window[side.global];
    api = null;
  }

  // Close the course and launch it again, the learner's data carried over. SCORM: the new frame starts
  // loading first, while the old course finishes its session.
  function reopen() {
    const info = config.editions[edition];
    const opened = frame && info && !info.pending && !side.lrs ? courseFrame(info.launch) : null;
    closeSession(false);
    launch(opened);
  }

  function relaunch(forget) {
    if (!forget) { reopen(); return; }
    closeSession(true);
    sessionStorage.removeItem(storeKey(edition));
    if (side.lrs) { side.reset().then(() => launch(), () => launch()); return; } // a new registration, an empty LRS
    launch();
  }

  // ---------------------------------------------------------------- build events

  function onBuild(state) {
    if (config !== null && state.side !== config.side) { window.location.reload(); return; } // another preview on this port
    const first = config === null;
    config = state;
    if (first) {
      side = LMS_SIDES[state.side] || (window.CoursepackLrsSides || {})[state.side];
      if (!side) { preview.error = "no LMS side for " + state.side; return; }
      for (const el of document.querySelectorAll(".scorm-only")) el.hidden = !!side.lrs;
      $("lrs-panel").hidden = !side.lrs;
      edition = sessionStorage.getItem(STORE + "edition") || state.defaultEdition;
    }
    showProblems(state.build);
    const editions = Object.keys(state.editions);
    if (editions.length && !state.editions[edition]) {
      closeSession(false);
      edition = editions.indexOf(state.defaultEdition) >= 0 ? state.defaultEdition : editions[0];
    }
    if (editions.length && ((!frame && !launching) || state.build.goodGeneration !== shownGeneration)) {
      if (frame) preview.reloads += 1;
      reopen();
    }
    showHeader();
    preview.ready = true;
  }

  function showProblems(build) {
    preview.problems = build.ok ? [] : build.problems.map((p) => p.text);
    const box = $("problems");
    box.hidden = build.ok;
    $("connection").textContent = build.ok
      ? "Live: saving a course file rebuilds (" + Math.round(build.tookMs) + " ms)"
      : "The last rebuild failed";
    if (build.ok) return;
    const list = $("problem-list");
    list.textContent = "";
    for (const p of build.problems) {
      const li = document.createElement("li");
      li.textContent = p.text;
      list.appendChild(li);
    }
    $("problems-title").textContent = build.problems.length === 1 ? "The course has a problem" : "The course has " + build.problems.length + " problems";
    $("problems-note").textContent = build.goodGeneration
      ? "The course below is the last good build."
      : "Nothing to show until the course builds.";
    if (!build.goodGeneration) $("no-course").hidden = true;
  }

  function showHeader() {
    if (!config) return;
    $("course-title").textContent = config.build.title || "coursepack preview";
    document.title = (config.build.title ? config.build.title + " – " : "") + "coursepack preview";
    $("target-label").textContent = config.label;
    $("edition-label").textContent = edition ? edition + " edition" : "";
    const editions = Object.keys(config.editions);
    const other = editions.find((e) => e !== edition);
    const toggle = $("switch-edition");
    toggle.disabled = !other;
    toggle.textContent = other ? "Switch to the " + other + " edition" : "Switch edition";
    toggle.title = other ? "" : "This course has one edition only (no certificate section in course.yaml)";
    $("reset-learner").disabled = !frame;
    $("new-session").disabled = !frame;
  }

  // ---------------------------------------------------------------- the panel

  function shown(value) {
    const text = String(value);
    return text.length > SHOWN_MAX ? text.slice(0, SHOWN_MAX) + "… (" + text.length + " characters)" : text;
  }

  function logLine(entry) {
    const log = $("log");
    const li = document.createElement("li");
    const c = side.calls;
    if (entry.name === "launch") {
      li.className = "launch";
      li.textContent = entry.text;
    } else if (entry.name === "lrs") {
      li.textContent = entry.text;
    } else if (entry.name === c.set) {
      li.textContent = entry.args[0] + " = " + JSON.stringify(shown(entry.args[1]));
    } else if (entry.name === c.get) {
      li.textContent = c.get + "(" + entry.args[0] + ")";
    } else {
      li.textContent = entry.name + "()";
      li.className = "event";
    }
    if (entry.error && entry.error !== "0") {
      li.className = "refused";
      li.textContent += " → refused: error " + entry.error + (entry.errorText ? " (" + entry.errorText + ")" : "");
    }
    log.appendChild(li);
    while (log.children.length > LOG_MAX) log.removeChild(log.firstChild);
    log.scrollTop = log.scrollHeight;
  }

  function queueRender() {
    if (renderQueued) return;
    renderQueued = true;
    requestAnimationFrame(() => { renderQueued = false; renderPanel(); });
  }

  function renderPanel() {
    if (side && side.lrs) { side.render(config, edition); return; }
    if (!side || !api) return;
    const sum = side.summary(snapshot());
    $("lms-status").textContent = sum.status;
    $("lms-score").textContent = sum.score;
    $("lms-location").textContent = sum.location || "–";
    const limit = config.stateLimit;
    const used = sum.state.length;
    $("lms-state-size").textContent = used.toLocaleString("en") + (limit ? " / " + limit.toLocaleString("en") + " characters" : " characters");
    const meter = $("lms-state-meter");
    meter.max = limit || 1;
    meter.value = limit ? Math.min(used, limit) : 0;
    meter.hidden = !limit;
    $("lms-session").textContent = record ? record.sessions + " (entry \"" + sum.entry + "\")" : "–";
    const body = $("values");
    body.textContent = "";
    for (const [element, item] of values) {
      const tr = document.createElement("tr");
      tr.dataset.element = element;
      if (element === lastChanged) tr.className = "changed";
      else if (item.by === "lms") tr.className = "from-lms";
      const th = document.createElement("th");
      th.scope = "row";
      th.textContent = element;
      const td = document.createElement("td");
      td.textContent = shown(item.value);
      tr.append(th, td);
      body.appendChild(tr);
    }
  }

  // ---------------------------------------------------------------- wiring

  function connect() {
    const events = new EventSource("/_preview/events");
    events.addEventListener("build", (e) => {
      mark("coursepack-preview:build-event");
      try { onBuild(JSON.parse(e.data)); } catch (err) { preview.error = String(err && err.stack || err); }
    });
    events.addEventListener("statements", (e) => {
      if (side && side.lrs) { side.onStatements(JSON.parse(e.data).statements); queueRender(); }
    });
    events.addEventListener("lrs-refused", (e) => {
      const r = JSON.parse(e.data);
      logLine({ name: "lrs", text: r.method + " " + r.resource, error: String(r.status), errorText: r.message.trim() });
    });
    events.addEventListener("error", () => {
      $("connection").textContent = "Not connected to coursepack preview (is it still running?); retrying…";
    });
  }

  function init() {
    $("reset-learner").addEventListener("click", () => { $("log").textContent = ""; relaunch(true); });
    $("new-session").addEventListener("click", () => relaunch(false));
    $("switch-edition").addEventListener("click", () => {
      const other = Object.keys(config.editions).find((e) => e !== edition);
      if (!other) return;
      closeSession(false);
      edition = other;
      sessionStorage.setItem(STORE + "edition", edition);
      launch();
    });
    $("clear-log").addEventListener("click", () => { $("log").textContent = ""; });
    $("au-choice").addEventListener("change", (e) => { chosenAu = e.target.value; relaunch(false); });
    window.addEventListener("message", (e) => { // returned.html: the course went to the LMS's returnURL
      if (e.origin === window.location.origin && e.data === "coursepack-preview:returned") {
        logLine({ name: "launch", text: "the course went back to the LMS (returnURL)" });
      }
    });
    connect();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
