/* coursepack xAPI session: the tracking interface (tracking.js) over an LRS, for the xAPI and cmi5
 * adapters. The adapter does the launch (reads the parameters, gets the credential, reads what the LMS
 * set) and gives this the unit's activity id, the context every statement starts from and whether
 * results may be judged; this decides what is sent when:
 *
 *   start       initialized (the unit), then resumed when a saved state was found
 *   page shown  experienced (the page; parent module, grouping course)
 *   question    answered (interaction definition, response, success, score, duration = time on screen)
 *   quiz        passed / failed (the quiz, score.scaled) when the quiz has a pass mark
 *   reflection  responded (the learner's full text in result.response), at the next commit, only when
 *               changed and never again for a text restored from the saved state
 *   module      completed (the module), once per registration, when the unit spans several modules
 *   unit        completed (completion true, no score), passed (success true, score.scaled) or failed,
 *               each at most once per registration, never failed after passed, none when not judging
 *               (cmi5 Browse and Review modes)
 *   leaving     suspended (when the unit is not completed), then terminated (result.duration); the
 *               queue is flushed with keepalive so both survive the page closing
 *
 * Progress (bookmark, the saved-state text from tracking.js, what was already sent) is one JSON
 * document in the LRS State API (no 4,096-character limit), keyed by unit, learner and registration.
 * Context arrays from the adapter's template are only appended to, never reordered (cmi5 §9.6.2.?).
 */
(function (w) {
  "use strict";
  var CP = w.Coursepack;
  var STATE_ID = "https://coursepack.dev/xapi/state/progress";
  var CMI5_CATEGORY = "https://w3id.org/xapi/cmi5/context/categories/cmi5";
  var MOVEON_CATEGORY = "https://w3id.org/xapi/cmi5/context/categories/moveon";
  var MASTERY_EXT = "https://w3id.org/xapi/cmi5/context/extensions/masteryscore";

  function copy(value) { return value == null ? value : JSON.parse(JSON.stringify(value)); }

  /* opts:
   *   data, client (CP.lrs.Client), actor, registration (may be ""), unitId, unitType ("course"|"module"),
   *   template: context every statement starts from (cmi5: LMS.LaunchData contextTemplate) or null,
   *   cmi5: true for cmi5 (defined statements carry its category, object = {id: unitId}),
   *   judging: false in cmi5 Browse/Review (no completed, passed or failed), mastery: scaled 0..1 or null,
   *   readOnly: true in cmi5 Review mode (the saved progress is not written),
   *   info: launch facts for the player {learnerName, learnerId, masteryScore, moveOn, mode},
   *   leave: function(reason) called after terminated was queued (cmi5 returnURL)
   */
  function create(opts) {
    var data = opts.data, client = opts.client, acts = new CP.statements.Activities(data), V = CP.statements.VERBS;
    var started = Date.now();
    var doc = { location: "", state: "", name: "", sent: { modules: {} } };
    var reflections = {}, reported = {}, dirty = {};
    var registration = opts.registration || null;
    // cmi5: passed and failed carry the masteryScore the LMS gave, as a context extension
    var judgedWith = null;
    if (opts.cmi5 && opts.mastery != null) { judgedWith = {}; judgedWith[MASTERY_EXT] = opts.mastery; }

    function stateParams() {
      var p = { activityId: opts.unitId, agent: JSON.stringify(opts.actor), stateId: STATE_ID };
      if (registration) p.registration = registration;
      return p;
    }
    function context(parents, grouping, categories) {
      var ctx = copy(opts.template) || {};
      if (registration) ctx.registration = registration;
      if (!ctx.language) ctx.language = data.course.lang || "en";
      var ca = ctx.contextActivities = ctx.contextActivities || {};
      function add(kind, list) {
        if (!list || !list.length) return;
        var have = ca[kind] ? (Array.isArray(ca[kind]) ? ca[kind] : [ca[kind]]) : [];
        var ids = {};
        have.forEach(function (a) { ids[a.id] = true; });
        ca[kind] = have.concat(list.filter(function (a) { return !ids[a.id]; }));
      }
      add("parent", parents);
      add("grouping", grouping);
      add("category", categories);
      if (!Object.keys(ca).length) delete ctx.contextActivities;
      return ctx;
    }
    function send(verbWord, object, result, ctx) {
      var s = { actor: opts.actor, verb: V[verbWord], object: object, context: ctx };
      if (result) s.result = result;
      return client.send(s);
    }
    function unitObject() {
      if (opts.cmi5) return { objectType: "Activity", id: opts.unitId };
      var unit = opts.unitType === "course" ? acts.courseActivity() : acts.moduleActivity(0);
      unit.id = opts.unitId; // the launch's activity id (Tin Can activity_id), normally the same
      return unit;
    }
    function courseGrouping() { return opts.unitType === "course" && !opts.cmi5 ? [] : [{ objectType: "Activity", id: acts.course() }]; }
    // a statement about the launched unit: cmi5-defined in cmi5 (its category; moveon when judged)
    function unitStatement(verbWord, result, extraExtensions) {
      var cats = [];
      if (opts.cmi5) {
        cats.push({ objectType: "Activity", id: CMI5_CATEGORY });
        if (result && (result.success != null || result.completion != null)) cats.push({ objectType: "Activity", id: MOVEON_CATEGORY });
      }
      var ctx = context([], courseGrouping(), cats);
      if (extraExtensions) {
        ctx.extensions = ctx.extensions || {};
        for (var k in extraExtensions) if (extraExtensions.hasOwnProperty(k)) ctx.extensions[k] = extraExtensions[k];
      }
      return send(verbWord, unitObject(), result, ctx);
    }
    // any other statement: under the unit (and its module), never with the cmi5 category
    function allowedStatement(verbWord, object, result, parents) {
      var grouping = [{ objectType: "Activity", id: acts.course() }];
      if (opts.cmi5 && opts.unitId !== acts.course()) grouping.push({ objectType: "Activity", id: opts.unitId });
      return send(verbWord, object, result, context(parents, grouping, []));
    }
    function elapsed() { return CP.lrs.duration(Date.now() - started); }
    // A copy in this browser too: an LRS without the State API (or out of reach at the next launch)
    // still gets the learner back to where they were on this device.
    var localKey = "coursepack:xapi-state:" + opts.unitId + "|" + CP.lrs.learnerId(opts.actor) + "|" + (registration || "");
    function saveDoc() {
      if (opts.readOnly) return; // cmi5 Review mode: the learner's record is shown, never changed
      client.putDocument("activities/state", stateParams(), doc);
      try { w.localStorage.setItem(localKey, JSON.stringify(doc)); } catch (e) { /* storage off: the LRS copy is enough */ }
    }
    function localDoc() {
      try { return JSON.parse(w.localStorage.getItem(localKey) || "null"); } catch (e) { return null; }
    }
    function flushReflections() {
      Object.keys(dirty).forEach(function (id) {
        delete dirty[id];
        var text = reflections[id] || "";
        if (!text.trim() || text === reported[id]) return;
        var ri = acts.reflectionIndex(id);
        if (ri < 0) return;
        var mi = acts.reflectionModule(ri);
        var activity = acts.activity(acts.reflectionId(ri), "question", id);
        activity.definition.interactionType = "long-fill-in";
        allowedStatement("responded", activity, { response: text }, [acts.moduleActivity(mi)]);
        reported[id] = text;
      });
    }

    return {
      kind: "lms",
      start: function () {
        return client.getDocument("activities/state", stateParams()).then(function (found) {
          // the LRS's copy when it has one (another device may have written it); else this browser's
          var saved = found.json && typeof found.json === "object" ? found.json : found.status === 200 ? null : localDoc();
          if (saved && typeof saved === "object") {
            doc.location = String(saved.location || "");
            doc.state = String(saved.state || "");
            doc.name = String(saved.name || "");
            var sent = saved.sent && typeof saved.sent === "object" ? saved.sent : {};
            doc.sent = { modules: sent.modules && typeof sent.modules === "object" ? sent.modules : {},
              completed: !!sent.completed, passed: !!sent.passed, failed: !!sent.failed };
          }
          unitStatement("initialized", null);
          if (doc.state) allowedStatement("resumed", unitObject(), null, []);
          var info = opts.info || {};
          return {
            entry: doc.state ? "resume" : "ab-initio",
            location: doc.location,
            state: doc.state,
            reflections: {},
            learnerName: doc.name || info.learnerName || "",
            learnerId: info.learnerId || "",
            masteryScore: info.masteryScore == null ? null : info.masteryScore,
            moveOn: info.moveOn || null,
            mode: info.mode || "normal"
          };
        });
      },
      restored: function (texts) {
        for (var id in texts) if (texts.hasOwnProperty(id)) reported[id] = reflections[id] = texts[id];
      },
      pageViewed: function (location) {
        if (location === doc.location) return;
        doc.location = location;
        for (var pi = 0; pi < data.pages.length; pi++) {
          if (data.pages[pi].key !== location) continue;
          var mi = data.pages[pi].module;
          allowedStatement("experienced", acts.pageActivity(pi), null, [acts.moduleActivity(mi)]);
        }
      },
      answered: function (ix) {
        var q = acts.questionActivity(ix);
        var raw = ix.result ? q.points : 0;
        allowedStatement("answered", q.activity, {
          response: q.response, success: !!ix.result, duration: CP.lrs.duration(ix.latency || 0),
          score: { scaled: q.points ? raw / q.points : 0, raw: raw, min: 0, max: q.points }
        }, [acts.quizActivity(q.quiz)]);
      },
      quizScored: function (s) {
        if (s.passed == null || !opts.judging) return;
        var qi = acts.quizIndex(s.quizId);
        allowedStatement(s.passed ? "passed" : "failed", acts.quizActivity(qi),
          { success: s.passed, score: { scaled: s.scaled, raw: Math.round(s.scaled * 10000) / 100, min: 0, max: 100 } },
          [acts.moduleActivity(acts.quizModule(qi))]);
      },
      reflected: function (id, text) {
        text = String(text || "");
        if ((reflections[id] || "") === text) return;
        reflections[id] = text;
        dirty[id] = true;
      },
      saveState: function (text) { doc.state = text; },
      setLearnerName: function (name) { doc.name = name; },
      setResult: function (r) {
        var sent = doc.sent;
        if (!opts.judging) return;
        if (data.modules.length > 1 || opts.unitType === "course") {
          (r.modules || []).forEach(function (done, mi) {
            var id = data.modules[mi].id;
            if (!done || sent.modules[id]) return;
            sent.modules[id] = true;
            allowedStatement("completed", acts.moduleActivity(mi), { completion: true }, [acts.courseActivity()]);
          });
        }
        if (r.completed && !sent.completed) {
          sent.completed = true;
          unitStatement("completed", { completion: true, duration: elapsed() });
        }
        if (r.success === true && !sent.passed) {
          sent.passed = true;
          unitStatement("passed", { success: true, score: { scaled: r.scaled }, duration: elapsed() },
            judgedWith);
        } else if (r.success === false && !sent.failed && !sent.passed) {
          sent.failed = true;
          unitStatement("failed", { success: false, score: { scaled: r.scaled }, duration: elapsed() },
            judgedWith);
        }
      },
      commit: function () {
        flushReflections();
        saveDoc();
        client.soon();
      },
      finish: function (reason) {
        flushReflections();
        saveDoc();
        if (!doc.sent.completed && !doc.sent.passed) allowedStatement("suspended", unitObject(), { duration: elapsed() }, []);
        unitStatement("terminated", { duration: elapsed() });
        client.flush(true);
        if (opts.leave) opts.leave(reason);
      }
    };
  }

  CP.xapiSession = { create: create, STATE_ID: STATE_ID };
})(window);
