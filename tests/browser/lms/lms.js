/* Test LMS host page for coursepack's browser tests.
 *
 * Reads its configuration from the JSON file named by ?config=..., then, like an LMS:
 *   1. creates window.API = new Scorm12API()        when config.settings is null
 *                           new Scorm12API(settings) otherwise (scorm-again then turns
 *                                                    mastery_override ON unless settings say false)
 *   2. preloads the learner's cmi data with API.loadFromJSON(config.cmi) (before LMSInitialize,
 *      the only time scorm-again accepts read-only elements such as cmi.core.entry);
 *   3. wraps every LMS* method in a recorder (name, args, return value, and the
 *      LMSGetLastError() code right after the call) kept in window.__lms.calls, and keeps a
 *      cmi snapshot after every LMSCommit / LMSFinish in window.__lms.commits;
 *   4. only then puts the package in <iframe title="Course content" src="/pkg/...">.
 * config.commitBlocksMs: LMSCommit and LMSFinish hold the page's thread that long before they
 * return, as Moodle's do (mod/scorm/request.js posts each commit as a synchronous XMLHttpRequest).
 * The Python side (tests/browser/harness.py) reads window.__lms.
 */
(function () {
  "use strict";

  var NAMES = ["LMSInitialize", "LMSFinish", "LMSGetValue", "LMSSetValue", "LMSCommit",
               "LMSGetLastError", "LMSGetErrorString", "LMSGetDiagnostic"];
  var ERROR_FNS = { LMSGetLastError: true, LMSGetErrorString: true, LMSGetDiagnostic: true };

  var state = window.__lms = {
    ready: false, error: null, config: null,
    calls: [], commits: [], finishCount: 0
  };

  function asString(v) {
    if (v === undefined || v === null) { return null; }
    return typeof v === "string" ? v : String(v);
  }

  function snapshot(api) {
    try { return api.renderCMIToJSONObject().cmi; } catch (e) { return { __error: String(e) }; }
  }

  function createApi(cfg) {
    var api = (cfg.settings === null || cfg.settings === undefined)
      ? new window.Scorm12API()
      : new window.Scorm12API(cfg.settings);
    if (cfg.cmi) { api.loadFromJSON(cfg.cmi); }
    var lastError = api.LMSGetLastError;   // the unwrapped method, called with api as this

    NAMES.forEach(function (name) {
      var original = api[name];
      api[name] = function () {
        var args = Array.prototype.slice.call(arguments);
        var entry = {
          name: name,
          args: args.map(asString),
          argTypes: args.map(function (a) { return typeof a; }),
          t: performance.now()
        };
        var ret;
        if (cfg.commitBlocksMs && (name === "LMSCommit" || name === "LMSFinish")) {
          while (performance.now() - entry.t < cfg.commitBlocksMs) { /* the server's answer, awaited */ }
        }
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
        if (name === "LMSCommit" || name === "LMSFinish") {
          state.commits.push({ i: entry.i, name: name, ret: entry.ret, cmi: snapshot(api) });
        }
        if (name === "LMSFinish") { state.finishCount += 1; }
        return ret;
      };
    });
    return api;
  }

  function launch(cfg) {
    state.config = cfg;
    window.API = createApi(cfg);
    var frame = document.createElement("iframe");
    frame.id = "content";
    frame.title = cfg.frameTitle || "Course content";
    frame.src = cfg.launch;
    document.getElementById("lms").appendChild(frame);
    state.ready = true;
  }

  function start() {
    var configUrl = new URLSearchParams(window.location.search).get("config");
    if (!configUrl) { state.error = "lms.html needs ?config=<url of a JSON config>"; return; }
    fetch(configUrl, { cache: "no-store" })
      .then(function (r) {
        if (!r.ok) { throw new Error("config " + configUrl + ": HTTP " + r.status); }
        return r.json();
      })
      .then(launch)
      .catch(function (e) { state.error = String(e && e.stack || e); });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
