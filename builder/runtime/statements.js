/* coursepack xAPI statements: activity ids, interaction definitions and statement bodies shared by the
 * xAPI and cmi5 adapters. The activity ids match what the package's tincan.xml / cmi5.xml declare
 * (builder/targets/xapi_activities.py makes the same ids):
 *   course      <course id>
 *   module      <course id>/<module id>
 *   page        <course id>/<module id>/<page id>
 *   quiz        <course id>/<module id>/quiz/<quiz id>
 *   question    <course id>/<module id>/quiz/<quiz id>/<question id>
 *   reflection  <course id>/<module id>/reflection/<reflection id>
 * Interaction responses follow xAPI 1.0.3 (Data 2.4.4.1 and its appendix): choice ids are the authored
 * ids, lists join with "[,]", matching pairs with "[.]"; a matching target's id is "<pair id>-match".
 */
(function (w) {
  "use strict";
  var CP = w.Coursepack;
  var ADL = "http://adlnet.gov/expapi/verbs/";
  var TYPES = {
    course: "http://adlnet.gov/expapi/activities/course",
    module: "http://adlnet.gov/expapi/activities/module",
    page: "http://adlnet.gov/expapi/activities/lesson",
    quiz: "http://adlnet.gov/expapi/activities/assessment",
    question: "http://adlnet.gov/expapi/activities/cmi.interaction"
  };
  var VERB_WORDS = ["initialized", "experienced", "answered", "responded", "completed", "passed", "failed",
    "suspended", "resumed", "terminated"];

  function verb(word) {
    var display = {};
    display["en-US"] = word;
    return { id: ADL + word, display: display };
  }
  function lang(text, language) {
    var map = {};
    map[language || "en"] = String(text == null ? "" : text);
    return map;
  }

  // ids and activity objects of one course's data (data = the launch page's course data)
  function Activities(data) {
    this.data = data;
    this.language = data.course.lang || "en";
    this.base = String(data.course.id).replace(/\/+$/, "");
  }
  Activities.prototype.course = function () { return this.data.course.id; };
  Activities.prototype.moduleId = function (mi) { return this.base + "/" + this.data.modules[mi].id; };
  Activities.prototype.pageId = function (pi) { return this.base + "/" + this.data.pages[pi].key; };
  Activities.prototype.quizModule = function (qi) { return this.data.pages[this.data.quizzes[qi].page].module; };
  Activities.prototype.quizId = function (qi) { return this.moduleId(this.quizModule(qi)) + "/quiz/" + this.data.quizzes[qi].id; };
  Activities.prototype.reflectionModule = function (ri) { return this.data.pages[this.data.reflections[ri].page].module; };
  Activities.prototype.reflectionId = function (ri) { return this.moduleId(this.reflectionModule(ri)) + "/reflection/" + this.data.reflections[ri].id; };
  Activities.prototype.activity = function (id, type, name) {
    return { objectType: "Activity", id: id, definition: { type: TYPES[type], name: lang(name, this.language) } };
  };
  Activities.prototype.courseActivity = function () { return this.activity(this.course(), "course", this.data.course.title); };
  Activities.prototype.moduleActivity = function (mi) { return this.activity(this.moduleId(mi), "module", this.data.modules[mi].title); };
  Activities.prototype.pageActivity = function (pi) { return this.activity(this.pageId(pi), "page", this.data.pages[pi].title); };
  Activities.prototype.quizActivity = function (qi) { return this.activity(this.quizId(qi), "quiz", this.data.quizzes[qi].title); };
  Activities.prototype.quizIndex = function (quizId) {
    for (var i = 0; i < this.data.quizzes.length; i++) if (this.data.quizzes[i].id === quizId) return i;
    return -1;
  };
  Activities.prototype.reflectionIndex = function (id) {
    for (var i = 0; i < this.data.reflections.length; i++) if (this.data.reflections[i].id === id) return i;
    return -1;
  };

  function list(ids) { return ids.join("[,]"); }
  function components(ids, texts, language) {
    return ids.map(function (id, i) { return { id: id, description: lang((texts && texts[i]) || id, language) }; });
  }
  // {interactionType, definition extras, response} of a submitted question (player.js `interaction`)
  function interaction(ix, question, language) {
    var t = ix.text || {}, r = ix.response;
    switch (ix.type) {
      case "single_choice":
        return { def: { interactionType: "choice", correctResponsesPattern: [question.choices[question.answer]], choices: components(question.choices, t.choices, language) },
          response: r == null ? "" : question.choices[r] };
      case "multiple_response":
        return { def: { interactionType: "choice", correctResponsesPattern: [list(question.answers.map(function (i) { return question.choices[i]; }))], choices: components(question.choices, t.choices, language) },
          response: list((r || []).map(function (i) { return question.choices[i]; })) };
      case "true_false":
        return { def: { interactionType: "true-false", correctResponsesPattern: [question.answer ? "true" : "false"] },
          response: r == null ? "" : r ? "true" : "false" };
      case "fill_in":
        var prefix = question.case ? "{case_matters=true}" : "{case_matters=false}";
        return { def: { interactionType: "fill-in", correctResponsesPattern: question.accepted.map(function (a) { return prefix + a; }) },
          response: String(r == null ? "" : r) };
      case "matching":
        var targets = question.pairs.map(function (id) { return id + "-match"; });
        var pairs = function (chosen) {
          var out = [];
          for (var i = 0; i < chosen.length; i++) if (chosen[i] != null) out.push(question.pairs[i] + "[.]" + targets[chosen[i]]);
          return list(out);
        };
        return { def: { interactionType: "matching", correctResponsesPattern: [pairs(question.pairs.map(function (p, i) { return i; }))],
          source: components(question.pairs, t.sources, language), target: components(targets, t.targets, language) },
          response: pairs(r || []) };
      case "sequencing":
        return { def: { interactionType: "sequencing", correctResponsesPattern: [list(question.items)], choices: components(question.items, t.choices, language) },
          response: list((r || []).map(function (i) { return question.items[i]; })) };
    }
    return { def: { interactionType: "other" }, response: "" };
  }
  Activities.prototype.questionActivity = function (ix) {
    var qi = this.quizIndex(ix.quizId), quiz = this.data.quizzes[qi], question = null;
    for (var n = 0; n < quiz.questions.length; n++) if (quiz.questions[n].id === ix.questionId) question = quiz.questions[n];
    var parts = interaction(ix, question, this.language);
    var activity = this.activity(this.quizId(qi) + "/" + ix.questionId, "question", (ix.text && ix.text.prompt) || ix.questionId);
    for (var k in parts.def) if (parts.def.hasOwnProperty(k)) activity.definition[k] = parts.def[k];
    return { activity: activity, response: parts.response, quiz: qi, points: question.points };
  };

  var VERBS = {};
  VERB_WORDS.forEach(function (v) { VERBS[v] = verb(v); });

  CP.statements = { Activities: Activities, VERBS: VERBS, verb: verb, lang: lang, TYPES: TYPES };
})(window);
