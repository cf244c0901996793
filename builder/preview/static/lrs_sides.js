/* coursepack preview: the LMS side of the xAPI and cmi5 previews, in the page.
 *
 * The LMS itself runs in the preview server: its in-process LRS (mini_lrs.py) and the launches
 * (lrs_lms.py: a Tin Can launch URL; for cmi5 the launched statement, LMS.LaunchData and a one-time
 * fetch URL). This file asks the server for a launch (POST /_preview/lms/launch), keeps the learner's
 * registration in sessionStorage (through preview.js), and lists the statements the LRS stores as
 * they arrive, with the status the LMS would show:
 *   - xAPI (mod_tincanlaunch): completed / passed / failed about the course activity;
 *   - cmi5: the AU's cmi5-defined completed / passed / failed about its launch activityId, and whether
 *     its moveOn is met.
 * preview.js calls launch(), sessions(), reset(), onStatements() and render(); window.__preview.statements
 * and window.__preview.launches (the server's answer to each launch, LMS.LaunchData included) are what
 * the browser tests read.
 */
(function () {
  "use strict";

  const VERBS = "http://adlnet.gov/expapi/verbs/";
  const $ = (id) => document.getElementById(id);

  function post(path, body) {
    return fetch(path, {
      method: "POST", cache: "no-store", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body || {})
    }).then((r) => r.json().then((json) => {
      if (!r.ok) throw new Error(json.error || "HTTP " + r.status);
      return json;
    }));
  }

  function makeSide(kind) {
    let launched = null; // the server's answer to the last launch
    let record = null; // {registration, sessions, au}: kept per course, target and edition
    let statements = []; // summaries (lrs_lms.summary) of this registration, in arrival order
    let seen = new Set();
    const names = new Map(); // activity id -> its name, from any statement that gave one

    function add(list) {
      for (const s of list || []) {
        if (!launched || s.registration !== launched.registration || seen.has(s.id)) continue;
        seen.add(s.id);
        if (s.object !== s.objectId) names.set(s.objectId, s.object);
        statements.push(s);
      }
      const shared = window.__preview;
      if (shared) shared.statements = statements.slice();
    }

    // What the LMS would show for the launched unit, from the statements about it.
    function status() {
      if (!launched) return { status: "–", score: "–" };
      const about = statements.filter((s) => s.objectId === launched.activityId && (kind !== "cmi5" || s.cmi5));
      const has = (verb) => about.some((s) => s.verbId === VERBS + verb);
      const judged = about.filter((s) => s.verbId === VERBS + "passed" || s.verbId === VERBS + "failed").pop();
      const parts = [has("completed") ? "completed" : "not completed"];
      if (judged) parts.push(judged.verbId === VERBS + "passed" ? "passed" : "failed");
      if (kind === "cmi5" && launched.launchData) {
        const moveOn = launched.launchData.moveOn;
        const met = {
          Completed: has("completed"), Passed: has("passed"), CompletedOrPassed: has("completed") || has("passed"),
          CompletedAndPassed: has("completed") && has("passed"), NotApplicable: true
        }[moveOn];
        parts.push("moveOn " + moveOn + (met ? " met" : " not met"));
      }
      const scaled = judged && typeof judged.scaled === "number" ? "scaled " + judged.scaled : "–";
      return { status: parts.join(" · "), score: scaled };
    }

    function showAus(info) {
      const row = $("au-row"), select = $("au-choice");
      const aus = (info && info.preload && info.preload.aus) || [];
      row.hidden = kind !== "cmi5" || aus.length === 0;
      if (row.hidden) return;
      const ids = aus.map((a) => a.id).join("\n");
      if (select.dataset.ids !== ids) {
        select.textContent = "";
        for (const au of aus) {
          const option = document.createElement("option");
          option.value = au.id;
          option.textContent = au.title || au.id;
          select.appendChild(option);
        }
        select.dataset.ids = ids;
      }
      if (record && record.au) select.value = record.au;
    }

    return {
      lrs: true,
      kind: kind,
      calls: {},
      // ctx: {edition, info, au, read(), write(record), log(entry), render()}
      launch(ctx) {
        const kept = ctx.read() || {};
        record = { registration: kept.registration || null, sessions: (kept.sessions || 0) + 1, au: ctx.au || kept.au || null };
        return post("/_preview/lms/launch", { edition: ctx.edition, registration: record.registration, au: record.au }).then((answer) => {
          const again = launched && launched.registration === answer.registration;
          launched = answer;
          const shared = window.__preview;
          if (shared) (shared.launches = shared.launches || []).push(answer);
          record.registration = answer.registration;
          record.au = answer.au || null;
          ctx.write(record);
          if (!again) { statements = []; seen = new Set(); }
          ctx.log({
            name: "launch",
            text: "session " + record.sessions + " of the " + ctx.edition + " edition, registration " + answer.registration +
              (kind === "cmi5" ? ", AU " + answer.au + " (session id " + answer.sessionId + ")" : "")
          });
          showAus(ctx.info);
          return fetch("/_preview/lms/statements?registration=" + encodeURIComponent(answer.registration), { cache: "no-store" })
            .then((r) => r.json())
            .then((json) => { add(json.statements); ctx.render(); return answer.url; });
        });
      },
      sessions: () => (record ? record.sessions : 0),
      reset() {
        launched = null;
        statements = [];
        seen = new Set();
        add([]);
        return post("/_preview/lms/reset", {});
      },
      onStatements: add,
      render(config, edition) {
        const sum = status();
        $("lms-status").textContent = sum.status;
        $("lms-score").textContent = sum.score;
        $("lms-session").textContent = record ? record.sessions + " (registration " + (record.registration || "–") + ")" : "–";
        showAus(config && config.editions[edition]);
        $("statement-count").textContent = "(" + statements.length + ")";
        const body = $("statements");
        body.textContent = "";
        for (const s of statements) {
          const tr = document.createElement("tr");
          tr.dataset.verb = s.verb;
          if (s.verbId === VERBS + "launched") tr.className = "lms";
          else if (launched && s.objectId === launched.activityId) tr.className = "judged";
          const verb = document.createElement("th");
          verb.scope = "row";
          verb.textContent = s.verb;
          const object = document.createElement("td");
          object.textContent = names.get(s.objectId) || s.object;
          object.title = s.objectId;
          const result = document.createElement("td");
          result.textContent = s.result || "";
          tr.append(verb, object, result);
          body.appendChild(tr);
        }
      }
    };
  }

  window.CoursepackLrsSides = { xapi: makeSide("xapi"), cmi5: makeSide("cmi5") };
})();
