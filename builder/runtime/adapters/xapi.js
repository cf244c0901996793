/* coursepack-requires: lrs.js statements.js xapi_session.js */
/* coursepack xAPI (Tin Can) adapter: the launch an LMS such as Moodle's mod_tincanlaunch makes
 * (peers-and-standards §4.4): index.html?endpoint=<LRS>&auth=<Basic …>&actor=<Agent JSON>
 * [&registration=<UUID>][&activity_id=<IRI>]. No credential is ever in the package: without `endpoint`
 * and `actor` in the launch URL the player runs standalone (progress in this browser).
 * What is sent when, and where progress is kept: runtime/xapi_session.js.
 */
(function (w) {
  "use strict";
  var CP = w.Coursepack;

  function detect(win) {
    var p = CP.lrs.launchParams(win);
    var actor = p.endpoint && p.actor ? CP.lrs.agent(p.actor) : null;
    if (p.endpoint && !actor) CP.warn("xapi-actor", "the launch's actor is not an xAPI Agent; progress is kept in this browser");
    return actor ? { params: p, actor: actor } : null;
  }

  function create(launch, data) {
    var p = launch.params, actor = launch.actor;
    var registration = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(p.registration || "") ? p.registration : "";
    var unitId = p.activity_id || data.course.id;
    var client = new CP.lrs.Client({
      endpoint: p.endpoint, auth: p.auth || "",
      storageKey: "coursepack:xapi-queue:" + p.endpoint + "|" + unitId + "|" + CP.lrs.learnerId(actor) + "|" + registration
    });
    var session = CP.xapiSession.create({
      data: data, client: client, actor: actor, registration: registration, unitId: unitId, unitType: "course",
      template: null, cmi5: false, judging: true, readOnly: false, mastery: null,
      info: { learnerName: actor.name || "", learnerId: CP.lrs.learnerId(actor), masteryScore: null, moveOn: null, mode: "normal" }
    });
    return session;
  }

  CP.adapters.xapi = { detect: detect, create: create };
})(window);
