/* coursepack tracking: the one interface the player calls, whatever the LMS standard.
 *
 *   start()               -> a Promise of {entry, location, state, reflections, learnerName, learnerId,
 *                            masteryScore (percent, from the LMS, or null), moveOn (cmi5, or null),
 *                            mode: normal|browse|review, lms}. SCORM adapters answer at once; xAPI and
 *                            cmi5 ask the LRS first (adapter.start may return a value or a Promise).
 *   pageViewed(location)     bookmark (a page key "<module id>/<page id>")
 *   answered(interaction)    one submitted question (neutral form, see player.js `interaction`)
 *   reflected(id, text)      a reflection's full text (stored by the adapter, written on commit)
 *   saveState(state)         the player's progress object (encoded here, compact ASCII)
 *   setResult({status, scoreRaw, completed, success, scaled, modules})
 *                            status: incomplete|completed|passed|failed; scoreRaw null = write none;
 *                            completed: every requirement of the unit met, quizzes attempted;
 *                            success: true passed / false failed for good / null not judged yet;
 *                            scaled: the score 0..1 that goes with success; modules: completed flags.
 *                            The adapter orders the writes for the LMS (SCORM 1.2: a changed status is
 *                            committed before its score, see adapters/scorm12.js)
 *   quizScored({quizId, scaled, passed})  a submitted attempt's score (passed null: no pass mark)
 *   commit()                 persist (page turn, quiz submitted, certificate name, reflection edit, tab hidden)
 *   finish(reason)           end the session ("exit": the learner's Exit button; "unload"); nothing after it
 *
 * Adapters (runtime/adapters/<name>.js) register Coursepack.adapters[name] = {detect(win) -> api|null,
 * create(api, data) -> adapter}; "standalone" (localStorage) is used when no LMS answers. Every call goes
 * through guard(): an adapter error is logged once as a warning and never reaches the player.
 */
(function (w) {
  "use strict";
  var CP = (w.Coursepack = w.Coursepack || {});
  CP.adapters = CP.adapters || {};

  /* ---- saved-state codec -------------------------------------------------------------------------
   * state := "3" fp4 "|" pages "|" done ("|" quiz)* ("|" reflection)*   (in course order)
   * pages := bitset of pages seen, base64url, 6 pages per char (page i -> char i/6, bit i%6)
   * done  := day of first completion (days since 1970-01-01, base36) or ""
   * quiz  := "" (never submitted) | attempts36 "," best36 "," answers   (best = percent x 100, 0..10000)
   * answers, one per question in authored order:
   *   single_choice "0".."p" (choice position, base36) | "_";  true_false "t" | "f" | "_"
   *   multiple_response bitset of ticked positions, ceil(n/6) base64url chars
   *   matching one char per prompt: position of the chosen match (base36) or "_"
   *   sequencing one char per position: the item (authored position, base36) placed there
   *   fill_in "=" k36 "~" (right: matched accepted[k]) | "!" text "~" (wrong: packed text, <= 48 chars)
   * (what it reads of a quiz's questions is their answer shape, so a large unit's state is read and
   * written before any quiz's questions have arrived with its page)
   * reflection := the learner's full text, packed (at most the reflection's cap in packed characters,
   *   which the player enforces). Reflections live here, not only in cmi.comments, because
   *   suspend_data is replaced on every commit by every LMS and is committed on each edit: a session
   *   that ends without a clean LMSFinish (a closed last tab) keeps them.
   *
   * Packed text (any script, printable ASCII out): ALPHA is printable ASCII without "|" "~" "`" (92
   * characters). Those characters stand for themselves; "`" switches to and from a wide run, where
   * every character is 3 ALPHA digits (base 92) of its code point (planes 0-5 as they are, planes
   * 14-16 moved down to 0x60000; unassigned planes 6-13 as a UTF-16 surrogate pair, 6 digits).
   * The encoder picks the cheapest runs, so a text of n code points costs at most 3n + 1 packed
   * characters, and plain English n. Format "2" (percent escapes of UTF-8) is still read.
   * Only printable ASCII: characters and bytes are the same count in every LMS.
   */
  var B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  var FILL_SAVED = 48;
  var ALPHA = "", DIGIT = {};
  for (var a = 32; a < 127; a++) {
    var c = String.fromCharCode(a);
    if (c !== "|" && c !== "~" && c !== "`") { DIGIT[c] = ALPHA.length; ALPHA += c; }
  }
  var BASE = ALPHA.length, WIDE = "`";

  function bitsEncode(flags) {
    var out = "";
    for (var i = 0; i < flags.length; i += 6) {
      var v = 0;
      for (var j = 0; j < 6 && i + j < flags.length; j++) if (flags[i + j]) v |= 1 << j;
      out += B64.charAt(v);
    }
    return out;
  }
  function bitsDecode(text, n) {
    var flags = [];
    for (var i = 0; i < n; i++) {
      var v = B64.indexOf(text.charAt((i / 6) | 0));
      if (v < 0) throw new Error("bits");
      flags.push(!!(v & (1 << i % 6)));
    }
    return flags;
  }
  function utf8Length(text) {
    var n = 0;
    for (var ch of String(text)) {
      var c = ch.codePointAt(0);
      n += c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
    }
    return n;
  }
  // one code point -> the digit values of its wide form (1 value, or 2 for a surrogate pair)
  function wideValues(cp) {
    if (cp < 0x60000) return [cp];
    if (cp >= 0xe0000) return [cp - 0xe0000 + 0x60000];
    var u = cp - 0x10000;
    return [0xd800 + (u >> 10), 0xdc00 + (u & 0x3ff)];
  }
  function digits3(v) { return ALPHA.charAt((v / (BASE * BASE)) | 0) + ALPHA.charAt(((v / BASE) | 0) % BASE) + ALPHA.charAt(v % BASE); }
  // cheapest packing by dynamic programming over two states (narrow, wide): O(n)
  function plan(chars) {
    var n = chars.length, INF = 1e15;
    var cn = 0, cw = 1; // cost so far ending narrow / wide (start narrow; entering wide costs "`")
    var fromN = [], fromW = []; // for each i, whether the best way into state X at i came from narrow
    for (var i = 0; i < n; i++) {
      var raw = DIGIT[chars[i]] !== undefined;
      var w = 3 * wideValues(chars[i].codePointAt(0)).length;
      var nn = raw ? Math.min(cn, cw + 1) + 1 : INF;
      var ww = Math.min(cw, cn + 1) + w;
      fromN.push(raw ? cn <= cw + 1 : false);
      fromW.push(cn + 1 < cw);
      cn = nn; cw = ww;
    }
    return { cost: Math.min(cn, cw), endWide: cw < cn, fromN: fromN, fromW: fromW };
  }
  function packedLength(text) {
    var chars = Array.from(String(text));
    return chars.length ? plan(chars).cost : 0;
  }
  function pack(text) {
    var chars = Array.from(String(text));
    if (!chars.length) return "";
    var p = plan(chars), wide = [], state = p.endWide;
    for (var i = chars.length - 1; i >= 0; i--) {
      wide[i] = state;
      state = state ? !p.fromW[i] : !p.fromN[i];
    }
    var out = "", inWide = false;
    for (var j = 0; j < chars.length; j++) {
      if (wide[j] !== inWide) { out += WIDE; inWide = wide[j]; }
      if (!inWide) out += chars[j];
      else {
        var vs = wideValues(chars[j].codePointAt(0));
        for (var k = 0; k < vs.length; k++) out += digits3(vs[k]);
      }
    }
    return out;
  }
  function unpack(text) {
    var out = "", wide = false, i = 0;
    while (i < text.length) {
      var c = text.charAt(i);
      if (c === WIDE) { wide = !wide; i++; continue; }
      if (!wide) { out += c; i++; continue; }
      var d0 = DIGIT[c], d1 = DIGIT[text.charAt(i + 1)], d2 = DIGIT[text.charAt(i + 2)];
      if (d0 === undefined || d1 === undefined || d2 === undefined) throw new Error("packed");
      var v = (d0 * BASE + d1) * BASE + d2;
      i += 3;
      if (v >= 0xd800 && v < 0xdc00) { out += String.fromCharCode(v); continue; } // high half of a pair
      if (v >= 0x60000) v = v - 0x60000 + 0xe0000;
      out += String.fromCodePoint(v);
    }
    return out;
  }
  // the longest prefix (in code points) of text whose packing fits `limit`
  function fitPrefix(text, limit) {
    var chars = Array.from(String(text));
    if (packedLength(text) <= limit) return String(text);
    var lo = 0, hi = chars.length;
    while (lo < hi) {
      var mid = (lo + hi + 1) >> 1;
      if (packedLength(chars.slice(0, mid).join("")) <= limit) lo = mid; else hi = mid - 1;
    }
    return chars.slice(0, lo).join("");
  }
  // What a reflection costs in storage: the packed saved state or the UTF-8 of its cmi.comments copy,
  // whichever is larger (state_budget.py proves every reflection's cap against this).
  function reflectionCost(text) { return Math.max(packedLength(text), utf8Length(text)); }
  // the longest prefix of text within `max` storage units and `chars` code points (null: no limit)
  function fitReflection(text, max, chars) {
    var all = Array.from(String(text));
    var fits = function (k) { var s = all.slice(0, k).join(""); return (chars == null || k <= chars) && reflectionCost(s) <= max; };
    if (fits(all.length)) return String(text);
    var lo = 0, hi = all.length;
    while (lo < hi) {
      var mid = (lo + hi + 1) >> 1;
      if (fits(mid)) lo = mid; else hi = mid - 1;
    }
    return all.slice(0, lo).join("");
  }
  function oldUnescape(body) {
    try { return decodeURIComponent(body); } catch (e) { return null; }
  }
  function q36(n) { return n.toString(36); }

  // A quiz's answer shape, all the codec reads of its questions: per question its type and width (choices,
  // pairs or items). A large unit's course data gives it as text, one letter and width per question
  // ("c4tm5fp3s4"; course_data.answer_shape), its questions arriving later with their page's file.
  var SHAPE_TYPES = { c: "single_choice", m: "multiple_response", t: "true_false", f: "fill_in", p: "matching", s: "sequencing" };
  function answerShape(quiz) {
    if (quiz.questions) {
      return quiz.questions.map(function (q) { return { type: q.type, n: (q.choices || q.pairs || q.items || []).length, accepted: q.accepted }; });
    }
    var out = [], part, re = /([a-z])(\d*)/g;
    while ((part = re.exec(quiz.shape))) out.push({ type: SHAPE_TYPES[part[1]], n: +part[2] || 0 });
    return out;
  }

  function encodeAnswer(q, a) {
    switch (q.type) {
      case "single_choice": return a == null ? "_" : q36(a);
      case "true_false": return a == null ? "_" : a ? "t" : "f";
      case "multiple_response":
        var flags = [];
        for (var i = 0; i < q.n; i++) flags.push((a || []).indexOf(i) >= 0);
        return bitsEncode(flags);
      case "matching":
        var m = "";
        for (var p = 0; p < q.n; p++) m += a && a[p] != null ? q36(a[p]) : "_";
        return m;
      case "sequencing":
        var s = "";
        for (var k = 0; k < q.n; k++) s += q36(a && a[k] != null ? a[k] : k);
        return s;
      case "fill_in":
        if (a && a.ok) return "=" + q36(a.k || 0) + "~";
        return "!" + pack(fitPrefix(a ? a.text : "", FILL_SAVED)) + "~";
    }
    return "";
  }

  function decodeAnswer(q, text, pos, format) {
    // returns [answer, newPos]
    function ch(i) { var c = text.charAt(i); if (!c) throw new Error("short"); return c; }
    function n36(c) { var v = parseInt(c, 36); if (isNaN(v)) throw new Error("n36"); return v; }
    switch (q.type) {
      case "single_choice":
        var c = ch(pos);
        return [c === "_" ? null : n36(c), pos + 1];
      case "true_false":
        var t = ch(pos);
        return [t === "_" ? null : t === "t", pos + 1];
      case "multiple_response":
        var width = Math.ceil(q.n / 6);
        var flags = bitsDecode(text.substr(pos, width), q.n);
        var picked = [];
        for (var i = 0; i < flags.length; i++) if (flags[i]) picked.push(i);
        return [picked, pos + width];
      case "matching":
        var m = [];
        for (var p = 0; p < q.n; p++) { var mc = ch(pos + p); m.push(mc === "_" ? null : n36(mc)); }
        return [m, pos + q.n];
      case "sequencing":
        var order = [];
        for (var k = 0; k < q.n; k++) order.push(n36(ch(pos + k)));
        return [order, pos + q.n];
      case "fill_in":
        var end = text.indexOf("~", pos);
        if (end < 0) throw new Error("fill");
        var kind = ch(pos), body = text.slice(pos + 1, end);
        // a right answer is kept as the accepted answer it matched: its text once the questions are at hand
        if (kind === "=") return [{ ok: true, k: n36(body), text: q.accepted ? q.accepted[n36(body)] || "" : null }, end + 1];
        var decoded = format === "2" ? oldUnescape(body) : unpack(body);
        return [{ ok: false, text: decoded == null ? body : decoded }, end + 1];
    }
    throw new Error("type");
  }

  var FORMAT = "3";
  var READABLE = { "2": true, "3": true };

  CP.utf8Length = utf8Length;
  CP.codec = {
    encode: function (state, data) {
      var parts = [FORMAT + data.fp, bitsEncode(state.pages), state.done == null ? "" : q36(state.done)];
      for (var i = 0; i < data.quizzes.length; i++) {
        var qs = state.quizzes[i], quiz = data.quizzes[i];
        if (!qs || !qs.attempts) { parts.push(""); continue; }
        var rec = q36(Math.min(qs.attempts, 1295)) + "," + q36(Math.max(0, Math.min(10000, qs.best))) + ",", shape = answerShape(quiz);
        for (var j = 0; j < shape.length; j++) rec += encodeAnswer(shape[j], qs.last ? qs.last[j] : null);
        parts.push(rec);
      }
      var texts = state.reflections || {};
      for (var r = 0; r < data.reflections.length; r++) {
        var ref = data.reflections[r], text = texts[ref.id];
        parts.push(text ? pack(fitPrefix(text, ref.max)) : ""); // an empty one packs to "": no per-character work
      }
      return parts.join("|");
    },
    decode: function (text, data) {
      // null when empty, from another course shape, or damaged: the player then starts afresh.
      var format = text ? text.charAt(0) : "";
      if (!READABLE[format] || text.substr(1, 4) !== data.fp) return null;
      try {
        var parts = text.slice(5).split("|");
        // parts[0] is the empty string before the first "|"
        var nq = data.quizzes.length;
        if (parts.length !== 3 + nq + data.reflections.length) return null;
        var state = { pages: bitsDecode(parts[1], data.pages.length), done: parts[2] ? parseInt(parts[2], 36) : null, quizzes: [], reflections: {} };
        for (var r = 0; r < data.reflections.length; r++) {
          var body = parts[3 + nq + r];
          if (!body) continue;
          var restored = format === "2" ? oldUnescape(body) : unpack(body);
          if (restored != null) state.reflections[data.reflections[r].id] = restored;
        }
        for (var i = 0; i < data.quizzes.length; i++) {
          var rec = parts[3 + i], quiz = data.quizzes[i];
          if (!rec) { state.quizzes.push({ attempts: 0, best: null, last: null }); continue; }
          var c1 = rec.indexOf(","), c2 = rec.indexOf(",", c1 + 1);
          var qs = { attempts: parseInt(rec.slice(0, c1), 36), best: parseInt(rec.slice(c1 + 1, c2), 36), last: [] };
          if (!(qs.attempts > 0) || isNaN(qs.best)) return null;
          var pos = c2 + 1, shape = answerShape(quiz);
          for (var j = 0; j < shape.length; j++) {
            var r = decodeAnswer(shape[j], rec, pos, format);
            qs.last.push(r[0]);
            pos = r[1];
          }
          state.quizzes.push(qs);
        }
        return state;
      } catch (e) {
        return null;
      }
    },
    reflectionCost: reflectionCost,
    fitReflection: fitReflection,
    pack: pack,
    unpack: unpack,
    packedLength: packedLength,
    fitPrefix: fitPrefix
  };

  /* ---- the guarded interface ------------------------------------------------------------------ */
  var warned = {};
  CP.warn = function (key, message) {
    if (warned[key]) return;
    warned[key] = true;
    if (w.console && w.console.warn) w.console.warn("coursepack: " + message);
  };

  CP.createTracking = function (data) {
    var adapter = null;
    var factory = CP.adapters[data.adapter];
    if (factory && factory.detect) {
      try {
        var api = factory.detect(w);
        if (api) adapter = factory.create(api, data);
      } catch (e) {
        CP.warn("detect", "could not reach the LMS (" + (e && e.message) + "); progress is kept in this browser");
      }
    }
    if (!adapter) adapter = CP.adapters.standalone.create(null, data);
    var finished = false;
    var lastState = null;

    function guard(name, fn) {
      return function () {
        if (finished) return undefined;
        try {
          return fn.apply(null, arguments);
        } catch (e) {
          CP.warn(name, name + " failed: " + (e && e.message));
          return undefined;
        }
      };
    }

    return {
      kind: adapter.kind,
      // resolves the launch facts; an adapter may answer at once (SCORM) or later (an LRS to ask)
      start: function () {
        var pending;
        try { pending = Promise.resolve(adapter.start()); } catch (e) { pending = Promise.reject(e); }
        return pending.then(null, function (e) {
          CP.warn("start", "start failed: " + (e && e.message));
          return null;
        }).then(function (info) {
          info = info || {};
          var state = CP.codec.decode(info.state || "", data);
          // texts restored from the saved state were reported in an earlier session: never again
          if (state && adapter.restored) {
            try { adapter.restored(state.reflections); } catch (e) { CP.warn("restored", "restored failed: " + (e && e.message)); }
          }
          var mode = String(info.mode || "normal").toLowerCase();
          return {
            entry: info.entry || "",
            location: info.location || "",
            state: state,
            reflections: info.reflections || {},
            learnerName: info.learnerName || "",
            learnerId: info.learnerId || "",
            masteryScore: info.masteryScore == null || isNaN(info.masteryScore) ? null : +info.masteryScore,
            moveOn: info.moveOn || null,
            mode: mode === "browse" || mode === "review" ? mode : "normal",
            lms: adapter.kind === "lms"
          };
        });
      },
      pageViewed: guard("pageViewed", function (location) { adapter.pageViewed(location); }),
      answered: guard("answered", function (interaction) { adapter.answered(interaction); }),
      reflected: guard("reflected", function (id, text) { adapter.reflected(id, text); }),
      saveState: guard("saveState", function (state) {
        var text = CP.codec.encode(state, data);
        if (text === lastState) return;
        lastState = text;
        adapter.saveState(text);
      }),
      setResult: guard("setResult", function (result) { adapter.setResult(result); }),
      quizScored: guard("quizScored", function (summary) { if (adapter.quizScored) adapter.quizScored(summary); }),
      setLearnerName: guard("setLearnerName", function (name) { if (adapter.setLearnerName) adapter.setLearnerName(name); }),
      commit: guard("commit", function () { adapter.commit(); }),
      finish: guard("finish", function (reason) {
        finished = true;
        adapter.finish(reason || "unload");
      }),
      isFinished: function () { return finished; }
    };
  };

  /* ---- helpers shared by adapters ------------------------------------------------------------- */
  CP.util = {
    // get / set / setOnce on an LMS data model whose methods are named getName, setName, errorName
    // (SCORM 1.2: LMSGetValue...; 2004: GetValue...). set warns once per element the LMS refuses;
    // setOnce skips a value already written (values: element -> last value written).
    dataModel: function (api, getName, setName, errorName, values) {
      function get(name) {
        try {
          var v = api[getName](name);
          return v == null ? "" : String(v);
        } catch (e) {
          return "";
        }
      }
      function set(name, value) {
        value = String(value);
        var ok;
        try { ok = String(api[setName](name, value)) === "true"; } catch (e) { ok = false; }
        if (!ok) {
          var code = "";
          try { code = String(api[errorName]()); } catch (e2) { code = "?"; }
          CP.warn("set:" + name.replace(/\.\d+\./, ".n."), "the LMS refused " + name + " (error " + code + ")");
        }
        return ok;
      }
      function setOnce(name, value) {
        value = String(value);
        if (values[name] === value) return;
        if (set(name, value)) values[name] = value;
      }
      return { get: get, set: set, setOnce: setOnce };
    },
    // sorts reflection ids into the order learners meet them (comments and interactions follow it)
    courseOrder: function (reflections) {
      var order = {};
      for (var i = 0; i < reflections.length; i++) order[reflections[i].id] = i;
      var sort = function (ids) { return ids.sort(function (a, b) { return (order[a] || 0) - (order[b] || 0); }); };
      sort.knows = function (id) { return order.hasOwnProperty(id); }; // a reflection of this SCO?
      return sort;
    },
    // The LMS's API object `name` (with method `method`) in this window, its parents (the SCORM
    // search: up to 500 levels) or the window that opened this one; null when no LMS answers.
    findApi: function (win, name, method) {
      function own(x) {
        try { return x && x[name] && typeof x[name][method] === "function" ? x[name] : null; } catch (e) { return null; } // cross-origin
      }
      function scan(x) {
        for (var i = 0; x && i <= 500; i++) {
          var api = own(x);
          if (api) return api;
          var parent = null;
          try { parent = x.parent; } catch (e) { parent = null; }
          if (!parent || parent === x) return null;
          x = parent;
        }
        return null;
      }
      var found = scan(win);
      if (found) return found;
      var opener = null;
      try { opener = win.top && win.top.opener; } catch (e) { opener = null; }
      if (!opener) { try { opener = win.opener; } catch (e2) { opener = null; } }
      return opener ? scan(opener) : null;
    },
    // CMITimespan HHHH:MM:SS.SS (2-4 hour digits, 2 decimals at most)
    timespan: function (ms) {
      var cs = Math.max(0, Math.round(ms / 10));
      var h = Math.min(9999, Math.floor(cs / 360000));
      var m = Math.floor((cs % 360000) / 6000);
      var s = Math.floor((cs % 6000) / 100);
      var f = cs % 100;
      function pad(n, k) { n = String(n); while (n.length < k) n = "0" + n; return n; }
      return pad(h, 2) + ":" + pad(m, 2) + ":" + pad(s, 2) + "." + pad(f, 2);
    },
    // CMITime HH:MM:SS, local 24h
    clock: function (date) {
      function pad(n) { return n < 10 ? "0" + n : String(n); }
      return pad(date.getHours()) + ":" + pad(date.getMinutes()) + ":" + pad(date.getSeconds());
    },
    // printable ASCII only, at most n characters
    ascii: function (text, n) {
      return String(text == null ? "" : text).replace(/[^\x20-\x7E]/g, "").slice(0, n);
    },
    // the learner's own words in any script, on one line, at most n UTF-16 units (what Moodle's
    // CMIString255 check counts) and never half a character; "…" marks a cut
    // free text in any script, control characters as spaces, at most n UTF-16 units, whole characters
    clean: function (text, n) {
      var flat = String(text == null ? "" : text).replace(/[\u0000-\u001F\u007F-\u009F\u2028\u2029]/g, " ");
      if (flat.length <= n) return flat;
      var out = "";
      for (var ch of flat) { if (out.length + ch.length > n) break; out += ch; }
      return out;
    },
    readable: function (text, n) {
      var flat = String(text == null ? "" : text).replace(/[\u0000-\u001F\u007F-\u009F\u2028\u2029]+/g, " ").replace(/\s+/g, " ").trim();
      if (flat.length <= n) return flat;
      var out = "";
      for (var ch of flat) {
        if (out.length + ch.length > n - 1) break;
        out += ch;
      }
      return out + "\u2026";
    }
  };
})(window);
