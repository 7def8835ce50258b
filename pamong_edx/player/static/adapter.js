/* SCORM adapter: finds the LMS's API and speaks SCORM 1.2 or 2004 to it; with no LMS around it keeps the
 * bookmark and saved state in this browser's storage. The player talks only to this small interface:
 *   connect(version, key) -> {backend, boot: {location, suspend, passFraction}, local}
 *   backend: save(location, suspend)  report(status)  interaction(n, record)  interactionCount()
 *            commit() -> true when the LMS took it   finish(done)   version ('1.2', '2004' or 'device')
 *   local:   read() -> {t, l, s, sent} | null   write(record)   sent(t)   pending()
 * `local` is this device's copy of the state, per course, SCO and learner: written before anything is sent,
 * marked sent once a Commit succeeds. Every call is guarded: an LMS that throws or refuses a value never stops
 * the player. */
var PamongScorm = (function () {
  'use strict';

  var MAX_HOPS = 500;
  var RANK12 = { incomplete: 1, browsed: 1, failed: 2, completed: 3, passed: 4 };

  function climb(win, name) {
    for (var hops = 0; win && hops < MAX_HOPS; hops++) {
      try { if (win[name]) { return win[name]; } } catch (e) { /* a cross-origin frame: keep climbing */ }
      var parent = null;
      try { parent = win.parent; } catch (e2) { parent = null; }
      if (!parent || parent === win) { break; }
      win = parent;
    }
    return null;
  }

  // Parents first (the LMS frame), then the window that opened this one (Moodle's "new window" mode).
  function findApi(name) {
    var api = climb(window, name);
    var openers = [];
    try { openers.push(window.opener); } catch (e) { /* ignore */ }
    try { openers.push(window.top.opener); } catch (e2) { /* ignore */ }
    for (var i = 0; !api && i < openers.length; i++) {
      if (openers[i]) { api = climb(openers[i], name); }
    }
    return api;
  }

  function pad(n) { return (n < 10 ? '0' : '') + n; }

  function timespan12(ms) {  // HHHH:MM:SS
    var s = Math.max(0, Math.round(ms / 1000));
    var h = Math.floor(s / 3600);
    return (h < 1000 ? ('000' + h).slice(-4) : String(h)) + ':' + pad(Math.floor(s / 60) % 60) + ':' + pad(s % 60);
  }

  function duration2004(ms) {  // ISO 8601, e.g. PT1H2M3S
    var s = Math.max(0, Math.round(ms / 1000));
    return 'PT' + Math.floor(s / 3600) + 'H' + (Math.floor(s / 60) % 60) + 'M' + (s % 60) + 'S';
  }

  function clock(d) { return pad(d.getHours()) + ':' + pad(d.getMinutes()) + ':' + pad(d.getSeconds()); }

  function timestamp(d) {
    return d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate()) + 'T' + clock(d);
  }

  // ------------------------------------------------------------------------------------------------ LMS
  function Lms(api, version) {
    this.api = api;
    this.version = version;
    this.v12 = version === '1.2';
    this.started = Date.now();
    this.written = {};
    this.live = false;
    this.readOnly = false;
  }

  Lms.prototype.call = function (fn12, fn2004, a, b) {
    try {
      var r = this.api[this.v12 ? fn12 : fn2004](a, b);
      return r === undefined || r === null ? '' : String(r);
    } catch (e) {
      return '';
    }
  };
  Lms.prototype.get = function (el) { return this.call('LMSGetValue', 'GetValue', el); };
  Lms.prototype.set = function (el, value) {
    value = String(value);
    if (this.written[el] === value) { return true; }
    var ok = this.call('LMSSetValue', 'SetValue', el, value) === 'true';
    if (ok) { this.written[el] = value; }
    return ok;
  };

  Lms.prototype.start = function () {
    var ok = this.call('LMSInitialize', 'Initialize', '') === 'true';
    // 1.2 reports an already initialised session as 101, 2004 as 103: the session is usable either way.
    var err = this.call('LMSGetLastError', 'GetLastError');
    if (!ok && err !== '101' && err !== '103') { return null; }
    this.live = true;
    var p = this.v12 ? 'cmi.core.' : 'cmi.';
    var mode = this.get(this.v12 ? 'cmi.core.lesson_mode' : 'cmi.mode');
    this.readOnly = mode === 'review' || mode === 'browse';
    // What the LMS already holds for this attempt: a report never lowers it (a relaunch whose saved state
    // the LMS did not keep would otherwise turn "passed" back into "incomplete").
    this.held = this.v12
      ? { status: RANK12[this.get('cmi.core.lesson_status')] || 0 }
      : { completed: this.get('cmi.completion_status') === 'completed', passed: this.get('cmi.success_status') === 'passed' };
    var pass = this.v12 ? this.get('cmi.student_data.mastery_score') : this.get('cmi.scaled_passing_score');
    var passFraction = pass === '' || isNaN(Number(pass)) ? null : Number(pass) / (this.v12 ? 100 : 1);
    this.learner = this.get(this.v12 ? 'cmi.core.student_id' : 'cmi.learner_id');
    return {
      entry: this.get(p + 'entry'),
      location: this.get(this.v12 ? 'cmi.core.lesson_location' : 'cmi.location'),
      suspend: this.get('cmi.suspend_data'),
      passFraction: passFraction
    };
  };

  Lms.prototype.save = function (location, suspend) {
    if (this.readOnly) { return; }
    this.set(this.v12 ? 'cmi.core.lesson_location' : 'cmi.location', location);
    this.set('cmi.suspend_data', suspend);
  };

  // status: {completed: bool, passed: true|false|null, raw: number|null, progress: 0..1}
  // Exit mode and session time go in with every report, not only at the end: browsers refuse the LMS's
  // synchronous requests while a page is being dismissed, so the last commit that surely arrives is this one.
  Lms.prototype.report = function (s) {
    if (this.readOnly) { return; }
    this.setSessionEnd(s.completed);
    if (this.v12) {
      var status = s.passed === true ? 'passed' : s.passed === false ? 'failed' : s.completed ? 'completed' : 'incomplete';
      if (RANK12[status] < this.held.status) { return; }
      if (s.raw !== null) {  // the score goes in before the status (Moodle and many LMSs expect it so)
        this.set('cmi.core.score.min', '0');
        this.set('cmi.core.score.max', '100');
        this.set('cmi.core.score.raw', s.raw);
      }
      this.set('cmi.core.lesson_status', status);
      return;
    }
    if (s.raw !== null && !(this.held.passed && !s.passed)) {
      // Moodle grades 2004 from score.raw, spec LMSs from score.scaled: set both, the score before the status
      this.set('cmi.score.min', '0');
      this.set('cmi.score.max', '100');
      this.set('cmi.score.raw', s.raw);
      this.set('cmi.score.scaled', String(Math.round(s.raw * 100) / 10000));
      this.set('cmi.success_status', s.passed ? 'passed' : 'failed');
    }
    if (s.completed || !this.held.completed) {
      this.set('cmi.progress_measure', String(Math.round(s.progress * 10000) / 10000));
      this.set('cmi.completion_status', s.completed ? 'completed' : 'incomplete');
    }
  };

  Lms.prototype.interactionCount = function () {
    var n = parseInt(this.get('cmi.interactions._count'), 10);
    return isNaN(n) ? 0 : n;
  };

  // record: {id, type, weight, correct, response, patterns, objective, description}; the response and the
  // patterns are already in this version's format (the question type made them), a null response is left out.
  Lms.prototype.interaction = function (n, r) {
    if (this.readOnly) { return; }
    var p = 'cmi.interactions.' + n + '.';
    var now = new Date();
    this.set(p + 'id', r.id);  // the id and type first: 2004 refuses the rest before them
    this.set(p + 'type', r.type);
    if (r.objective) { this.set(p + 'objectives.0.id', r.objective); }
    this.set(p + 'weighting', r.weight);
    for (var i = 0; i < r.patterns.length; i++) { this.set(p + 'correct_responses.' + i + '.pattern', r.patterns[i]); }
    if (r.response !== null) { this.set(p + (this.v12 ? 'student_response' : 'learner_response'), r.response); }
    if (this.v12) {
      this.set(p + 'result', r.correct ? 'correct' : 'wrong');
      this.set(p + 'time', clock(now));
    } else {
      if (r.description) { this.set(p + 'description', r.description); }
      this.set(p + 'result', r.correct ? 'correct' : 'incorrect');
      this.set(p + 'timestamp', timestamp(now));
    }
  };

  Lms.prototype.commit = function () {
    if (!this.live) { return false; }
    return this.call('LMSCommit', 'Commit', '') === 'true';  // "" matters: Moodle refuses LMSCommit()
  };

  // "suspend" keeps the attempt open for a resume; a finished SCO exits normally.
  Lms.prototype.setSessionEnd = function (done) {
    var elapsed = Date.now() - this.started;
    if (this.v12) {
      this.set('cmi.core.exit', done ? '' : 'suspend');
      this.set('cmi.core.session_time', timespan12(elapsed));
    } else {
      this.set('cmi.exit', done ? 'normal' : 'suspend');
      this.set('cmi.session_time', duration2004(elapsed));
    }
  };

  // Called from pagehide: the session time and exit mode go in first, then Terminate, which is the final commit
  // (an explicit Commit while the page is being dismissed only fails: browsers refuse an LMS's synchronous
  // request then, while runtimes send Terminate's data as a beacon). `committed` says whether the LMS took it;
  // if not, this device's copy waits for the next launch.
  Lms.prototype.finish = function (done) {
    if (!this.live) { return; }
    if (!this.readOnly) { this.setSessionEnd(done); }
    this.committed = this.call('LMSFinish', 'Terminate', '') === 'true';
    this.live = false;
  };

  // ------------------------------------------------------------------------------------ this device
  function storage() {
    try { return window.localStorage || null; } catch (e) { return null; }  // file:// and sandboxes may refuse
  }

  // This device's copy of one learner's state of one SCO: {t: saved at, l: location, s: suspend data, sent}.
  function Local(key) {
    this.key = key;
    this.record = null;
  }
  Local.prototype.read = function () {
    var store = storage();
    try {
      var raw = store ? store.getItem(this.key) : null;
      var rec = raw ? JSON.parse(raw) : null;
      if (rec && typeof rec.s === 'string') { this.record = rec; }
    } catch (e) { /* unreadable: as if nothing was kept */ }
    return this.record;
  };
  Local.prototype.write = function (rec) {
    this.record = rec;
    var store = storage();
    try { if (store) { store.setItem(this.key, JSON.stringify(rec)); } } catch (e) { /* full or refused */ }
  };
  Local.prototype.sent = function (t) {
    if (this.record && this.record.t === t && !this.record.sent) {
      this.record.sent = true;
      this.write(this.record);
    }
  };
  Local.prototype.pending = function () { return !!(this.record && !this.record.sent); };

  // No LMS: the copy on this device is all there is.
  function Device(local) {
    this.version = 'device';
    this.local = local;
    this.live = true;
  }
  Device.prototype.start = function () {
    var rec = this.local.read() || { l: '', s: '' };
    return { entry: '', location: String(rec.l || ''), suspend: String(rec.s || ''), passFraction: null };
  };
  Device.prototype.save = function () {};
  Device.prototype.report = function () {};
  Device.prototype.interactionCount = function () { return 0; };
  Device.prototype.interaction = function () {};
  Device.prototype.commit = function () { return true; };
  Device.prototype.finish = function () { this.committed = true; };

  // A 2004 package looks for API_1484_11 first, a 1.2 package for API first; each falls back to the other so a
  // package run by an LMS that misread its version still reports.
  function connect(preferred, storageKey) {
    var order = preferred === '2004' ? [['API_1484_11', '2004'], ['API', '1.2']] : [['API', '1.2'], ['API_1484_11', '2004']];
    for (var i = 0; i < order.length; i++) {
      var api = findApi(order[i][0]);
      if (api) {
        var lms = new Lms(api, order[i][1]);
        var boot = lms.start();
        if (boot) { return { backend: lms, boot: boot, local: new Local(storageKey + ':' + lms.learner) }; }
      }
    }
    var device = new Device(new Local(storageKey + ':'));
    return { backend: device, boot: device.start(), local: device.local };
  }

  return { connect: connect, findApi: findApi };
}());
