/* Test LMS host page for SCORM 2004 packages (tests/browser/lms2004.py), like lms.js for 1.2:
 *   1. window.API_1484_11 = new Scorm2004API(config.settings || {}) (no network: no commit URL);
 *   2. preloads the learner's cmi with API.loadFromJSON(config.cmi) before Initialize (the only time
 *      scorm-again accepts read-only elements such as cmi.entry or cmi.scaled_passing_score);
 *   3. records every API call (name, args, return value, GetLastError() right after it) in
 *      window.__lms.calls and a cmi snapshot after every Commit / Terminate in window.__lms.commits;
 *   4. only then puts the package in <iframe title="Course content" src="/pkg/...">.
 */
(function () {
  "use strict";

  var NAMES = ["Initialize", "Terminate", "GetValue", "SetValue", "Commit",
               "GetLastError", "GetErrorString", "GetDiagnostic"];
  var ERROR_FNS = { GetLastError: true, GetErrorString: true, GetDiagnostic: true };

  var state = window.__lms = { ready: false, error: null, config: null, calls: [], commits: [], finishCount: 0 };

  function asString(v) {
    if (v === undefined || v === null) { return null; }
    return typeof v === "string" ? v : String(v);
  }
  function snapshot(api) {
    try { return api.renderCMIToJSONObject().cmi; } catch (e) { return { __error: String(e) }; }
  }

  function createApi(cfg) {
    var api = new window.Scorm2004API(cfg.settings || {});
    if (cfg.cmi) { api.loadFromJSON(cfg.cmi); }
    var lastError = api.GetLastError;
    NAMES.forEach(function (name) {
      var original = api[name];
      api[name] = function () {
        var args = Array.prototype.slice.call(arguments);
        var entry = { name: name, args: args.map(asString), argTypes: args.map(function (a) { return typeof a; }), t: performance.now() };
        var ret;
        try {
          ret = original.apply(api, args);
        } catch (e) {
          entry.exception = String(e);
          entry.ret = null;
          entry.error = null;
          entry.i = state.calls.length;
          state.calls.push(entry);
          throw e;
        }
        entry.ret = asString(ret);
        entry.error = ERROR_FNS[name] ? null : asString(lastError.call(api));
        entry.i = state.calls.length;
        state.calls.push(entry);
        if (name === "Commit" || name === "Terminate") {
          state.commits.push({ i: entry.i, name: name, ret: entry.ret, cmi: snapshot(api) });
        }
        if (name === "Terminate") { state.finishCount += 1; }
        return ret;
      };
    });
    return api;
  }

  function launch(cfg) {
    state.config = cfg;
    window.API_1484_11 = createApi(cfg);
    var frame = document.createElement("iframe");
    frame.id = "content";
    frame.title = cfg.frameTitle || "Course content";
    frame.src = cfg.launch;
    document.getElementById("lms").appendChild(frame);
    state.ready = true;
  }

  function start() {
    var configUrl = new URLSearchParams(window.location.search).get("config");
    if (!configUrl) { state.error = "lms2004.html needs ?config=<url of a JSON config>"; return; }
    fetch(configUrl, { cache: "no-store" })
      .then(function (r) {
        if (!r.ok) { throw new Error("config " + configUrl + ": HTTP " + r.status); }
        return r.json();
      })
      .then(launch)
      .catch(function (e) { state.error = String(e && e.stack || e); });
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
}());
