/* coursepack-requires: lrs.js statements.js xapi_session.js */
/* coursepack cmi5 adapter: the AU side of the cmi5 launch sequence (cmi5 §8, §10, §11; notes in
 * peers-and-standards §4.5). The LMS opens
 *   <AU url>?endpoint=<LRS>&fetch=<one-time URL>&actor=<Agent>&registration=<UUID>&activityId=<IRI>
 * and before the first statement this adapter:
 *   1. POSTs the fetch URL once for the session's credential ({"auth-token": …}; GET is not allowed, and
 *      a second POST is refused by the LMS, so it is never retried);
 *   2. reads the LMS.LaunchData state document: contextTemplate, launchMode, moveOn, masteryScore,
 *      returnURL (and launchParameters, unused);
 *   3. reads the cmi5LearnerPreferences agent profile (a 404 means none were set).
 * Then runtime/xapi_session.js sends the statements: the cmi5-defined ones (initialized, completed,
 * passed, failed, terminated) about the launch activityId with the cmi5 category, every statement from
 * the contextTemplate (session id extension included) with the registration; completed and passed at most
 * once per registration, remembered in the State API; none of completed/passed/failed in Browse or Review
 * mode; the LMS's masteryScore is the pass mark. On Exit, after terminated is on its way (fetch
 * keepalive), the AU's window goes to returnURL.
 */
(function (w) {
  "use strict";
  var CP = w.Coursepack;
  var UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

  function detect(win) {
    var p = CP.lrs.launchParams(win);
    if (!(p.endpoint && p.fetch && p.actor && p.registration && p.activityId)) return null;
    var actor = CP.lrs.agent(p.actor);
    if (!actor || !UUID.test(p.registration)) {
      CP.warn("cmi5-launch", "the cmi5 launch's actor or registration is not valid; progress is kept in this browser");
      return null;
    }
    return { params: p, actor: actor };
  }

  // POST the fetch URL once: the credential for this session, or "" (statements then wait in the browser)
  function fetchToken(url) {
    return w.fetch(url, { method: "POST", cache: "no-store", credentials: "omit" }).then(function (r) {
      return r.json().then(function (body) {
        if (r.ok && body && body["auth-token"]) return "Basic " + body["auth-token"];
        CP.warn("cmi5-fetch", "the LMS gave no credential (" + r.status + " " + (body && body["error-code"]) + ")");
        return "";
      });
    }).then(null, function (e) {
      CP.warn("cmi5-fetch", "could not reach the LMS's fetch URL (" + (e && e.message) + ")");
      return "";
    });
  }

  function create(launch, data) {
    var p = launch.params, actor = launch.actor, session = null;
    var agentJson = JSON.stringify(actor);
    var client = null;

    function delegate(name) {
      return function () { if (session && session[name]) return session[name].apply(null, arguments); return undefined; };
    }
    var adapter = {
      kind: "lms",
      start: function () {
        return fetchToken(p.fetch).then(function (auth) {
          client = new CP.lrs.Client({
            endpoint: p.endpoint, auth: auth,
            storageKey: "coursepack:cmi5-queue:" + p.endpoint + "|" + p.activityId + "|" + CP.lrs.learnerId(actor) + "|" + p.registration
          });
          return Promise.all([
            client.getDocument("activities/state", { activityId: p.activityId, agent: agentJson, registration: p.registration, stateId: "LMS.LaunchData" }),
            client.getDocument("agents/profile", { agent: agentJson, profileId: "cmi5LearnerPreferences" })
          ]);
        }).then(function (found) {
          var ld = found[0].json || {};
          if (!found[0].json) CP.warn("cmi5-launchdata", "LMS.LaunchData could not be read (" + found[0].status + "); launching in Normal mode");
          var mode = { Browse: "browse", Review: "review" }[ld.launchMode] || "normal";
          var mastery = typeof ld.masteryScore === "number" && ld.masteryScore >= 0 && ld.masteryScore <= 1 ? ld.masteryScore : null;
          var template = ld.contextTemplate && typeof ld.contextTemplate === "object" ? ld.contextTemplate : {};
          var returnURL = typeof ld.returnURL === "string" ? ld.returnURL : "";
          session = CP.xapiSession.create({
            data: data, client: client, actor: actor, registration: p.registration, unitId: p.activityId,
            unitType: data.modules.length === 1 && data.sco !== "course" ? "module" : "course",
            template: template, cmi5: true, judging: mode === "normal", readOnly: mode === "review",
            mastery: mastery,
            info: {
              learnerName: actor.name || "", learnerId: CP.lrs.learnerId(actor),
              masteryScore: mastery == null ? null : mastery * 100, moveOn: ld.moveOn || null, mode: mode
            },
            leave: function (reason) {
              // after Exit only: on unload the browser is already going somewhere
              if (reason === "exit" && returnURL) w.setTimeout(function () { w.location.assign(returnURL); }, 50);
            }
          });
          return session.start();
        });
      },
      restored: delegate("restored"),
      pageViewed: delegate("pageViewed"),
      answered: delegate("answered"),
      quizScored: delegate("quizScored"),
      reflected: delegate("reflected"),
      saveState: delegate("saveState"),
      setLearnerName: delegate("setLearnerName"),
      setResult: delegate("setResult"),
      commit: delegate("commit"),
      finish: delegate("finish")
    };
    return adapter;
  }

  CP.adapters.cmi5 = { detect: detect, create: create };
})(window);
