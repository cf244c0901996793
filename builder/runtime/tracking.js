/* coursepack tracking: the one interface the player calls, whatever the LMS standard.
 *
 *   start()               -> {entry, location, state, reflections, learnerName, learnerId, masteryScore, lms}
 *   pageViewed(location)     bookmark (a page key "<module id>/<page id>")
 *   answered(interaction)    one submitted question (neutral form, see player.js `interaction`)
 *   reflected(id, text)      a reflection's full text (stored by the adapter, written on commit)
 *   saveState(state)         the player's progress object (encoded here, compact ASCII)
 *   setResult({status, scoreRaw})  status: incomplete|completed|passed|failed; scoreRaw null = write none
 *   commit()                 persist (page turn, tab hidden)
 *   finish()                 end the session; nothing is called after it
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
   * state := "2" fp4 "|" pages "|" done ("|" quiz)* ("|" reflection)*   (in course order)
   * pages := bitset of pages seen, base64url, 6 pages per char (page i -> char i/6, bit i%6)
   * done  := day of first completion (days since 1970-01-01, base36) or ""
   * quiz  := "" (never submitted) | attempts36 "," best36 "," answers   (best = percent x 100, 0..10000)
   * answers, one per question in authored order:
   *   single_choice "0".."p" (choice position, base36) | "_";  true_false "t" | "f" | "_"
   *   multiple_response bitset of ticked positions, ceil(n/6) base64url chars
   *   matching one char per prompt: position of the chosen match (base36) or "_"
   *   sequencing one char per position: the item (authored position, base36) placed there
   *   fill_in "=" k36 "~" (right: matched accepted[k]) | "!" text "~" (wrong: text escaped, <= 48 chars)
 * reflection := the learner's full text, escaped (at most the reflection's cap, which the player enforces
 *   in these escaped characters). Reflections live here, not only in cmi.comments, because suspend_data
 *   is replaced on every commit by every LMS and is committed on each page turn: a session that ends
 *   without a clean LMSFinish (a closed tab whose unload request the browser drops) keeps them.
   * Only printable ASCII; nothing that needs escaping in XML, JSON or URLs besides "%" escapes.
   */
  var B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  var FILL_SAVED = 48;
  var RAW = /^[A-Za-z0-9 .,;:?!'()\/_*+=@#$-]$/;

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
  function escapeText(text, limit) {
    var out = "";
    var enc = w.TextEncoder ? new w.TextEncoder() : null;
    for (var ch of String(text)) {
      var piece;
      if (RAW.test(ch)) piece = ch;
      else {
        piece = "";
        var bytes = enc ? enc.encode(ch) : [ch.charCodeAt(0) & 255];
        for (var b = 0; b < bytes.length; b++) piece += "%" + (bytes[b] < 16 ? "0" : "") + bytes[b].toString(16).toUpperCase();
      }
      if (out.length + piece.length > limit) break;
      out += piece;
    }
    return out;
  }
  function q36(n) { return n.toString(36); }

  function encodeAnswer(q, a) {
    switch (q.type) {
      case "single_choice": return a == null ? "_" : q36(a);
      case "true_false": return a == null ? "_" : a ? "t" : "f";
      case "multiple_response":
        var flags = [];
        for (var i = 0; i < q.choices.length; i++) flags.push((a || []).indexOf(i) >= 0);
        return bitsEncode(flags);
      case "matching":
        var m = "";
        for (var p = 0; p < q.pairs.length; p++) m += a && a[p] != null ? q36(a[p]) : "_";
        return m;
      case "sequencing":
        var s = "";
        for (var k = 0; k < q.items.length; k++) s += q36(a && a[k] != null ? a[k] : k);
        return s;
      case "fill_in":
        if (a && a.ok) return "=" + q36(a.k || 0) + "~";
        return "!" + escapeText(a ? a.text : "", FILL_SAVED) + "~";
    }
    return "";
  }

  function decodeAnswer(q, text, pos) {
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
        var width = Math.ceil(q.choices.length / 6);
        var flags = bitsDecode(text.substr(pos, width), q.choices.length);
        var picked = [];
        for (var i = 0; i < flags.length; i++) if (flags[i]) picked.push(i);
        return [picked, pos + width];
      case "matching":
        var m = [];
        for (var p = 0; p < q.pairs.length; p++) { var mc = ch(pos + p); m.push(mc === "_" ? null : n36(mc)); }
        return [m, pos + q.pairs.length];
      case "sequencing":
        var order = [];
        for (var k = 0; k < q.items.length; k++) order.push(n36(ch(pos + k)));
        return [order, pos + q.items.length];
      case "fill_in":
        var end = text.indexOf("~", pos);
        if (end < 0) throw new Error("fill");
        var kind = ch(pos), body = text.slice(pos + 1, end);
        if (kind === "=") return [{ ok: true, k: n36(body), text: q.accepted[n36(body)] || "" }, end + 1];
        var decoded = body;
        try { decoded = decodeURIComponent(body); } catch (e) { /* keep as is */ }
        return [{ ok: false, text: decoded }, end + 1];
    }
    throw new Error("type");
  }

  var FORMAT = "2";
  function encodedLength(text) { return escapeText(text, Infinity).length; }

  CP.utf8Length = utf8Length;
  CP.codec = {
    encode: function (state, data) {
      var parts = [FORMAT + data.fp, bitsEncode(state.pages), state.done == null ? "" : q36(state.done)];
      for (var i = 0; i < data.quizzes.length; i++) {
        var qs = state.quizzes[i], quiz = data.quizzes[i];
        if (!qs || !qs.attempts) { parts.push(""); continue; }
        var rec = q36(Math.min(qs.attempts, 1295)) + "," + q36(Math.max(0, Math.min(10000, qs.best))) + ",";
        for (var j = 0; j < quiz.questions.length; j++) rec += encodeAnswer(quiz.questions[j], qs.last ? qs.last[j] : null);
        parts.push(rec);
      }
      var texts = state.reflections || {};
      for (var r = 0; r < data.reflections.length; r++) {
        var ref = data.reflections[r];
        parts.push(escapeText(texts[ref.id] || "", ref.max));
      }
      return parts.join("|");
    },
    decode: function (text, data) {
      // null when empty, from another course shape, or damaged: the player then starts afresh.
      if (!text || text.charAt(0) !== FORMAT || text.substr(1, 4) !== data.fp) return null;
      try {
        var parts = text.slice(5).split("|");
        // parts[0] is the empty string before the first "|"
        var nq = data.quizzes.length;
        if (parts.length !== 3 + nq + data.reflections.length) return null;
        var state = { pages: bitsDecode(parts[1], data.pages.length), done: parts[2] ? parseInt(parts[2], 36) : null, quizzes: [], reflections: {} };
        for (var r = 0; r < data.reflections.length; r++) {
          var body = parts[3 + nq + r];
          if (!body) continue;
          try { state.reflections[data.reflections[r].id] = decodeURIComponent(body); } catch (e) { /* damaged: drop it */ }
        }
        for (var i = 0; i < data.quizzes.length; i++) {
          var rec = parts[3 + i], quiz = data.quizzes[i];
          if (!rec) { state.quizzes.push({ attempts: 0, best: null, last: null }); continue; }
          var c1 = rec.indexOf(","), c2 = rec.indexOf(",", c1 + 1);
          var qs = { attempts: parseInt(rec.slice(0, c1), 36), best: parseInt(rec.slice(c1 + 1, c2), 36), last: [] };
          if (!(qs.attempts > 0) || isNaN(qs.best)) return null;
          var pos = c2 + 1;
          for (var j = 0; j < quiz.questions.length; j++) {
            var r = decodeAnswer(quiz.questions[j], rec, pos);
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
    escapeText: escapeText,
    encodedLength: encodedLength
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
      start: function () {
        var info = null;
        try { info = adapter.start(); } catch (e) { CP.warn("start", "start failed: " + (e && e.message)); }
        info = info || {};
        return {
          entry: info.entry || "",
          location: info.location || "",
          state: CP.codec.decode(info.state || "", data),
          reflections: info.reflections || {},
          learnerName: info.learnerName || "",
          learnerId: info.learnerId || "",
          masteryScore: info.masteryScore == null ? null : info.masteryScore,
          lms: adapter.kind === "lms"
        };
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
      setLearnerName: guard("setLearnerName", function (name) { if (adapter.setLearnerName) adapter.setLearnerName(name); }),
      commit: guard("commit", function () { adapter.commit(); }),
      finish: guard("finish", function () {
        finished = true;
        adapter.finish();
      }),
      isFinished: function () { return finished; }
    };
  };

  /* ---- helpers shared by adapters ------------------------------------------------------------- */
  CP.util = {
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
    }
  };
})(window);
