/* coursepack player: shows one pre-rendered page at a time, runs quizzes and reflections, applies the
 * completion rules and talks to the LMS only through Coursepack.createTracking (tracking.js). */
(function (w, d) {
  "use strict";
  var CP = w.Coursepack;

  function safe(fn) {
    return function () {
      try {
        return fn.apply(this, arguments);
      } catch (e) {
        CP.warn("player:" + (e && e.message), "player error: " + (e && e.message));
        return undefined;
      }
    };
  }
  // Document-wide lookups are remembered (a scan of a huge page per turn adds up; the player's elements stay)
  var found = {};
  function $(sel, root) {
    if (root) return root.querySelector(sel);
    return found.hasOwnProperty(sel) ? found[sel] : (found[sel] = d.querySelector(sel)); // absent stays absent
  }
  function $all(sel, root) { return Array.prototype.slice.call((root || d).querySelectorAll(sel)); }
  function show(el, on) { if (el) el.hidden = !on; }
  function fmt(n) { return Math.floor(n * 100) / 100 + ""; }
  // the player's words, from the course's strings table (builder/render/strings.py)
  var S = {};
  function T(key, vars) {
    var s = S[key];
    if (s == null) return key;
    return s.replace(/\{(\w+)\}/g, function (m, name) { return vars && vars[name] != null ? String(vars[name]) : m; });
  }
  // a counted word: "n.page.one" / "n.page.other"
  function N(word, n) { return T("n." + word + (n === 1 ? ".one" : ".other"), { n: n }); }
  function quoted(text) { return T("quoted", { text: text }); }

  var data, tracking, info;
  var state = null;
  var reflections = {};
  var current = { view: "menu", page: -1 };
  var lastPage = -1;
  var quizzes = [];
  var learnerName = "";
  var announcer;

  function announce(text) {
    if (!announcer) return;
    announcer.textContent = "";
    w.setTimeout(function () { announcer.textContent = text; }, 60);
  }

  /* ---- rules ---------------------------------------------------------------------------------- */
  // characters as the learner sees them: Unicode code points (an emoji is one, not two UTF-16 units)
  // characters as Array.from counts them (a surrogate pair is one), without an array per character: the
  // rules count every reflection on every report
  function charCount(text) {
    text = String(text || "");
    var pairs = text.length > 1 && text.match(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g);
    return text.length - (pairs ? pairs.length : 0);
  }
  function textLength(text) { return charCount(String(text || "").trim()); }
  function reflectionOk(ri) {
    var r = data.reflections[ri];
    return !r.min || textLength(reflections[r.id]) >= r.min;
  }
  function quizBest(qi) { var s = state.quizzes[qi]; return s.attempts ? s.best / 100 : null; }
  function quizPassed(qi) {
    var q = data.quizzes[qi], best = quizBest(qi);
    return best != null && (q.mark == null || best >= q.mark);
  }
  function attemptsLeft(qi) {
    var q = data.quizzes[qi];
    return q.attempts ? Math.max(0, q.attempts - state.quizzes[qi].attempts) : Infinity;
  }
  function quizLost(qi) { return data.quizzes[qi].mark != null && !quizPassed(qi) && attemptsLeft(qi) === 0; }
  function pagesSeen(m) {
    for (var k = 0, n = 0; k < m.pages.length; k++) if (state.pages[m.pages[k]]) n++;
    return n;
  }
  function quizDone(qi) { return data.scored ? quizPassed(qi) : state.quizzes[qi].attempts > 0; }
  function moduleComplete(mi) {
    var m = data.modules[mi];
    return pagesSeen(m) === m.pages.length && m.reflections.every(reflectionOk) && m.quizzes.every(quizDone);
  }
  // quizzes of a module that can no longer be passed (no attempts left below the pass mark)
  function lostQuizzes(mi) { return data.scored ? data.modules[mi].quizzes.filter(quizLost) : []; }
  // share of a module's requirements met: pages seen, reflections long enough, quizzes done
  function moduleProgress(mi) {
    var m = data.modules[mi];
    var total = m.pages.length + m.reflections.length + m.quizzes.length;
    var met = pagesSeen(m) + m.reflections.filter(reflectionOk).length + m.quizzes.filter(quizDone).length;
    return total ? met / total : 1;
  }
  function moduleOf(pageIndex) { return data.modules[data.pages[pageIndex].module]; }
  function moduleNumber(pageIndex) { return data.pages[pageIndex].module + 1; }
  // Every rule a report reads, in one pass over the modules, each page, reflection and quiz judged once
  // (a large unit's start runs this over every module before its first view: one pass, no array or
  // closure per module): each module's completion, the required modules' quizzes, and the checklist's counts
  function judge() {
    var j = {
      complete: [], requiredDone: true, attempted: true, requiredQuizzes: [],
      pages: 0, seen: 0, reflections: 0, reflectionsOk: 0, firstMin: 0, sameMin: true,
      quizzesDone: 0, firstAttempts: 0, sameAttempts: true, someAttempts: false, total: 0, met: 0
    };
    for (var mi = 0; mi < data.modules.length; mi++) {
      var m = data.modules[mi], seen = pagesSeen(m), metHere = seen, reflectionsOk = true, quizzesDone = true, tried = true, k;
      for (k = 0; k < m.reflections.length; k++) {
        var ri = m.reflections[k], ok = reflectionOk(ri), min = data.reflections[ri].min;
        if (ok) metHere++;
        else reflectionsOk = false;
        if (m.required && min > 0) {
          if (!j.reflections++) j.firstMin = min;
          else if (min !== j.firstMin) j.sameMin = false;
          if (ok) j.reflectionsOk++;
        }
      }
      for (k = 0; k < m.quizzes.length; k++) {
        var qi = m.quizzes[k], done = quizDone(qi), limit = data.quizzes[qi].attempts;
        if (done) metHere++;
        else quizzesDone = false;
        if (!(state.quizzes[qi].attempts > 0)) tried = false;
        if (!m.required) continue;
        if (!j.requiredQuizzes.length) j.firstAttempts = limit;
        if (!limit || limit !== j.firstAttempts) j.sameAttempts = false;
        if (limit) j.someAttempts = true;
        j.requiredQuizzes.push(qi);
        if (done) j.quizzesDone++;
      }
      var pagesDone = seen === m.pages.length, complete = pagesDone && reflectionsOk && quizzesDone;
      j.complete.push(complete);
      if (!m.required) continue;
      if (!complete) j.requiredDone = false;
      if (!(pagesDone && reflectionsOk && tried)) j.attempted = false; // pages seen, reflections answered, quizzes attempted
      var n = m.pages.length + m.reflections.length + m.quizzes.length;
      j.pages += m.pages.length;
      j.seen += seen;
      j.total += n;
      j.met += (n ? metHere / n : 1) * n; // as moduleProgress(mi) * n
    }
    return j;
  }
  function outcome(j) {
    if (state.done != null) return data.scored ? "passed" : "completed";
    if (data.scored && j.requiredQuizzes.some(quizLost)) return "failed";
    var met = j.requiredDone && (!data.scored || j.requiredQuizzes.every(quizPassed));
    return met ? (data.scored ? "passed" : "completed") : "incomplete";
  }
  function today() {
    var t = new Date();
    return Math.floor(Date.UTC(t.getFullYear(), t.getMonth(), t.getDate()) / 86400000);
  }
  // j: judge()'s pass over the modules, as things stand now
  function result(j) {
    var status = outcome(j);
    if (status !== "incomplete" && status !== "failed" && state.done == null) state.done = today();
    var raw = null;
    if (data.scored) {
      // The mastery-score trap: no score until the outcome is final, then the lowest quiz best,
      // kept on the same side of the mark as the status so an LMS override cannot contradict it.
      if (status === "passed" || status === "failed") {
        var list = j.requiredQuizzes.map(quizBest).map(function (b) { return b == null ? 0 : b; });
        raw = list.length ? Math.min.apply(null, list) : 100;
        if (status === "passed") raw = Math.max(raw, data.mark);
        else if (data.mark > 0) raw = Math.min(raw, data.mark - 0.01);
      }
    } else if (status === "completed" && data.quizzes.length) {
      // the course's quiz score, sent only once the course is completed: a practice score posted
      // earlier would be the one Moodle grades with while the status still reads "incomplete"
      var earned = 0, total = 0;
      data.quizzes.forEach(function (q, qi) {
        // a large unit's course data gives the points (its questions come with their page)
        var points = q.points != null ? q.points : q.questions.reduce(function (a, x) { return a + x.points; }, 0);
        total += points;
        earned += points * (quizBest(qi) || 0);
      });
      raw = total ? earned / total : 0;
    }
    raw = raw == null ? null : Math.floor(raw * 100) / 100;
    var success = null;
    if (data.scored && (status === "passed" || status === "failed")) success = status === "passed";
    return {
      status: status, scoreRaw: raw,
      // for LRS adapters: completion and success are separate facts there (cmi5 §9.3)
      completed: state.done != null || j.attempted,
      success: success,
      scaled: success == null || raw == null ? null : raw / 100,
      modules: j.complete
    };
  }
  function report() {
    var wasDone = state.done != null;
    var j = judge(), r = result(j); // may record the completion day in state, so it runs before saveState
    if (!wasDone && state.done != null) {
      announce(T(data.certificate ? "finished_certificate_announce" : "finished_announce"));
      if (current.view === "page") updateNav(); // the last page's button becomes "Finish"
    }
    if (!starting) {
      state.reflections = reflections; // saved with the state, so every commit keeps them
      tracking.saveState(state);
      tracking.setResult(r);
    }
    if (current.view === "menu") updateMenu(r, j); // else when the menu is next shown (goMenu)
  }
  // A commit is sent in the task after the frame that shows what caused it (a page, a quiz's result): Moodle's
  // SCORM API sends each commit as a synchronous request (mod/scorm/request.js), so the page's thread waits
  // for the server's answer, and a commit before the frame would hold the turn until then. Commits asked
  // for before that task are one. A hidden tab commits at once (commitNow); the page's end (finish) sends
  // everything itself, and a commit still due then is not sent after it.
  var commitDue = false;
  function commit() {
    if (starting || commitDue) return;
    commitDue = true;
    afterFrame(function () { if (commitDue) commitNow(); });
  }
  function commitNow() {
    commitDue = false;
    if (!finished) tracking.commit();
  }

  // The start draws its first view before it saves anything: the reflections' first flush (every one at
  // start) and the saved state's encoding wait for the task after the first frame (endStart), or run at
  // once when the learner acts or the page goes first; the commit (a write to localStorage or the LMS's
  // API) follows after the next frame, as every commit does
  var starting = false;
  function endStart() {
    if (!starting) return;
    starting = false;
    flushReflections();
    report();
    commit();
  }
  // fn in a task after the next frame (a task posted from requestAnimationFrame runs once that frame is
  // drawn); a page that draws no frame (hidden, or in a hidden frame) runs it on a timer
  function afterFrame(fn) {
    var once = safe(function () { var f = fn; fn = null; if (f) f(); });
    if (w.requestAnimationFrame && d.visibilityState !== "hidden") w.requestAnimationFrame(function () { w.setTimeout(once, 0); });
    w.setTimeout(once, d.visibilityState === "hidden" ? 0 : 1000);
  }

  /* ---- views and navigation --------------------------------------------------------------------- */
  function pageEl(i) { return d.getElementById("cp-page-" + i); }
  // A large unit ships no page sections: one is made when needed, as launch.html writes it, among the
  // others in course order (made: the indexes made, in order), so start-up parses and styles none of them
  var made = [];
  function pageView(i) {
    var page = pageEl(i);
    if (!page && pageFiles != null && data.pages[i]) {
      var lo = 0, hi = made.length;
      while (lo < hi) { var mid = (lo + hi) >> 1; if (made[mid] < i) lo = mid + 1; else hi = mid; }
      page = el("section", "cp-view cp-page");
      page.id = "cp-page-" + i;
      page.hidden = true;
      var after = lo < made.length ? pageEl(made[lo]) : d.getElementById("cp-certificate") || d.getElementById("cp-complete");
      after.parentNode.insertBefore(page, after);
      made.splice(lo, 0, i);
    }
    if (page && !page.hasAttribute("data-cp-view")) {
      page.setAttribute("data-cp-view", "page");
      page.setAttribute("data-cp-page", data.pages[i].key);
      page.setAttribute("data-cp-page-index", i);
      page.setAttribute("aria-labelledby", page.id + "-title");
    }
    return page;
  }
  // A page's content arrives inert (a <noscript>'s text, or a page file's string), parsed in when needed
  function livePage(i) {
    var page = pageView(i), inert = page && page.firstElementChild;
    if (inert && inert.hasAttribute("data-cp-inert")) {
      var html = inert.textContent;
      page.removeChild(inert);
      page.insertAdjacentHTML("afterbegin", html);
    } else if (page && markupOf.hasOwnProperty(i)) {
      page.insertAdjacentHTML("afterbegin", markupOf[i]);
      delete markupOf[i];
    } else if (page && pageFiles != null && !page.firstElementChild) {
      // its file did not load (warned): a title still takes focus
      var h = el("h2", "cp-page-title", data.pages[i].title);
      h.id = "cp-page-" + i + "-title";
      h.tabIndex = -1;
      page.appendChild(h);
    }
    return page;
  }

  // Page files: file n holds pages chunkStarts[n].. (Coursepack.pageMarkup), loaded by a <script> (fetch
  // fails on file://) as needed, and its neighbours ahead of the learner.
  var pageFiles = null, chunkStarts = [], chunkLoads = [], markupOf = {};
  function readPageFiles() {
    var main = d.getElementById("cp-main"), folder = main && main.getAttribute("data-cp-page-files");
    if (folder == null) return;
    pageFiles = folder;
    chunkStarts = main.getAttribute("data-cp-page-chunks").split(" ").map(Number);
  }
  // ... and the questions and keys of their quizzes (quiz index -> questions), which the course data leaves out
  CP.pageMarkup = function (first, pages, questions) {
    for (var k = 0; k < pages.length; k++) if (!pageEl(first + k) || !pageEl(first + k).firstElementChild) markupOf[first + k] = pages[k];
    for (var qi in questions || {}) if (questions.hasOwnProperty(qi) && !data.quizzes[qi].questions) data.quizzes[qi].questions = questions[qi];
  };
  function chunkOf(i) {
    var lo = 0, hi = chunkStarts.length - 1;
    while (lo < hi) { var mid = (lo + hi + 1) >> 1; if (chunkStarts[mid] <= i) lo = mid; else hi = mid - 1; }
    return lo;
  }
  function loadChunk(n) {
    var load = chunkLoads[n];
    if (load) return load;
    load = chunkLoads[n] = { done: false, waiting: [] };
    var script = d.createElement("script");
    var end = function (ok) {
      if (load.done) return;
      load.done = true;
      if (!ok) CP.warn("pages:" + n, "page file " + pageFiles + n + ".js did not load");
      var waiting = load.waiting;
      load.waiting = [];
      waiting.forEach(function (then) { safe(then)(); });
    };
    script.onload = function () { end(true); };
    script.onerror = function () { end(false); };
    script.src = pageFiles + n + ".js";
    d.head.appendChild(script);
    return load;
  }
  // then() once page i's markup is at hand
  function withPage(i, then) {
    if (pageFiles == null) return then();
    var load = loadChunk(chunkOf(i));
    if (load.done) then();
    else load.waiting.push(then);
  }
  function prefetchAround(i) {
    if (pageFiles == null) return;
    var n = chunkOf(i);
    if (n + 1 < chunkStarts.length) loadChunk(n + 1);
    if (i > 0) loadChunk(chunkOf(i - 1));
  }

  // reflections changed since the last flush: a flush reads no other box
  var unflushed = {};
  function flushReflections() {
    if (starting) return; // endStart flushes them
    for (var id in unflushed) {
      if (!unflushed.hasOwnProperty(id)) continue;
      var ta = reflectionBoxes[id];
      if (ta) reflections[id] = ta.value;
      tracking.reflected(id, reflections[id]);
    }
    unflushed = {};
  }

  // Every view starts hidden: a turn hides the one shown, not every page
  var shownView = null;
  function hideShownView() {
    if (shownView) shownView.hidden = true;
    shownView = null;
  }
  function turn(target, focus) {
    flushReflections();
    var before = shownView;
    var index = target.getAttribute("data-cp-page-index");
    if (index != null) wirePage(+index);
    if (before !== target) hideShownView();
    target.hidden = false;
    shownView = target;
    [before, target].forEach(function (v) {
      var at = v && v.getAttribute("data-cp-page-index");
      if (at == null) return;
      (indexPages().quizzes[+at] || []).forEach(function (qi) { if (quizzes[qi]) quizzes[qi].shown(v === target); });
    });
    w.scrollTo(0, 0);
    var heading = $("h2", target);
    // laid out first (focus would do it), so a page kept rendered (player.css) is not forced open
    if (focus && heading) target.getBoundingClientRect() && heading.focus();
  }

  // document.title names where the learner is: "page - module - course"
  function setTitle(parts) { d.title = parts.concat([data.course.title]).join(" \u2014 "); }
  function hideWelcome() { show($("[data-cp-welcome]"), false); }
  // the page a turn waits for (its file loading); a later turn or view replaces it. Meanwhile the main
  // region is aria-busy, so assistive technology (and a test) knows the turn has not happened yet
  var goingTo = -1;
  function waitFor(i) {
    goingTo = i;
    var main = d.getElementById("cp-main");
    if (main) { if (i >= 0) main.setAttribute("aria-busy", "true"); else main.removeAttribute("aria-busy"); }
  }
  function goPage(i, focus) {
    if (i < 0 || i >= data.pages.length) return;
    waitFor(i);
    withPage(i, function () {
      if (goingTo !== i || finished) return;
      waitFor(-1);
      showPage(i, focus);
    });
  }
  function showPage(i, focus) {
    if (current.view === "page" && current.page !== i) hideWelcome();
    setTitle([data.pages[i].title, T("module_title", { n: moduleNumber(i), title: moduleOf(i).title })]);
    current = { view: "page", page: i };
    lastPage = i;
    state.pages[i] = true;
    turn(pageView(i), focus !== false);
    tracking.pageViewed(data.pages[i].key);
    updateNav();
    report();
    commit();
    prefetchAround(i);
    if (pageFiles != null && i + 1 < data.pages.length) withPage(i + 1, function () { idle(function () { ahead(i + 1); }); });
  }
  // In a large unit the next page is parsed in, wired and laid out unseen (player.css) while this one is
  // read, after the frame: "Next" then only shows it
  function ahead(i) {
    var page = !finished && !wired[i] && wirePage(i);
    if (!page || !page.hidden) return;
    page.setAttribute("data-cp-ahead", "");
    page.getBoundingClientRect();
    page.removeAttribute("data-cp-ahead");
  }
  function idle(fn) {
    if (w.requestIdleCallback) w.requestIdleCallback(safe(fn), { timeout: 1000 });
    else w.setTimeout(safe(fn), 50);
  }
  function goMenu(focus) {
    waitFor(-1);
    hideWelcome();
    setTitle([T("contents")]);
    current = { view: "menu", page: -1 };
    turn(d.getElementById("cp-menu"), focus !== false);
    updateNav();
    report();
    commit();
  }
  function goCertificate(focus) {
    waitFor(-1);
    hideWelcome();
    setTitle([data.certificate ? data.certificate.title : T("certificate")]);
    current = { view: "certificate", page: -1 };
    report();
    renderCertificate();
    turn(d.getElementById("cp-certificate"), focus !== false);
    updateNav();
    commit();
  }

  // The completion view: what the learner achieved and what comes next.
  function goComplete(focus) {
    waitFor(-1);
    hideWelcome();
    setTitle([T("course_complete")]);
    current = { view: "complete", page: -1 };
    report();
    renderComplete();
    turn(d.getElementById("cp-complete"), focus !== false);
    updateNav();
    commit();
  }
  function renderComplete() {
    $("[data-cp-complete-lead]").textContent = T(data.scored ? "you_passed" : "you_completed",
      { course: data.course.title, when: state.done != null ? T("on_day", { day: longDay(state.done) }) : "" });
    var list = $("[data-cp-achieved]");
    list.textContent = "";
    var add = function (text) { var li = d.createElement("li"); li.textContent = text; list.appendChild(li); };
    add(T("achieved_modules", { modules: N("module", data.modules.filter(function (m, mi) { return moduleComplete(mi); }).length),
      pages: N("page", data.pages.filter(function (p, i) { return state.pages[i]; }).length) }));
    if (data.reflections.length) add(T("achieved_reflections", { reflections: N("reflection", data.reflections.filter(function (r) { return textLength(reflections[r.id]) > 0; }).length) }));
    data.quizzes.forEach(function (q, qi) {
      var best = quizBest(qi);
      if (best != null) add(T("achieved_quiz", { title: q.title, score: fmt(best) }));
    });
    $("[data-cp-complete-next]").textContent = T(data.certificate ? "next_certificate" : "next_lms");
  }

  function updateNav() {
    var nav = $("[data-cp-nav]");
    var onPage = current.view === "page";
    show(nav, onPage || current.view === "certificate" || current.view === "complete");
    var prev = $("#cp-prev"), next = $("#cp-next");
    var last = data.pages.length - 1;
    show(prev, current.view === "certificate" || current.view === "complete" || (onPage && current.page > 0));
    show(next, onPage);
    if (onPage) next.textContent = T(current.page < last ? "next" : state.done != null ? "finish" : data.certificate ? "certificate" : "back_to_contents");
    var pos = $("[data-cp-position]");
    if (pos) pos.textContent = onPage ? T("page_of", { n: current.page + 1, total: data.pages.length }) : "";
  }

  // The menu's entries, found once, and what each holds: an update writes only what changed
  // (each kind looked up when first written: at start a large unit may write none of the modules' entries)
  var menuEls = {}, menuWritten = {};
  function menuElements(kind) {
    if (menuEls[kind]) return menuEls[kind];
    var attr = "data-cp-" + kind, byIndex = menuEls[kind] = [];
    $all("[" + attr + "]", d.getElementById("cp-menu")).forEach(function (el) { byIndex[+el.getAttribute(attr)] = el; });
    return byIndex;
  }
  function writeMenu(kind, i, value, how) {
    var el = menuElements(kind)[i], key = how + ":" + kind + ":" + i;
    if (!el) return;
    if (!menuWritten.hasOwnProperty(key)) menuWritten[key] = how === "text" ? el.textContent : how === "shown" ? !el.hidden : el.value;
    if (menuWritten[key] === value) return;
    menuWritten[key] = value;
    if (how === "text") el.textContent = value;
    else if (how === "shown") el.hidden = !value;
    else el.value = value;
  }

  // A large unit's contents are finished after the first view, in short tasks and in course order: the
  // page lists shipped empty (<ol data-cp-pages="module">) filled, then the module entries the launch page
  // leaves out (from data-cp-modules-from on) built, each with its list, from the course data
  var emptyLists = [], entries = 0, entriesList = null, certificateEntry = null;
  function readMenu() {
    entriesList = $(".cp-modules");
    var from = entriesList && entriesList.getAttribute("data-cp-modules-from");
    entries = from == null ? data.modules.length : +from;
    var last = entriesList && entriesList.lastElementChild; // built entries go before it (not looked up each time)
    if (last && last.getAttribute("data-cp-module") === "certificate") certificateEntry = last;
  }
  function menuUnfinished() { return emptyLists.length > 0 || entries < data.modules.length; }
  function readEmptyLists() { emptyLists = $all("ol[data-cp-pages]", d.getElementById("cp-menu")); }
  function liveMenuSoon() {
    var step = safe(function () {
      finishMenuFor(8);
      if (menuUnfinished()) w.setTimeout(step, 0);
    });
    if (menuUnfinished()) w.setTimeout(step, 0);
  }
  // printed: finished at once
  function finishMenu() { finishMenuFor(Infinity); }
  // about ms of work; the entries built go in at once, then take this learner's values
  function finishMenuFor(ms) {
    var until = Date.now() + ms, built = d.createDocumentFragment(), first = entries;
    while (menuUnfinished() && Date.now() < until) {
      if (emptyLists.length) fillPageList(emptyLists.shift());
      else built.appendChild(moduleEntry(entries++));
    }
    if (first === entries) return;
    entriesList.insertBefore(built, certificateEntry);
    if (entries === data.modules.length) entriesList.removeAttribute("data-cp-modules-from");
    for (var mi = first; mi < entries; mi++) writeModule(mi, moduleComplete(mi));
  }
  function el(tag, cls, text) {
    var e = d.createElement(tag);
    if (cls) e.className = cls;
    if (text) e.textContent = text;
    return e;
  }
  // as launch.html writes them: copies of one item built once (a list item, its link, its seen mark)
  var pageItemModel = null;
  function fillPageList(list) {
    if (!pageItemModel) {
      var seen = el("span", "cp-seen", " "), mark = el("span", "", "\u2713");
      pageItemModel = el("li");
      seen.hidden = true;
      mark.setAttribute("aria-hidden", "true");
      seen.appendChild(mark);
      seen.appendChild(el("span", "cp-sr", T("seen")));
      pageItemModel.appendChild(el("a", "cp-page-link"));
      pageItemModel.appendChild(seen);
    }
    data.modules[list.getAttribute("data-cp-pages")].pages.forEach(function (i) {
      var li = pageItemModel.cloneNode(true), a = li.firstChild, seen = li.lastChild;
      a.textContent = data.pages[i].title;
      a.href = "#cp-page-" + i;
      a.setAttribute("data-cp-goto", i);
      seen.setAttribute("data-cp-seen", i);
      list.appendChild(li);
      if (menuEls.seen) { menuEls.seen[i] = seen; writeMenu("seen", i, !!state.pages[i], "shown"); }
    });
    list.removeAttribute("data-cp-pages");
  }
  // module mi's entry as launch.html writes it, with a new learner's values: a copy of the first one built
  var entryModel = null, ENTRY_PARTS = ["module-progress", "module-done", "module-blocked", "module-bar", "module-percent"];
  function moduleEntry(mi) {
    var m = data.modules[mi], n = mi + 1, li = (entryModel || (entryModel = newEntry())).cloneNode(true);
    var title = li.firstChild, meta = title.nextSibling, barLine = meta.nextSibling, list = barLine.nextSibling;
    var parts = [meta.firstChild, meta.childNodes[1], meta.childNodes[2], barLine.firstChild, barLine.lastChild];
    li.setAttribute("data-cp-module", m.id);
    title.textContent = T("module_title", { n: n, title: m.title });
    parts[0].textContent = T("pages_seen", { seen: 0, pages: N("page", m.pages.length) });
    meta.lastChild.data = " \u00b7 " + T("about_minutes", { n: m.minutes });
    parts[3].setAttribute("aria-label", T("module_progress", { n: n }));
    ENTRY_PARTS.forEach(function (kind, k) {
      parts[k].setAttribute("data-cp-" + kind, mi);
      if (menuEls[kind]) menuEls[kind][mi] = parts[k]; // else found when first written
    });
    list.setAttribute("data-cp-pages", mi);
    fillPageList(list);
    return li;
  }
  // li > h3, p.meta (progress, done, blocked, minutes), p.bar (bar, percent), ol: moduleEntry fills it in
  function newEntry() {
    var li = el("li", "cp-module"), meta = el("p", "cp-module-meta"), done = el("span", "cp-done", " \u00b7 "), check = el("span", "", "\u2713");
    var blocked = el("span", "cp-blocked"), barLine = el("p", "cp-module-bar"), bar = el("progress");
    check.setAttribute("aria-hidden", "true");
    done.appendChild(check);
    done.appendChild(d.createTextNode(" " + T("complete")));
    done.hidden = blocked.hidden = true;
    [el("span"), done, blocked, d.createTextNode("")].forEach(function (x) { meta.appendChild(x); });
    bar.max = 100;
    bar.value = 0;
    [bar, d.createTextNode(" "), el("span", "", "0%")].forEach(function (x) { barLine.appendChild(x); });
    [el("h3", "cp-module-title"), meta, barLine, el("ol", "cp-pages")].forEach(function (x) { li.appendChild(x); });
    return li;
  }

  // What each module's entry shows, as last written; launch.html ships every entry as a new learner's
  // (none seen, not complete, not blocked, 0%), as moduleEntry builds the others: an update writes
  // only the entries whose values changed
  var moduleShown = [], SHIPPED_MODULE = "0/false//0";
  function writeModule(mi, complete) {
    var m = data.modules[mi], seen = pagesSeen(m), lost = lostQuizzes(mi), pct = Math.floor(moduleProgress(mi) * 100);
    var shown = seen + "/" + complete + "/" + lost.join(",") + "/" + pct;
    if ((moduleShown[mi] || SHIPPED_MODULE) === shown) return;
    moduleShown[mi] = shown;
    writeMenu("module-progress", mi, T("pages_seen", { seen: seen, pages: N("page", m.pages.length) }), "text");
    writeMenu("module-done", mi, complete, "shown");
    writeMenu("module-blocked", mi, lost.length ? T("not_passed_at", { quizzes: lost.map(function (qi) { return quoted(data.quizzes[qi].title); }).join(", ") }) : "", "text");
    writeMenu("module-blocked", mi, lost.length > 0, "shown");
    writeMenu("module-bar", mi, pct, "value");
    writeMenu("module-percent", mi, pct + "%", "text");
  }
  // r, j: the result just reported and the pass it was judged by (nothing judged again here)
  function updateMenu(r, j) {
    var done = 0, complete = r.modules;
    for (var mi = 0; mi < data.modules.length; mi++) {
      if (complete[mi]) done++;
      if (mi < entries) writeModule(mi, complete[mi]); // the others are written as they are built
    }
    // the seen marks there are (a large unit's lists are filled after the first view; forEach skips the holes)
    menuElements("seen").forEach(function (mark, i) { writeMenu("seen", i, !!state.pages[i], "shown"); });
    updateChecklist(j);
    var overall = $("[data-cp-overall]"), status = r.status;
    if (overall) {
      var text = T("modules_complete", { done: done, modules: N("module", data.modules.length) });
      if (status === "passed") text += " " + T("passed_course");
      else if (status === "completed") text += " " + T("completed_course");
      else if (status === "failed") {
        var lost = j.requiredQuizzes.filter(quizLost).map(function (qi) {
          var q = data.quizzes[qi];
          return T("lost_quiz", { title: q.title, module: moduleNumber(q.page), mark: q.mark });
        });
        text += " " + T("cannot_pass", { quizzes: lost.join(T("and")) });
      }
      overall.textContent = text;
    }
    show($("[data-cp-failed-help]"), status === "failed" && !!$("[data-cp-failed-help]").children.length);
    var resume = $("[data-cp-resume]"), resumeButton = $("#cp-resume");
    show(resume, lastPage >= 0 || state.done != null);
    show($("[data-cp-start]"), lastPage < 0 && state.done == null);
    if (resumeButton) {
      if (state.done != null) resumeButton.textContent = T(data.certificate ? "view_certificate" : "review_course");
      else if (lastPage >= 0) resumeButton.textContent = T("resume_at", { module: moduleNumber(lastPage), page: data.pages[lastPage].title });
    }
    var certState = $("[data-cp-cert-state]");
    if (certState) certState.textContent = T(state.done != null ? "cert_unlocked" : "cert_locked");
  }

  // The live checklist of what completion (or the certificate) takes, and the course progress bar.
  function updateChecklist(j) {
    var list = $("[data-cp-checklist]");
    if (!list) return;
    var items = [], quizCount = j.requiredQuizzes.length;
    items.push([j.seen === j.pages, T("rule_pages", { seen: j.seen, pages: j.pages })]);
    if (j.reflections) {
      items.push([j.reflectionsOk === j.reflections, T(j.sameMin ? "rule_reflections_same" : "rule_reflections_each",
        { reflections: N("reflection", j.reflections), min: j.firstMin, done: j.reflectionsOk, total: j.reflections })]);
    }
    if (quizCount) {
      var attempts = j.sameAttempts ? T("rule_attempts_each", { attempts: N("attempt", j.firstAttempts) })
        : j.someAttempts ? T("rule_attempts_some") : "";
      items.push([j.quizzesDone === quizCount, T(data.scored ? "rule_quizzes_scored" : "rule_quizzes_practice",
        { mark: data.mark, quizzes: N("quiz", quizCount), attempts: attempts, done: j.quizzesDone, total: quizCount })]);
    }
    list.textContent = "";
    items.forEach(function (item) {
      var li = el("li", item[0] ? "cp-rule cp-rule-met" : "cp-rule"), mark = el("span", "", item[0] ? "\u2713 " : "\u25cb ");
      mark.setAttribute("aria-hidden", "true");
      li.appendChild(mark);
      li.appendChild(el("span", "cp-sr", T(item[0] ? "rule_done" : "rule_todo")));
      li.appendChild(d.createTextNode(item[1]));
      list.appendChild(li);
    });
    var pct = j.total ? Math.floor((j.met * 100) / j.total) : 100;
    var bar = $("[data-cp-course-bar]");
    if (bar) bar.value = pct;
    var label = $("[data-cp-course-percent]");
    if (label) label.textContent = pct + "%";
  }

  /* ---- reflections ------------------------------------------------------------------------------ */
  // Saving while the learner types: after IDLE_MS without a keystroke, at most one commit per
  // MIN_GAP_MS, and at once when the box loses focus (docs/authoring.md states this budget).
  var IDLE_MS = 1500, MIN_GAP_MS = 5000;
  var lastReflectionCommit = 0, saveTimer = null, unsaved = false;
  function saveReflectionsNow() {
    if (saveTimer) { w.clearTimeout(saveTimer); saveTimer = null; }
    if (!unsaved || finished) return;
    unsaved = false;
    lastReflectionCommit = Date.now();
    flushReflections();
    report();
    commit();
  }
  function scheduleReflectionSave() {
    unsaved = true;
    if (saveTimer) w.clearTimeout(saveTimer);
    var wait = Math.max(IDLE_MS, lastReflectionCommit + MIN_GAP_MS - Date.now());
    saveTimer = w.setTimeout(safe(saveReflectionsNow), wait);
  }
  // The part of an edit that was inserted: [start, end) in `next`, given the text before it.
  function insertedRange(prev, next) {
    var s = 0, maxS = Math.min(prev.length, next.length);
    while (s < maxS && prev.charCodeAt(s) === next.charCodeAt(s)) s++;
    var e = 0, maxE = Math.min(prev.length, next.length) - s;
    while (e < maxE && prev.charCodeAt(prev.length - 1 - e) === next.charCodeAt(next.length - 1 - e)) e++;
    if (s > 0 && next.charCodeAt(s - 1) >= 0xd800 && next.charCodeAt(s - 1) < 0xdc00) s--; // whole characters
    return [s, next.length - e];
  }
  // The saved texts fitted to their caps; each is reported at the first flush, as if read from its box
  var reflectionBoxes = {};
  function prepareReflections() {
    data.reflections.forEach(function (r) {
      reflections[r.id] = reflections[r.id] ? CP.codec.fitReflection(reflections[r.id], r.max, r.chars) : "";
      unflushed[r.id] = true;
    });
  }
  function setupReflection(r, page) {
    var ta = $('[data-cp-reflection-input="' + r.id + '"]', page);
    var counter = $('[data-cp-counter="' + r.id + '"]', page);
    if (!ta) return;
    reflectionBoxes[r.id] = ta;
    unflushed[r.id] = true;
    if (reflections[r.id]) ta.value = reflections[r.id];
    var wasEnough = textLength(ta.value) >= r.min, good = ta.value, note = "";
    var fits = function (text) { return CP.codec.reflectionCost(text) <= r.max && (r.chars == null || charCount(text) <= r.chars); };
    var describe = function () {
      var n = charCount(ta.value), t = textLength(ta.value), used = CP.codec.reflectionCost(ta.value);
      var parts = [N("character", n)];
      if (r.min) parts.push(t >= r.min ? T("enough") : T("more_needed", { n: r.min - t }));
      if (r.chars != null) parts.push(T("at_most_short", { max: r.chars }));
      else {
        // room left, in characters like the ones typed so far (scripts take 1 to 4 storage units)
        var per = n ? Math.max(1, used / n) : 1, left = Math.floor((r.max - used) / per);
        parts.push(left <= 0 ? T("no_space") : T("space_for", { n: left }));
      }
      counter.textContent = parts.join(" · ") + (note ? ". " + note : "");
    };
    var update = function () {
      note = "";
      if (!fits(ta.value)) {
        // keep what fits of the new text, say what was left out: never cut silently
        var range = insertedRange(good, ta.value), before = ta.value.slice(0, range[0]), after = ta.value.slice(range[1]);
        var added = Array.from(ta.value.slice(range[0], range[1])), keep = added.length;
        var lo = 0, hi = keep;
        while (lo < hi) { var mid = (lo + hi + 1) >> 1; if (fits(before + added.slice(0, mid).join("") + after)) lo = mid; else hi = mid - 1; }
        keep = lo;
        var kept = before + added.slice(0, keep).join("");
        ta.value = fits(kept + after) ? kept + after : good;
        ta.setSelectionRange(kept.length, kept.length);
        var dropped = added.length - keep;
        note = T("full_note", { dropped: N("dropped", dropped) });
        announce(note);
      }
      good = ta.value;
      describe();
      var enough = textLength(ta.value) >= r.min;
      if (r.min && enough !== wasEnough) announce(T(enough ? "long_enough" : "below_min"));
      wasEnough = enough;
    };
    describe();
    ta.addEventListener("input", safe(function () {
      update();
      reflections[r.id] = ta.value;
      unflushed[r.id] = true;
      scheduleReflectionSave();
    }));
    ta.addEventListener("blur", safe(saveReflectionsNow));
  }

  /* ---- quizzes ----------------------------------------------------------------------------------- */
  function shuffleChildren(parent, selector) {
    var items = $all(selector, parent);
    for (var i = items.length - 1; i > 0; i--) {
      var j = Math.floor(Math.random() * (i + 1));
      var t = items[i]; items[i] = items[j]; items[j] = t;
    }
    items.forEach(function (el) { parent.appendChild(el); });
  }
  function normalize(text, q) {
    text = String(text || "");
    if (text.normalize) text = text.normalize("NFC");
    if (q.ws === "normalize") text = text.trim().replace(/\s+/g, " ");
    else if (q.ws === "ignore") text = text.replace(/\s+/g, "");
    return q.case ? text : text.toLowerCase();
  }

  function Quiz(el, qi) {
    this.el = el;
    this.qi = qi;
    this.data = data.quizzes[qi];
    this.form = $("[data-cp-quiz-form]", el);
    this.result = $("[data-cp-quiz-result]", el);
    this.status = $("[data-cp-quiz-status]", el);
    this.submitBtn = $('[data-cp-action="submit"]', el);
    this.retryBtn = $('[data-cp-action="retry"]', el);
    this.fields = $all("[data-cp-question]", el);
    this.initialOrder = this.fields.map(function (f) {
      var seq = $("[data-cp-sequence]", f);
      return seq ? $all("[data-cp-item]", seq) : null;
    });
    this.onScreen = 0;
    this.visibleSince = null;
    var self = this;
    this.form.addEventListener("submit", safe(function (e) { e.preventDefault(); self.submit(); }));
    // Enter in a fill-in box would submit the whole quiz and spend an attempt: only the button submits
    this.form.addEventListener("keydown", safe(function (e) {
      if (e.key === "Enter" && e.target && e.target.matches && e.target.matches("input[type=text]")) {
        e.preventDefault();
        announce(T("enter_hint"));
      }
    }));
    // answers stay focusable after submitting (to review them) but cannot change
    this.form.addEventListener("click", function (e) {
      var x = e.target;
      if (self.locked && x && x.matches && x.matches("input[type=radio], input[type=checkbox]")) e.preventDefault();
    }, true);
    this.form.addEventListener("keydown", function (e) {
      var x = e.target;
      if (!self.locked || !x || !x.matches) return;
      if (x.matches("select") && e.key !== "Tab") e.preventDefault();
      if (x.matches("input[type=radio]") && /^Arrow/.test(e.key)) e.preventDefault();
    }, true);
    this.form.addEventListener("mousedown", function (e) {
      if (self.locked && e.target && e.target.matches && e.target.matches("select, select *")) e.preventDefault();
    }, true);
    this.retryBtn.addEventListener("click", safe(function () { self.retry(); }));
    this.fields.forEach(function (f) {
      var seq = $("[data-cp-sequence]", f);
      if (seq) seq.addEventListener("click", safe(function (e) { self.move(e, seq); }));
    });
  }
  Quiz.prototype.move = function (e, seq) {
    var btn = e.target.closest ? e.target.closest("[data-cp-move]") : null;
    if (!btn || btn.disabled || this.locked) return;
    var li = btn.closest("[data-cp-item]");
    var items = $all("[data-cp-item]", seq), pos = items.indexOf(li);
    var text = $(".cp-seq-text", li).textContent;
    if (btn.getAttribute("data-cp-move") === "up") {
      if (pos === 0) return announce(T("already_first", { item: text }));
      seq.insertBefore(items[pos - 1], li.nextSibling); // move the neighbour, so focus stays put
      pos--;
    } else {
      if (pos === items.length - 1) return announce(T("already_last", { item: text }));
      seq.insertBefore(items[pos + 1], li);
      pos++;
    }
    announce(T("moved", { item: text, n: pos + 1, total: items.length }));
  };
  // Submitted answers are locked, not disabled: disabled controls leave the tab order and grey out
  // the learner's own choice, so a learner could not review what they answered.
  Quiz.prototype.setEnabled = function (on) {
    this.locked = !on;
    $all("input, select, [data-cp-move]", this.form).forEach(function (x) {
      x.disabled = false;
      if (on) x.removeAttribute("aria-disabled"); else x.setAttribute("aria-disabled", "true");
      if (x.matches("input[type=text]")) x.readOnly = !on;
    });
  };
  Quiz.prototype.clearFeedback = function () {
    $all("[data-cp-qfeedback], [data-cp-choice-feedback]", this.el).forEach(function (x) { x.hidden = true; });
    $all("[data-cp-mark], [data-cp-qerror]", this.el).forEach(function (x) { x.parentNode.removeChild(x); });
    $all(".cp-picked", this.el).forEach(function (x) { x.classList.remove("cp-picked"); });
    $all("[aria-describedby]", this.form).forEach(function (x) {
      var ids = (x.getAttribute("aria-describedby") || "").split(" ").filter(function (id) { return id && !/-(fb|mark|error)$/.test(id); });
      if (ids.length) x.setAttribute("aria-describedby", ids.join(" ")); else x.removeAttribute("aria-describedby");
    });
    this.fields.forEach(function (f) { f.classList.remove("cp-right", "cp-wrong"); });
    this.result.textContent = "";
  };
  // a short visible note after a control, tied to it for screen readers
  function markControl(control, text, good) {
    var note = d.createElement("span");
    note.className = "cp-mark " + (good ? "cp-mark-good" : "cp-mark-bad");
    note.setAttribute("data-cp-mark", "");
    note.id = control.id + "-mark";
    note.textContent = text;
    // inside a choice's label (the choice row is a grid), else right after the control
    // looked for in the control's question, not the whole (maybe huge) page
    var label = control.matches("input[type=radio], input[type=checkbox]") ? (control.closest("[data-cp-question]") || d).querySelector('label[for="' + control.id + '"]') : null;
    if (label) label.appendChild(note);
    else control.parentNode.insertBefore(note, control.nextSibling);
    describeBy(control, note.id);
  }
  function describeBy(control, id) {
    var ids = (control.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
    if (ids.indexOf(id) < 0) ids.push(id);
    control.setAttribute("aria-describedby", ids.join(" "));
  }
  Quiz.prototype.fresh = function (reshuffle) {
    var self = this;
    this.clearFeedback();
    this.form.reset();
    this.fields.forEach(function (f, n) {
      var q = self.data.questions[n];
      var seq = $("[data-cp-sequence]", f);
      if (seq) self.initialOrder[n].forEach(function (li) { seq.appendChild(li); });
      if (reshuffle && self.data.shuffle) {
        if (q.type === "single_choice" || q.type === "multiple_response") shuffleChildren($("[data-cp-choices]", f), "[data-cp-choice-index]");
        if (q.type === "matching") $all("select", f).forEach(function (s) { shuffleChildren(s, "option:not([value=''])"); s.value = ""; });
        if (seq) shuffleChildren(seq, "[data-cp-item]");
      }
    });
    this.setEnabled(true);
    show(this.submitBtn, true);
    show(this.retryBtn, false);
    // a new attempt's time starts now (the quiz is on screen when the learner asks for it)
    this.onScreen = 0;
    this.visibleSince = pageEl(this.data.page) && !pageEl(this.data.page).hidden ? Date.now() : null;
    this.updateStatus();
  };
  Quiz.prototype.answers = function () {
    var self = this;
    return this.fields.map(function (f, n) {
      var q = self.data.questions[n];
      switch (q.type) {
        case "single_choice":
          var c = $("input:checked", f); return c ? +c.value : null;
        case "true_false":
          var t = $("input:checked", f); return t ? t.value === "true" : null;
        case "multiple_response":
          return $all("input:checked", f).map(function (x) { return +x.value; }).sort(function (a, b) { return a - b; });
        case "fill_in":
          return $("input", f).value;
        case "matching":
          return $all("select", f).map(function (s) { var i = q.pairs.indexOf(s.value); return i < 0 ? null : i; });
        case "sequencing":
          return $all("[data-cp-item]", f).map(function (li) { return +li.getAttribute("data-cp-item-index"); });
      }
      return null;
    });
  };
  function unanswered(q, a) {
    if (q.type === "multiple_response") return !a.length;
    if (q.type === "fill_in") return !String(a).trim();
    if (q.type === "matching") return a.some(function (x) { return x == null; });
    return a == null;
  }
  function grade(q, a) {
    switch (q.type) {
      case "single_choice": case "true_false": return a === q.answer;
      case "multiple_response": return a.join(",") === q.answers.join(",");
      case "fill_in":
        var k = q.accepted.map(function (x) { return normalize(x, q); }).indexOf(normalize(a, q));
        return k >= 0 ? { ok: true, k: k, text: a } : { ok: false, text: a };
      case "matching": return a.every(function (x, i) { return x === i; });
      case "sequencing": return a.every(function (x, i) { return x === i; });
    }
    return false;
  }
  function isRight(g) { return g === true || (g && g.ok === true); }

  Quiz.prototype.submit = function () {
    var self = this, qs = this.data.questions, s = state.quizzes[this.qi];
    if (attemptsLeft(this.qi) === 0) return;
    var a = this.answers();
    for (var n = 0; n < qs.length; n++) {
      if (unanswered(qs[n], a[n])) {
        var message = T("answer_every", { n: n + 1 });
        this.clearFeedback();
        this.result.textContent = message;
        // the message goes where focus goes: at the unanswered question, not below the button
        var note = d.createElement("p");
        note.className = "cp-qerror";
        note.setAttribute("data-cp-qerror", "");
        note.id = this.fields[n].id ? this.fields[n].id + "-error" : "cp-qerror-" + this.qi + "-" + n;
        note.textContent = message;
        var legend = $("legend", this.fields[n]);
        this.fields[n].insertBefore(note, legend ? legend.nextSibling : this.fields[n].firstChild);
        var first = $("input, select, button", this.fields[n]);
        if (first) { describeBy(first, note.id); first.focus(); }
        announce(message);
        return;
      }
    }
    var grades = qs.map(function (q, n) { return grade(q, a[n]); });
    var earned = 0, total = 0, when = new Date(), latency = this.visibleTime();
    qs.forEach(function (q, n) {
      total += q.points;
      if (isRight(grades[n])) earned += q.points;
      tracking.answered(interaction(self.data, q, a[n], isRight(grades[n]), latency, when, self.fields[n]));
    });
    var pct = total ? Math.floor((earned * 10000) / total) : 0;
    s.attempts += 1;
    s.best = s.best == null ? pct : Math.max(s.best, pct);
    s.last = qs.map(function (q, n) { return q.type === "fill_in" ? grades[n] : a[n]; });
    tracking.quizScored({ quizId: this.data.id, scaled: pct / 10000,
      passed: data.scored && this.data.mark != null ? pct / 100 >= this.data.mark : null });
    report();
    commit(); // a submitted attempt is saved once its result is drawn, not at the next page turn
    this.showResult(s.last, true, earned, total);
  };
  // Time this attempt has been on screen: from the quiz being shown to now, summed over visits.
  Quiz.prototype.shown = function (on) {
    var now = Date.now();
    if (on && this.visibleSince == null) this.visibleSince = now;
    if (!on && this.visibleSince != null) { this.onScreen += now - this.visibleSince; this.visibleSince = null; }
  };
  Quiz.prototype.visibleTime = function () {
    return this.onScreen + (this.visibleSince != null ? Date.now() - this.visibleSince : 0);
  };
  function interaction(quiz, q, answer, right, latency, when, field) {
    var correct;
    switch (q.type) {
      case "single_choice": case "true_false": correct = q.answer; break;
      case "multiple_response": correct = q.answers; break;
      case "fill_in": correct = q.accepted[0]; break;
      case "matching": correct = q.pairs.map(function (p, i) { return i; }); break;
      case "sequencing": correct = q.items.map(function (p, i) { return i; }); break;
    }
    return { id: quiz.id + "." + q.id, quizId: quiz.id, questionId: q.id, type: q.type, response: answer,
      correct: correct, result: right, points: q.points, latency: latency, when: when, text: questionText(field, q) };
  }
  function plain(el) { return el ? el.textContent.replace(/\s+/g, " ").trim() : ""; }
  // what the learner read, for reports that show a question (xAPI interaction definitions): the prompt,
  // and the choices / prompts / matches / items in authored order
  function questionText(field, q) {
    if (!field) return {};
        var prompt = $(".cp-qprompt", field) || d.getElementById(field.id + "-prompt");
    var byIndex = function (sel, attr) {
      var out = [];
      $all(sel, field).forEach(function (el) { out[+el.getAttribute(attr)] = plain($("label", el) || el); });
      return out;
    };
    return {
      prompt: plain(prompt),
      choices: field.getAttribute("data-cp-type") === "sequencing" ? byIndex("[data-cp-item]", "data-cp-item-index") : byIndex("[data-cp-choice-index]", "data-cp-choice-index"),
      sources: byIndex("[data-cp-pair-index]", "data-cp-pair-index"),
      targets: matchTexts(field, q)
    };
  }
  // a matching question's match texts by pair position (the drop-downs list them shuffled)
  function matchTexts(field, q) {
    var out = [], select = $("[data-cp-pair-index] select", field);
    if (!select || !q.pairs) return out;
    $all("option", select).forEach(function (o) { var i = q.pairs.indexOf(o.value); if (i >= 0) out[i] = plain(o); });
    return out;
  }
  Quiz.prototype.restore = function (last) {
    // put the last submitted answers back and show their feedback (after a resume)
    var self = this;
    this.fields.forEach(function (f, n) {
      var q = self.data.questions[n], a = last[n];
      if (q.type === "single_choice" && a != null) { var r = $('input[value="' + a + '"]', f); if (r) r.checked = true; }
      if (q.type === "true_false" && a != null) { var t = $('input[value="' + (a ? "true" : "false") + '"]', f); if (t) t.checked = true; }
      if (q.type === "multiple_response") (a || []).forEach(function (i) { var x = $('input[value="' + i + '"]', f); if (x) x.checked = true; });
      if (q.type === "fill_in") $("input", f).value = !a ? "" : a.text != null ? a.text : q.accepted[a.k] || "";
      if (q.type === "matching") $all("select", f).forEach(function (s, i) { s.value = a && a[i] != null ? q.pairs[a[i]] : ""; });
      if (q.type === "sequencing" && a) {
        var seq = $("[data-cp-sequence]", f);
        a.forEach(function (idx) { var li = $('[data-cp-item-index="' + idx + '"]', seq); if (li) seq.appendChild(li); });
      }
    });
    var earned = 0, total = 0;
    this.data.questions.forEach(function (q, n) {
      total += q.points;
      var g = q.type === "fill_in" ? last[n] : grade(q, last[n] == null ? (q.type === "multiple_response" ? [] : null) : last[n]);
      if (isRight(g)) earned += q.points;
    });
    this.showResult(last, false, earned, total);
  };
  Quiz.prototype.showResult = function (last, fresh, earned, total) {
    var self = this, s = state.quizzes[this.qi], q = this.data, verdicts = [];
    var pctNow = total ? Math.floor((earned * 10000) / total) / 100 : 0, left = attemptsLeft(this.qi);
    // "final": explanations, choice feedback and which pair or position was wrong only once the quiz
    // is passed or out of attempts, so a retake tests understanding rather than memory
    var reveal = q.reveal !== "final" || q.mark == null || pctNow >= q.mark || quizPassed(this.qi) || left === 0;
    this.clearFeedback();
    this.fields.forEach(function (f, n) {
      var question = q.questions[n], a = last[n];
      var g = question.type === "fill_in" ? a : grade(question, a == null && question.type === "multiple_response" ? [] : a);
      var right = isRight(g);
      f.classList.add(right ? "cp-right" : "cp-wrong");
      var verdict = $("[data-cp-verdict]", f);
      if (verdict) verdict.textContent = T(right ? "correct" : "not_quite");
      show($("[data-cp-qfeedback]", f), true);
      show($("[data-cp-explanation]", f), reveal);
      var picked = [];
      if (question.type === "single_choice" && a != null) picked = [String(a)];
      if (question.type === "multiple_response") picked = (a || []).map(String);
      if (question.type === "true_false" && a != null) picked = [a ? "true" : "false"];
      picked.forEach(function (p) {
        var input = $('input[value="' + p + '"]', f), fb = $('[data-cp-choice-feedback="' + p + '"]', f);
        if (input) {
          input.closest(".cp-choice").classList.add("cp-picked");
          markControl(input, T("your_answer"), right);
        }
        if (fb && reveal) {
          show(fb, true);
          if (input) { fb.id = input.id + "-fb"; describeBy(input, fb.id); }
        }
      });
      // which pair or position was wrong
      if (question.type === "matching" && a && reveal) {
        $all("select", f).forEach(function (s, i) { markControl(s, T(a[i] === i ? "match_right" : "match_wrong"), a[i] === i); });
      }
      if (question.type === "sequencing" && a && reveal) {
        $all("[data-cp-item]", f).forEach(function (li, pos) {
          var ok = +li.getAttribute("data-cp-item-index") === pos, text = $(".cp-seq-text", li);
          if (text) markControl(text, T(ok ? "position_right" : "position_wrong"), ok);
        });
      }
      verdicts.push(T(right ? "verdict_right" : "verdict_wrong", { n: n + 1 }));
    });
    this.setEnabled(false);
    show(this.submitBtn, false);
    show(this.retryBtn, left > 0 && earned < total);
    var pct = total ? Math.floor((earned * 10000) / total) / 100 : 0;
    var text = T("scored", { earned: earned, points: N("point", total), percent: fmt(pct) });
    if (q.mark != null) text += T(pct >= q.mark ? "passed_mark" : "pass_mark", { mark: q.mark });
    if (s.attempts > 1) text += T("best", { percent: fmt(s.best / 100) });
    if (left === 0) text += T("no_attempts_left");
    else if (left !== Infinity && earned < total) text += T("attempts_left", { attempts: N("attempt", left) });
    if (!reveal) text += T("answers_later");
    this.result.textContent = text;
    this.updateStatus();
    if (fresh) announce(verdicts.join(". ") + ".");  // the result region reads the total itself
    if (fresh) {
      if (left > 0 && earned < total) this.retryBtn.focus();
      else this.result.focus();
    }
  };
  Quiz.prototype.retry = function () {
    if (attemptsLeft(this.qi) === 0) return;
    this.fresh(true);
    var first = $("input, select, [data-cp-move]", this.form);
    if (first) first.focus();
    var n = state.quizzes[this.qi].attempts + 1;
    announce(this.data.attempts ? T("attempt_of", { n: n, total: this.data.attempts }) : T("attempt_n", { n: n }));
  };
  Quiz.prototype.updateStatus = function () {
    var q = this.data, s = state.quizzes[this.qi], parts = [N("question", q.questions.length)];
    if (q.mark != null) parts.push(T("status_mark", { mark: q.mark }));
    parts.push(q.attempts ? T("status_attempts", { attempts: N("attempt", q.attempts), used: s.attempts }) : T("status_unlimited"));
    if (s.attempts) parts.push(T("status_best", { percent: fmt(s.best / 100) }));
    this.status.textContent = parts.join(" · ");
  };

  function setupQuiz(qi, page) {
    var el = $('[data-cp-quiz-index="' + qi + '"]', page);
    if (!el) return;
    var quiz = new Quiz(el, qi);
    quizzes[qi] = quiz;
    var s = state.quizzes[qi];
    if (s.attempts && s.last) quiz.restore(s.last);
    else quiz.fresh(true);
  }

  // A page is wired when first shown; the rules read the saved state, never these controls
  var byPage = null, wired = []; // byPage: the reflections and quizzes on each page, by page index
  // made when a page is first shown or wired: the contents, a large unit's first view, need none of it
  function indexPages() {
    if (byPage) return byPage;
    byPage = { reflections: [], quizzes: [] };
    data.reflections.forEach(function (r) { (byPage.reflections[r.page] = byPage.reflections[r.page] || []).push(r); });
    data.quizzes.forEach(function (q, qi) { (byPage.quizzes[q.page] = byPage.quizzes[q.page] || []).push(qi); });
    return byPage;
  }
  // pages holding something restored (their markup at hand) are wired after the first view, one per task
  // (found there too: a look at every reflection and quiz)
  function wireRestoredPagesSoon() {
    var pending = null;
    var atHand = function (p) { return pageFiles == null || markupOf.hasOwnProperty(p); };
    var find = function () {
      pending = [];
      data.reflections.forEach(function (r) { if (reflections[r.id] && atHand(r.page)) pending.push(r.page); });
      data.quizzes.forEach(function (q, qi) { var s = state.quizzes[qi]; if (s.attempts && s.last && atHand(q.page)) pending.push(q.page); });
    };
    var next = safe(function () {
      if (!pending) find();
      while (pending.length && wired[pending[0]]) pending.shift();
      if (!pending.length || finished) return;
      wirePage(pending.shift());
      w.setTimeout(next, 0);
    });
    w.setTimeout(next, 0);
  }
  function wirePage(i) {
    if (wired[i]) return;
    wired[i] = true;
    var page = livePage(i);
    if (!page) return;
    (indexPages().reflections[i] || []).forEach(function (r) { setupReflection(r, page); });
    (byPage.quizzes[i] || []).forEach(function (qi) { setupQuiz(qi, page); });
    if (info.mode === "review") reviewOnly(page);
    return page;
  }

  /* ---- certificate ------------------------------------------------------------------------------ */
  function displayName(raw) {
    raw = String(raw || "").trim();
    var parts = raw.split(",");
    if (parts.length === 2 && parts[0].trim() && parts[1].trim()) return parts[1].trim() + " " + parts[0].trim();
    return raw;
  }
  function isoDay(day) {
    var t = new Date(day * 86400000);
    function pad(n) { return n < 10 ? "0" + n : String(n); }
    return t.getUTCFullYear() + "-" + pad(t.getUTCMonth() + 1) + "-" + pad(t.getUTCDate());
  }
  function longDay(day) {
    try {
      return new Intl.DateTimeFormat(data.course.lang, { year: "numeric", month: "long", day: "numeric", timeZone: "UTC" }).format(new Date(day * 86400000));
    } catch (e) {
      return isoDay(day);
    }
  }
  function sha256(bytes) {
    var K = [], H = [], primes = [], n = 2;
    function frac(x) { return ((x - Math.floor(x)) * 4294967296) | 0; }
    while (K.length < 64) {
      var prime = true;
      for (var i = 0; i < primes.length && primes[i] * primes[i] <= n; i++) if (n % primes[i] === 0) { prime = false; break; }
      if (prime) { primes.push(n); if (H.length < 8) H.push(frac(Math.pow(n, 1 / 2))); K.push(frac(Math.pow(n, 1 / 3))); }
      n++;
    }
    var len = bytes.length, words = [], total = (((len + 8) >> 6) + 1) * 16;
    for (i = 0; i < total; i++) words[i] = 0;
    for (i = 0; i < len; i++) words[i >> 2] |= bytes[i] << (24 - (i % 4) * 8);
    words[len >> 2] |= 0x80 << (24 - (len % 4) * 8);
    words[total - 1] = len * 8;
    function rot(x, r) { return (x >>> r) | (x << (32 - r)); }
    var W = [];
    for (var j = 0; j < total; j += 16) {
      var a = H[0], b = H[1], c = H[2], dd = H[3], e = H[4], f = H[5], g = H[6], h = H[7];
      for (i = 0; i < 64; i++) {
        if (i < 16) W[i] = words[j + i] | 0;
        else {
          var w15 = W[i - 15], w2 = W[i - 2];
          W[i] = (W[i - 16] + (rot(w15, 7) ^ rot(w15, 18) ^ (w15 >>> 3)) + W[i - 7] + (rot(w2, 17) ^ rot(w2, 19) ^ (w2 >>> 10))) | 0;
        }
        var t1 = (h + (rot(e, 6) ^ rot(e, 11) ^ rot(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + W[i]) | 0;
        var t2 = ((rot(a, 2) ^ rot(a, 13) ^ rot(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
        h = g; g = f; f = e; e = (dd + t1) | 0; dd = c; c = b; b = a; a = (t1 + t2) | 0;
      }
      H[0] = (H[0] + a) | 0; H[1] = (H[1] + b) | 0; H[2] = (H[2] + c) | 0; H[3] = (H[3] + dd) | 0;
      H[4] = (H[4] + e) | 0; H[5] = (H[5] + f) | 0; H[6] = (H[6] + g) | 0; H[7] = (H[7] + h) | 0;
    }
    var out = [];
    for (i = 0; i < 8; i++) out.push((H[i] >>> 24) & 255, (H[i] >>> 16) & 255, (H[i] >>> 8) & 255, H[i] & 255);
    return out;
  }
  function utf8(text) {
    if (w.TextEncoder) return Array.prototype.slice.call(new w.TextEncoder().encode(text));
    var s = unescape(encodeURIComponent(text)), out = [];
    for (var i = 0; i < s.length; i++) out.push(s.charCodeAt(i));
    return out;
  }
  // Same algorithm as builder/render/course_data.py verification_code (documented there).
  function verificationCode(name, day) {
    var id = String(info.learnerId || "").trim();
    var key = id ? "id:" + id : "name:" + (name.normalize ? name.normalize("NFC") : name).split(/\s+/).filter(Boolean).join(" ").toLowerCase();
    var digest = sha256(utf8(data.course.id + "|" + data.course.version + "|" + key + "|" + isoDay(day)));
    var bits = "";
    for (var i = 0; i < 7; i++) bits += ("00000000" + digest[i].toString(2)).slice(-8);
    var alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ", code = "";
    for (i = 0; i < 10; i++) code += alphabet.charAt(parseInt(bits.substr(i * 5, 5), 2));
    return code.slice(0, 5) + "-" + code.slice(5);
  }
  CP.verificationCode = function (name, day) { return verificationCode(name, day); };

  function missingItems() {
    var items = [];
    data.modules.forEach(function (m, mi) {
      if (!m.required) return;
      var unseen = m.pages.filter(function (p) { return !state.pages[p]; });
      if (unseen.length) items.push([T("missing_pages", { module: m.title, seen: pagesSeen(m), pages: m.pages.length }), unseen[0]]);
      m.reflections.forEach(function (ri) {
        if (!reflectionOk(ri)) {
          var r = data.reflections[ri];
          items.push([T("missing_reflection", { min: r.min, page: data.pages[r.page].title }), r.page]);
        }
      });
      m.quizzes.forEach(function (qi) {
        var q = data.quizzes[qi], s = state.quizzes[qi];
        if (!s.attempts) items.push([T(q.mark != null && data.scored ? "missing_quiz_scored" : "missing_quiz", { title: q.title, mark: q.mark }), q.page]);
        else if (data.scored && !quizPassed(qi)) {
          var what = T("missing_score", { mark: q.mark, title: q.title, percent: fmt(s.best / 100) });
          if (attemptsLeft(qi) === 0) what += T("missing_no_attempts");
          items.push([what, q.page]);
        }
      });
    });
    return items;
  }

  function renderCertificate() {
    if (!data.certificate) return;
    var unlocked = state.done != null;
    show($("[data-cp-cert-locked]"), !unlocked);
    var form = $("[data-cp-cert-form]"), ready = $("[data-cp-cert-ready]");
    if (!unlocked) {
      show(form, false);
      show(ready, false);
      var list = $("[data-cp-cert-missing]");
      list.textContent = "";
      missingItems().forEach(function (item) {
        var li = d.createElement("li"), a = d.createElement("a");
        a.href = "#cp-page-" + item[1];
        a.setAttribute("data-cp-goto", String(item[1]));
        a.textContent = item[0];
        li.appendChild(a);
        list.appendChild(li);
      });
      return;
    }
    if (!learnerName) {
      show(form, true);
      show(ready, false);
      return;
    }
    show(form, false);
    show(ready, true);
    // without an LMS nothing is recorded: a practice copy, unless the course allows standalone certificates
    show($("[data-cp-cert-practice]"), !info.lms && !(data.certificate && data.certificate.standalone));
    $("[data-cp-cert-name]").textContent = learnerName;
    $("[data-cp-cert-date]").textContent = longDay(state.done);
    $("[data-cp-cert-code]").textContent = verificationCode(learnerName, state.done);
    show($("[data-cp-cert-rename]"), !info.lms || !displayName(info.learnerName));
  }

  /* ---- start ------------------------------------------------------------------------------------- */
  function blankState() {
    var pages = [], quizzes = [], i; // loops: a large unit starts with thousands of pages, on cold code
    for (i = 0; i < data.pages.length; i++) pages.push(false);
    for (i = 0; i < data.quizzes.length; i++) quizzes.push({ attempts: 0, best: null, last: null });
    return { pages: pages, done: null, quizzes: quizzes };
  }

  var finished = false;
  function finish(reason) {
    if (finished) return;
    if (saveTimer) { w.clearTimeout(saveTimer); saveTimer = null; }
    finished = true;
    starting = false; // what the start held is sent here (and a commit still due finds the page finished)
    flushReflections();
    report();
    tracking.finish(reason === "exit" ? "exit" : "unload");
  }

  function onClick(e) {
    var target = e.target.closest ? e.target.closest("[data-cp-action], [data-cp-goto]") : null;
    if (!target || finished) return;
    endStart(); // the learner acts before the start's save ran: saved first, in order
    var go = target.getAttribute("data-cp-goto");
    if (go != null) {
      e.preventDefault();
      if (go === "certificate") goCertificate();
      else goPage(+go);
      return;
    }
    switch (target.getAttribute("data-cp-action")) {
      case "start": goPage(0); break;
      case "resume":
        if (state.done != null && data.certificate) goCertificate();
        else goPage(lastPage >= 0 && state.done == null ? lastPage : 0);
        break;
      case "menu": goMenu(); break;
      // a second click while a page file loads goes one further
      case "prev":
        if (goingTo >= 0) goPage(goingTo - 1);
        else if (current.view === "certificate" || current.view === "complete") goPage(data.pages.length - 1);
        else goPage(current.page - 1);
        break;
      case "next":
        if (goingTo >= 0) goPage(goingTo + 1);
        else if (current.page < data.pages.length - 1) goPage(current.page + 1);
        else if (state.done != null) goComplete();
        else if (data.certificate) goCertificate();
        else goMenu();
        break;
      case "print": w.print(); break;
      case "cert-rename":
        learnerName = "";
        renderCertificate();
        var input = $("[data-cp-cert-name-input]");
        if (input) input.focus();
        break;
      case "exit":
        finish("exit");
        hideShownView();
        show(d.getElementById("cp-finished"), true);
        show($("[data-cp-nav]"), false);
        show($("#cp-exit"), false);
        $("#cp-finished-title").focus();
        break;
    }
  }

  function init() {
    var node = d.getElementById("coursepack-data");
    data = JSON.parse(node.textContent);
    S = data.strings || {};
    announcer = $("[data-cp-announce]");
    d.documentElement.classList.remove("cp-no-js");
    tracking = CP.createTracking(data);
    // The LMS may take a moment to answer (an LRS is asked over the network): the page waits for it
    tracking.start().then(safe(function (launch) { info = launch; begin(); }));
  }

  // What the LMS said at launch overrides what the package was built with (cmi5 §10: the AU judges by
  // the LMS's masteryScore; moveOn "Passed" makes the unit scored even in an unscored edition).
  function applyLaunch() {
    var mark = info.masteryScore;
    var wantsPass = /Passed/.test(info.moveOn || "");
    if (mark == null || !(data.scored || wantsPass)) return;
    var wasScored = data.scored;
    mark = Math.max(0, Math.min(100, mark));
    data.scored = true;
    data.mark = mark;
    data.quizzes.forEach(function (q) { if (q.mark != null || !wasScored) q.mark = mark; });
  }
  // Review (the learner's record, shown, not changed) and Browse (a look round; nothing recorded)
  function applyMode() {
    var notice = $("[data-cp-mode-notice]");
    if (info.mode === "normal") return;
    if (notice) { notice.textContent = info.mode === "review" ? T("mode_review") : T("mode_browse"); show(notice, true); }
  }
  // in Review mode, a page's answers are shown but cannot change (applied as each page is wired)
  function reviewOnly(page) {
    $all("[data-cp-reflection-input]", page).forEach(function (ta) { ta.readOnly = true; });
    $all("[data-cp-quiz-form] input, [data-cp-quiz-form] select", page).forEach(function (x) { x.disabled = true; });
    $all('[data-cp-quiz-form] [data-cp-action="submit"], [data-cp-quiz-form] [data-cp-action="retry"]', page).forEach(function (b) { show(b, false); });
  }

  function begin() {
    applyLaunch();
    state = blankState();
    if (info.state) {
      state.pages = info.state.pages;
      state.done = info.state.done;
      state.quizzes = info.state.quizzes;
    }
    // The saved state is written on every commit; cmi.comments only at a clean finish. Prefer the state.
    reflections = info.reflections || {};
    var saved = (info.state && info.state.reflections) || {};
    for (var rid in saved) if (saved.hasOwnProperty(rid)) reflections[rid] = saved[rid];
    learnerName = displayName(info.learnerName);
    show($("[data-cp-notice]"), !info.lms);
    show($("#cp-exit"), info.lms);

    prepareReflections();
    readPageFiles();
    readMenu();
    applyMode();
    d.addEventListener("click", safe(onClick));
    var form = $("[data-cp-cert-form]");
    if (form) {
      form.addEventListener("submit", safe(function (e) {
        e.preventDefault();
        var input = $("[data-cp-cert-name-input]"), error = $("[data-cp-cert-name-error]");
        var name = input.value.trim().replace(/\s+/g, " ");
        if (!name) {
          error.textContent = T("type_name");
          input.setAttribute("aria-invalid", "true");
          input.focus();
          return;
        }
        error.textContent = "";
        input.removeAttribute("aria-invalid");
        learnerName = name;
        tracking.setLearnerName(name);
        commit();
        renderCertificate();
        var h = $("[data-cp-cert-name]");
        announce(T("certificate_ready"));
        if ($("#cp-print")) $("#cp-print").focus();
        return h;
      }));
      var nameInput = $("[data-cp-cert-name-input]");
      if (nameInput && learnerName) nameInput.value = learnerName;
    }
    d.addEventListener("visibilitychange", safe(function () {
      var onQuiz = function (q) { return q && current.view === "page" && q.data.page === current.page; };
      quizzes.forEach(function (q) { if (q) q.shown(d.visibilityState !== "hidden" && onQuiz(q)); });
      if (d.visibilityState === "hidden" && !finished) {
        if (saveTimer) { w.clearTimeout(saveTimer); saveTimer = null; }
        unsaved = false;
        starting = false;
        flushReflections();
        report();
        commitNow(); // a hidden page may draw no frame before it is frozen or closed
      }
    }));
    w.addEventListener("pagehide", safe(function () { finish("unload"); }));
    w.addEventListener("beforeprint", safe(finishMenu));

    var resumeAt = -1;
    if (info.location) {
      for (var i = 0; i < data.pages.length; i++) if (data.pages[i].key === info.location) resumeAt = i;
    }
    var shown = function () {
      // bench/run.py reads this: time from navigation start to a usable first view
      if (w.performance && performance.mark) performance.mark("coursepack:interactive");
      readEmptyLists(); // printed before the contents are finished: they are finished then (finishMenu)
      // what the first view does not need waits until it is drawn
      afterFrame(function () {
        endStart();
        wireRestoredPagesSoon();
        if (pageFiles != null) loadChunk(chunkOf(lastPage >= 0 ? lastPage : 0)); // what "Start" or "Resume" shows
        liveMenuSoon();
      });
    };
    starting = true;
    if (resumeAt >= 0 && (info.state || info.entry === "resume")) {
      lastPage = resumeAt;
      withPage(resumeAt, function () {
        if (finished) return;
        goPage(resumeAt, false);
        var cue = T("welcome_back", { module: moduleNumber(resumeAt), page: data.pages[resumeAt].title });
        var welcome = $("[data-cp-welcome]");
        if (welcome) { welcome.textContent = cue; show(welcome, true); }
        announce(cue);
        shown();
      });
    } else {
      goMenu(false);
      shown();
    }
  }

  if (d.readyState === "loading") d.addEventListener("DOMContentLoaded", safe(init));
  else safe(init)();
})(window, document);
