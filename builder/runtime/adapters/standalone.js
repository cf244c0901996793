/* coursepack standalone adapter: no LMS found, so progress lives in this browser's localStorage.
 * The player shows "Progress is saved in this browser only". Never throws: storage may be disabled. */
(function (w) {
  "use strict";
  var CP = w.Coursepack;

  function create(api, data) {
    var key = "coursepack:" + data.course.id + ":" + data.course.version + ":" + data.edition + ":" + data.sco;
    var record = { location: "", state: "", reflections: {}, status: "", score: null, name: "" };
    var storage = null;
    try {
      storage = w.localStorage;
      var saved = storage.getItem(key);
      if (saved) {
        var parsed = JSON.parse(saved);
        if (parsed && typeof parsed === "object") for (var k in record) if (parsed[k] != null) record[k] = parsed[k];
      }
    } catch (e) {
      storage = null;
    }
    var hadState = !!record.state;
    function persist() {
      if (!storage) return;
      try { storage.setItem(key, JSON.stringify(record)); } catch (e) { CP.warn("storage", "could not save progress in this browser"); }
    }
    return {
      kind: "standalone",
      start: function () {
        return {
          entry: hadState ? "resume" : "ab-initio",
          location: record.location,
          state: record.state,
          reflections: record.reflections,
          learnerName: record.name,
          learnerId: "",
          masteryScore: data.mark
        };
      },
      pageViewed: function (location) { record.location = location; },
      answered: function () {},
      reflected: function (id, text) { record.reflections[id] = String(text || ""); },
      saveState: function (text) { record.state = text; },
      setResult: function (result) {
        if (result.scoreRaw != null) record.score = result.scoreRaw;
        if (result.status) record.status = result.status;
      },
      setLearnerName: function (name) { record.name = name; persist(); },
      commit: persist,
      finish: persist
    };
  }

  CP.adapters.standalone = { detect: function () { return null; }, create: create };
})(window);
