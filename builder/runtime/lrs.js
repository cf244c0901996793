/* coursepack LRS client: what the xAPI and cmi5 adapters share to talk to a Learning Record Store.
 *
 * - Every request carries X-Experience-API-Version 1.0.3 and the launch's Authorization; nothing
 *   secret is in the package: the credential comes from the launch (Tin Can `auth`, cmi5 fetch token).
 * - Statements get their id and timestamp when they are made, so a retry is the same statement: an
 *   LRS answers 204/200 for an id it already holds with the same content, and a statement is stored
 *   exactly once however often the network drops an answer.
 * - Statements queue in memory and in localStorage (key per LRS, learner and registration) and are
 *   posted in order, in batches. No answer, a 5xx, 408 or 429: retried with back-off (1 s doubling to
 *   60 s). 401/403: the launch's credential is not (or no longer) valid: kept for a later launch,
 *   not retried now. Any other 4xx is a bug in the statement: logged, and the statement dropped (a
 *   refused batch is retried one statement at a time to find it), never retried forever.
 * - flush(true) sends what is queued with fetch keepalive, so it outlives a closing page. sendBeacon
 *   cannot carry the Authorization and version headers an LRS requires.
 * - Documents (State, Agent Profile): getDocument / putDocument; a 404 is "no document". A State
 *   document that could not be written is kept and written again with the next flush.
 */
(function (w) {
  "use strict";
  var CP = w.Coursepack;
  var VERSION = "1.0.3";
  var BATCH = 25;
  var KEEPALIVE_BYTES = 60000; // browsers refuse keepalive bodies above 64 KiB in flight

  function uuid() {
    if (w.crypto && w.crypto.randomUUID) return w.crypto.randomUUID();
    var b = new Uint8Array(16);
    w.crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = "";
    for (var i = 0; i < 16; i++) h += (b[i] + 0x100).toString(16).slice(1) + (i === 3 || i === 5 || i === 7 || i === 9 ? "-" : "");
    return h;
  }

  // ISO 8601 duration of ms milliseconds, e.g. PT1H2M3.4S (hundredths at most)
  function duration(ms) {
    var cs = Math.max(0, Math.round(ms / 10));
    var h = Math.floor(cs / 360000), m = Math.floor((cs % 360000) / 6000), s = (cs % 6000) / 100;
    return "PT" + (h ? h + "H" : "") + (m ? m + "M" : "") + (s || (!h && !m) ? String(+s.toFixed(2)) + "S" : "");
  }

  function query(params) {
    var out = [];
    for (var k in params) if (params.hasOwnProperty(k) && params[k] != null) out.push(encodeURIComponent(k) + "=" + encodeURIComponent(params[k]));
    return out.length ? "?" + out.join("&") : "";
  }

  // the launch URL's query parameters, decoded
  function launchParams(win) {
    var out = {};
    var search = "";
    try { search = win.location.search || ""; } catch (e) { search = ""; }
    search.replace(/^\?/, "").split("&").forEach(function (pair) {
      if (!pair) return;
      var at = pair.indexOf("=");
      var key = at < 0 ? pair : pair.slice(0, at), value = at < 0 ? "" : pair.slice(at + 1);
      try { out[decodeURIComponent(key.replace(/\+/g, " "))] = decodeURIComponent(value.replace(/\+/g, " ")); } catch (e) { /* skip */ }
    });
    return out;
  }
  // Tin Can launch agents may carry single-element arrays (the 0.95 form): take the first element
  function agent(text) {
    var a;
    try { a = JSON.parse(text); } catch (e) { return null; }
    if (!a || typeof a !== "object") return null;
    var out = { objectType: "Agent" };
    ["name", "mbox", "mbox_sha1sum", "openid", "account"].forEach(function (k) {
      var v = Array.isArray(a[k]) ? a[k][0] : a[k];
      if (v != null && v !== "") out[k] = v;
    });
    if (out.account && out.account.accountServiceHomePage) out.account = { homePage: out.account.accountServiceHomePage, name: out.account.accountName };
    return out.mbox || out.mbox_sha1sum || out.openid || out.account ? out : null;
  }
  function learnerId(a) {
    return a.account ? String(a.account.name || "") : String(a.mbox || a.openid || a.mbox_sha1sum || "").replace(/^mailto:/, "");
  }

  // options: {endpoint, auth, storageKey}
  function Client(options) {
    this.endpoint = String(options.endpoint || "");
    if (this.endpoint && this.endpoint.charAt(this.endpoint.length - 1) !== "/") this.endpoint += "/";
    this.auth = options.auth || "";
    this.storageKey = options.storageKey || "";
    this.queue = [];
    this.docs = {}; // documents waiting to be written: key -> {resource, params, body}
    this.sending = false;
    this.single = false; // a batch was refused: send one by one until the bad one is found
    this.delay = 0;
    this.timer = null;
    this.paused = false;
    this.load();
  }
  Client.prototype.load = function () {
    try {
      var saved = this.storageKey && w.localStorage.getItem(this.storageKey);
      var list = saved ? JSON.parse(saved) : [];
      if (Array.isArray(list)) this.queue = list.filter(function (s) { return s && typeof s.id === "string"; });
    } catch (e) { this.queue = []; }
  };
  Client.prototype.persist = function () {
    if (!this.storageKey) return;
    try {
      if (this.queue.length) w.localStorage.setItem(this.storageKey, JSON.stringify(this.queue));
      else w.localStorage.removeItem(this.storageKey);
    } catch (e) { CP.warn("lrs-storage", "could not keep unsent statements in this browser"); }
  };
  Client.prototype.headers = function (json) {
    var h = { "X-Experience-API-Version": VERSION };
    if (this.auth) h.Authorization = this.auth;
    if (json) h["Content-Type"] = "application/json";
    return h;
  };
  Client.prototype.request = function (method, path, params, body, keepalive, extra) {
    var headers = this.headers(body != null);
    for (var k in extra || {}) if (extra.hasOwnProperty(k)) headers[k] = extra[k];
    return w.fetch(this.endpoint + path + query(params || {}), {
      method: method, headers: headers, body: body == null ? undefined : body,
      keepalive: !!keepalive, cache: "no-store", credentials: "omit"
    });
  };

  /* ---- statements ---- */
  Client.prototype.send = function (statement) {
    if (!statement.id) statement.id = uuid();
    if (!statement.timestamp) statement.timestamp = new Date().toISOString();
    this.queue.push(statement);
    this.persist();
    this.soon();
    return statement.id;
  };
  Client.prototype.soon = function () {
    var self = this;
    if (this.timer || this.sending || this.paused) return;
    this.timer = w.setTimeout(function () { self.timer = null; self.flush(false); }, this.delay || 30);
  };
  Client.prototype.backOff = function () {
    this.delay = Math.min(60000, this.delay ? this.delay * 2 : 1000);
    this.soon();
  };
  // Sends what is queued. keepalive: the page is going away: send everything at once, in requests
  // that outlive it (statements already in flight go again: the LRS keeps one copy).
  Client.prototype.flush = function (keepalive) {
    var self = this;
    if (keepalive) {
      this.sendDocuments(true);
      var chunk = [], size = 0;
      var post = function () {
        if (chunk.length) self.request("POST", "statements", null, JSON.stringify(chunk), true).catch(function () {});
        chunk = []; size = 0;
      };
      for (var i = 0; i < this.queue.length; i++) {
        var text = JSON.stringify(this.queue[i]);
        if (size + text.length > KEEPALIVE_BYTES) post();
        chunk.push(this.queue[i]);
        size += text.length + 1;
      }
      post();
      return Promise.resolve();
    }
    if (this.sending || this.paused) return Promise.resolve();
    if (!this.queue.length) return this.sendDocuments(false);
    this.sending = true;
    var batch = this.queue.slice(0, this.single ? 1 : BATCH);
    return this.request("POST", "statements", null, JSON.stringify(batch), false).then(function (r) {
      self.sending = false;
      if (r.ok) { self.done(batch); return self.flush(false); }
      if (r.status >= 500 || r.status === 408 || r.status === 429) return self.backOff();
      if (r.status === 401 || r.status === 403) {
        self.paused = true;
        CP.warn("lrs-auth", "the LRS refused the launch's credentials (" + r.status + "); statements are kept in this browser for the next launch");
        return undefined;
      }
      if (batch.length > 1) { self.single = true; return self.flush(false); }
      return r.text().then(function (detail) {
        CP.warn("lrs-4xx:" + r.status, "the LRS refused a statement (" + r.status + " " + String(detail).slice(0, 300) + "); it is dropped");
        self.done(batch);
        return self.flush(false);
      });
    }, function () {
      self.sending = false;
      return self.backOff();
    });
  };
  Client.prototype.done = function (batch) {
    var sent = {};
    batch.forEach(function (s) { sent[s.id] = true; });
    this.queue = this.queue.filter(function (s) { return !sent[s.id]; });
    this.delay = 0;
    if (!this.queue.length) this.single = false;
    this.persist();
  };
  Client.prototype.pending = function () { return this.queue.length; };

  /* ---- documents ---- */
  // resolves {status, json} (json null when absent or not JSON); never rejects
  Client.prototype.getDocument = function (resource, params) {
    return this.request("GET", resource, params, null, false).then(function (r) {
      if (!r.ok) return { status: r.status, json: null };
      return r.text().then(function (text) {
        try { return { status: r.status, json: JSON.parse(text) }; } catch (e) { return { status: r.status, json: null }; }
      });
    }, function () { return { status: 0, json: null }; });
  };
  // the latest value per document wins; written now, and again with each flush until the LRS takes it
  Client.prototype.putDocument = function (resource, params, value) {
    this.docs[resource + query(params)] = { resource: resource, params: params, body: JSON.stringify(value) };
    this.soon();
  };
  Client.prototype.sendDocuments = function (keepalive) {
    var self = this, keys = Object.keys(this.docs);
    return Promise.all(keys.map(function (key) {
      var doc = self.docs[key];
      return self.request("PUT", doc.resource, doc.params, doc.body, keepalive).then(function (r) {
        if (self.docs[key] !== doc) return; // replaced meanwhile: the newer one goes next time
        if (r.ok || (r.status >= 400 && r.status < 500 && r.status !== 408 && r.status !== 429)) {
          if (!r.ok) CP.warn("lrs-doc:" + r.status, "the LRS refused a document (" + r.status + "); progress is kept in this browser only");
          delete self.docs[key];
        } else if (!keepalive) self.backOff();
      }, function () { if (!keepalive) self.backOff(); });
    }));
  };

  CP.lrs = { Client: Client, uuid: uuid, duration: duration, VERSION: VERSION, launchParams: launchParams, agent: agent, learnerId: learnerId };
})(window);
