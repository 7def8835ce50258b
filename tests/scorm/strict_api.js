/* A strict SCORM 1.2 and 2004 runtime for tests: it refuses, with the error codes of the specifications, every
 * call and value that either the specification or Moodle's runtime (mod/scorm/datamodels/scorm_12.js and
 * scorm_13.js) refuses. Where they differ it takes the stricter: SCORM 1.2 choice responses are single characters
 * 0-9 a-z (Moodle 1.2 takes any 255 characters); 2004 decimals have at most five integer digits and identifiers
 * are [A-Za-z0-9_.] (Moodle); correct-response counts stop at the smallest permitted maximum (the spec).
 *
 *   var api = new StrictScorm12({cmi: {...initial values...}, failCommit: false})   (or StrictScorm2004)
 *   api.refused    every refused call: [function, element, value, error code]
 *   api.committed  the values the LMS holds: a copy taken at each successful Commit or Terminate
 *   api.calls      every call: [function, element, value, result]
 * Values are kept flat, by element name ("cmi.interactions.0.id"). */
(function (global) {
  'use strict';

  function re(source) { return new RegExp(source); }

  // ------------------------------------------------------------------------------------------ SCORM 1.2
  var V12 = {
    ident: /^[\u0021-\u007e]{1,255}$/,            // CMIIdentifier: printable, no white space
    decimal: /^-?[0-9]{0,3}(\.[0-9]*)?$/,          // Moodle's CMIDecimal
    status: /^(passed|completed|failed|incomplete|browsed)$/,
    exit: /^(time-out|suspend|logout|)$/,
    timespan: /^[0-9]{2,4}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,2})?$/,
    time: /^([0-2][0-9]):([0-5][0-9]):([0-5][0-9])(\.[0-9]{1,2})?$/,
    type: /^(true-false|choice|fill-in|matching|performance|sequencing|likert|numeric)$/,
    result: /^(correct|wrong|unanticipated|neutral|[0-9]{0,3}(\.[0-9]*)?)$/
  };
  // CMIFeedback per interaction type (SCORM 1.2 RTE 3.4.2.2): responses and patterns alike.
  var FEEDBACK12 = {
    'true-false': /^[01tf]$/,
    choice: /^\{?[0-9a-z](,[0-9a-z])*\}?$/,
    'fill-in': /^[\s\S]{0,255}$/,
    numeric: /^-?([0-9]+(\.[0-9]*)?|\.[0-9]+)$/,
    likert: /^[0-9a-z]?$/,
    matching: /^\{?[0-9a-z]\.[0-9a-z](,[0-9a-z]\.[0-9a-z])*\}?$/,
    performance: /^[\s\S]{0,255}$/,
    sequencing: /^[0-9a-z](,[0-9a-z])*$/
  };
  var MODEL12 = [
    // [element pattern, access, check(value, api, element) -> '0' or an error code]
    ['cmi.core._children', 'r'], ['cmi.core.student_id', 'r'], ['cmi.core.student_name', 'r'],
    ['cmi.core.lesson_location', 'rw', function (v) { return v.length <= 255 ? '0' : '405'; }],
    ['cmi.core.credit', 'r'], ['cmi.core.entry', 'r'], ['cmi.core.lesson_mode', 'r'], ['cmi.core.total_time', 'r'],
    ['cmi.core.lesson_status', 'rw', function (v) { return V12.status.test(v) ? '0' : '405'; }],
    ['cmi.core.score._children', 'r'],
    ['cmi.core.score.raw', 'rw', score12], ['cmi.core.score.min', 'rw', score12], ['cmi.core.score.max', 'rw', score12],
    ['cmi.core.exit', 'w', function (v) { return V12.exit.test(v) ? '0' : '405'; }],
    ['cmi.core.session_time', 'w', function (v) { return V12.timespan.test(v) ? '0' : '405'; }],
    ['cmi.suspend_data', 'rw', function (v) { return v.length <= 4096 ? '0' : '405'; }],
    ['cmi.launch_data', 'r'], ['cmi.comments_from_lms', 'r'],
    ['cmi.comments', 'rw', function (v) { return v.length <= 4096 ? '0' : '405'; }],
    ['cmi.student_data._children', 'r'], ['cmi.student_data.mastery_score', 'r'],
    ['cmi.student_data.max_time_allowed', 'r'], ['cmi.student_data.time_limit_action', 'r'],
    ['cmi.objectives._children', 'r'], ['cmi.objectives._count', 'r'],
    ['cmi.objectives.n.id', 'rw', function (v) { return V12.ident.test(v) ? '0' : '405'; }],
    ['cmi.objectives.n.status', 'rw', function (v) { return /^(passed|completed|failed|incomplete|browsed|not attempted)$/.test(v) ? '0' : '405'; }],
    ['cmi.interactions._children', 'r'], ['cmi.interactions._count', 'r'],
    ['cmi.interactions.n.id', 'w', function (v) { return V12.ident.test(v) ? '0' : '405'; }],
    ['cmi.interactions.n.objectives._count', 'r'],
    ['cmi.interactions.n.objectives.n.id', 'w', function (v) { return V12.ident.test(v) ? '0' : '405'; }],
    ['cmi.interactions.n.time', 'w', function (v) { return V12.time.test(v) ? '0' : '405'; }],
    ['cmi.interactions.n.type', 'w', function (v) { return V12.type.test(v) ? '0' : '405'; }],
    ['cmi.interactions.n.correct_responses._count', 'r'],
    ['cmi.interactions.n.correct_responses.n.pattern', 'w', feedback12],
    ['cmi.interactions.n.weighting', 'w', function (v) {
      return V12.decimal.test(v) && Number(v) >= -100 && Number(v) <= 100 ? '0' : '405';
    }],
    ['cmi.interactions.n.student_response', 'w', feedback12],
    ['cmi.interactions.n.result', 'w', function (v) { return V12.result.test(v) ? '0' : '405'; }],
    ['cmi.interactions.n.latency', 'w', function (v) { return V12.timespan.test(v) ? '0' : '405'; }]
  ];

  function score12(v) {
    if (v === '') { return '0'; }
    return V12.decimal.test(v) && Number(v) >= 0 && Number(v) <= 100 ? '0' : '405';
  }

  function feedback12(v, api, element) {
    var type = api.values[element.replace(/\.(correct_responses\.\d+\.pattern|student_response)$/, '.type')];
    if (!type) { return '405'; }  // the type says what the value may be: it comes first
    return FEEDBACK12[type].test(v) ? '0' : '405';
  }

  // ------------------------------------------------------------------------------------------ SCORM 2004
  var DEC = '-?[0-9]{1,5}(\\.[0-9]{1,18})?';  // Moodle's CMIDecimal; the spec's real(10,7) allows more
  var V04 = {
    decimal: re('^' + DEC + '$'),
    shortId: /^[\w.]{1,250}$/,
    longId: /^(?:(?!urn:)\S{1,4000}|urn:[A-Za-z0-9-]{1,31}:\S{1,4000})$/,
    timespan: /^P(\d+Y)?(\d+M)?(\d+D)?(T(((\d+H)(\d+M)?(\d+(\.\d{1,2})?S)?)|((\d+M)(\d+(\.\d{1,2})?S)?)|((\d+(\.\d{1,2})?S))))?$/,
    time: /^(19[7-9][0-9]|20[0-2][0-9]|203[0-8])((-(0[1-9]|1[0-2]))((-(0[1-9]|[1-2][0-9]|3[0-1]))(T([0-1][0-9]|2[0-3])((:[0-5][0-9])((:[0-5][0-9])((\.[0-9]{1,2})((Z|([+|-]([0-1][0-9]|2[0-3])))(:[0-5][0-9])?)?)?)?)?)?)?)?$/,
    langString250: /^(\{lang=([a-zA-Z]{2,3}|i|x)(-[a-zA-Z0-9-]{2,8})?\})?([^{][^\n]{0,250}$)?$/,
    langString250cr: /^((\{lang=([a-zA-Z]{2,3}|i|x)?(-[a-zA-Z0-9-]{2,8})?\})?([^\n]{0,250})?)?$/,
    type: /^(true-false|choice|fill-in|long-fill-in|matching|performance|sequencing|likert|numeric|other)$/,
    result: re('^(correct|incorrect|unanticipated|neutral|-?[0-9]{1,4}(\\.[0-9]{1,18})?)$')
  };
  // Per interaction type: the delimiter, how many nodes, each node's format, whether nodes are unique, and the
  // smallest permitted maximum of correct-response patterns (SCORM 2004 RTE 4.2.9.1).
  var TYPES04 = {
    'true-false': { delim: '', max: 1, node: /^(true|false)$/, patterns: 1 },
    choice: { delim: '[,]', max: 36, node: V04.shortId, unique: true, patterns: 10 },
    'fill-in': { delim: '[,]', max: 10, node: V04.langString250, prefixes: true, patterns: 5 },
    'long-fill-in': { delim: '', max: 1, node: /^[\s\S]{0,4000}$/, prefixes: true, patterns: 5 },
    likert: { delim: '', max: 1, node: V04.shortId, patterns: 1 },
    matching: { delim: '[,]', max: 36, node: V04.shortId, pair: true, patterns: 5 },
    performance: { delim: '[,]', max: 250, node: /^[\s\S]{0,250}$/, patterns: 5 },
    sequencing: { delim: '[,]', max: 36, node: V04.shortId, patterns: 5 },
    numeric: { delim: '', max: 1, node: V04.decimal, patterns: 1 },
    other: { delim: '', max: 1, node: /^[\s\S]{0,4000}$/, patterns: 1 }
  };

  function nodes(value, delim) { return delim ? value.split(delim) : [value]; }

  function stripPrefixes(node) {
    var m;
    while ((m = /^\{(lang|case_matters|order_matters)=([^}]+)\}/.exec(node))) {
      if (m[1] !== 'lang' && m[2] !== 'true' && m[2] !== 'false') { return null; }
      node = node.slice(m[0].length);
    }
    return node;
  }

  function response04(v, api, element) {
    var type = api.values[element.replace(/\.learner_response$/, '.type')];
    if (!type) { return '408'; }
    var spec = TYPES04[type];
    var parts = nodes(v, spec.delim);
    if (parts.length > spec.max) { return '351'; }
    for (var i = 0; i < parts.length; i++) {
      var node = parts[i];
      if (spec.pair) {
        var pair = node.split('[.]');
        if (pair.length !== 2 || !spec.node.test(pair[0]) || !spec.node.test(pair[1])) { return '406'; }
      } else if (!spec.node.test(node)) { return '406'; }
      if (spec.unique && parts.indexOf(node) !== i) { return '406'; }
    }
    return '0';
  }

  function pattern04(v, api, element) {
    var base = element.replace(/\.correct_responses\.\d+\.pattern$/, '');
    var type = api.values[base + '.type'];
    if (!type) { return '408'; }
    var spec = TYPES04[type];
    var index = Number(/correct_responses\.(\d+)\.pattern$/.exec(element)[1]);
    if (index >= spec.patterns) { return '351'; }  // past the smallest permitted maximum
    for (var k = 0; k < index; k++) {
      if (type === 'choice' && api.values[base + '.correct_responses.' + k + '.pattern'] === v) { return '351'; }
    }
    if (type === 'numeric') {
      var bounds = v.split('[:]');
      if (bounds.length > 2) { return '351'; }
      for (var b = 0; b < bounds.length; b++) { if (!V04.decimal.test(bounds[b])) { return '406'; } }
      return bounds.length === 2 && Number(bounds[0]) > Number(bounds[1]) ? '406' : '0';
    }
    var parts = nodes(v, spec.delim);
    if (parts.length > spec.max) { return '351'; }
    for (var i = 0; i < parts.length; i++) {
      var node = spec.prefixes ? stripPrefixes(parts[i]) : parts[i];
      if (node === null) { return '406'; }
      var format = type === 'fill-in' ? V04.langString250cr : spec.node;
      if (spec.pair) {
        var pair = node.split('[.]');
        if (pair.length !== 2 || !spec.node.test(pair[0]) || !spec.node.test(pair[1])) { return '406'; }
      } else if (!format.test(node)) { return '406'; }
      if (spec.unique && parts.indexOf(parts[i]) !== i) { return '406'; }
    }
    return '0';
  }

  function inRange(lo, hi) {
    return function (v) {
      if (!V04.decimal.test(v)) { return '406'; }
      return Number(v) >= lo && Number(v) <= hi ? '0' : '407';
    };
  }
  function decimal04(v) { return V04.decimal.test(v) ? '0' : '406'; }
  function vocab(pattern) { return function (v) { return pattern.test(v) ? '0' : '406'; }; }
  function maxLength(n) { return function (v) { return v.length <= n ? '0' : '406'; }; }

  var MODEL04 = [
    ['cmi._version', 'r'], ['cmi.completion_threshold', 'r'], ['cmi.credit', 'r'], ['cmi.entry', 'r'],
    ['cmi.launch_data', 'r'], ['cmi.learner_id', 'r'], ['cmi.learner_name', 'r'], ['cmi.max_time_allowed', 'r'],
    ['cmi.mode', 'r'], ['cmi.scaled_passing_score', 'r'], ['cmi.time_limit_action', 'r'], ['cmi.total_time', 'r'],
    ['cmi.completion_status', 'rw', vocab(/^(completed|incomplete|not attempted|unknown)$/)],
    ['cmi.success_status', 'rw', vocab(/^(passed|failed|unknown)$/)],
    ['cmi.exit', 'w', vocab(/^(time-out|suspend|logout|normal|)$/)],
    ['cmi.session_time', 'w', vocab(V04.timespan)],
    ['cmi.location', 'rw', maxLength(1000)],
    ['cmi.suspend_data', 'rw', maxLength(64000)],
    ['cmi.progress_measure', 'rw', inRange(0, 1)],
    ['cmi.score._children', 'r'],
    ['cmi.score.scaled', 'rw', inRange(-1, 1)],
    ['cmi.score.raw', 'rw', decimal04], ['cmi.score.min', 'rw', decimal04], ['cmi.score.max', 'rw', decimal04],
    ['cmi.objectives._children', 'r'], ['cmi.objectives._count', 'r'],
    ['cmi.objectives.n.id', 'rw', vocab(V04.longId)],
    ['cmi.interactions._children', 'r'], ['cmi.interactions._count', 'r'],
    ['cmi.interactions.n.id', 'rw', vocab(V04.longId)],
    ['cmi.interactions.n.type', 'rw', vocab(V04.type)],
    ['cmi.interactions.n.objectives._count', 'r'],
    ['cmi.interactions.n.objectives.n.id', 'rw', vocab(V04.longId)],
    ['cmi.interactions.n.timestamp', 'rw', vocab(V04.time)],
    ['cmi.interactions.n.correct_responses._count', 'r'],
    ['cmi.interactions.n.correct_responses.n.pattern', 'rw', pattern04],
    ['cmi.interactions.n.weighting', 'rw', decimal04],
    ['cmi.interactions.n.learner_response', 'rw', response04],
    ['cmi.interactions.n.result', 'rw', vocab(V04.result)],
    ['cmi.interactions.n.latency', 'rw', vocab(V04.timespan)],
    ['cmi.interactions.n.description', 'rw', vocab(V04.langString250)],
    ['adl.nav.request', 'rw', vocab(/^(continue|previous|exit|exitAll|abandon|abandonAll|suspendAll|_none_)$/)]
  ];

  // ------------------------------------------------------------------------------------------ the runtime
  function Runtime(version, model, options) {
    options = options || {};
    this.version = version;
    this.model = {};
    for (var i = 0; i < model.length; i++) { this.model[model[i][0]] = { access: model[i][1], check: model[i][2] }; }
    this.values = {};
    var initial = options.cmi || {};
    for (var k in initial) { if (Object.prototype.hasOwnProperty.call(initial, k)) { this.values[k] = String(initial[k]); } }
    this.failCommit = !!options.failCommit;
    this.state = 'new';  // new, running, terminated
    this.error = '0';
    this.refused = [];
    this.calls = [];
    this.commits = 0;
    this.committed = this.snapshot();
  }

  Runtime.prototype.snapshot = function () { return JSON.parse(JSON.stringify(this.values)); };

  Runtime.prototype.log = function (fn, element, value, result) {
    this.calls.push([fn, element === undefined ? null : element, value === undefined ? null : String(value), result]);
    var read = /GetValue$/.test(fn);
    if (read ? this.error !== '0' && this.error !== '403' : result !== 'true') {
      this.refused.push([fn, element === undefined ? null : element, value === undefined ? null : String(value), this.error]);
    }
    return result;
  };

  // "cmi.interactions.3.correct_responses.0.pattern" -> "cmi.interactions.n.correct_responses.n.pattern"
  function generic(element) { return element.replace(/\.\d+\./g, '.n.').replace(/\.\d+$/, '.n'); }

  Runtime.prototype.count = function (collection) {
    var n = 0;
    while (this.values[collection + '.' + n + '.id'] !== undefined ||
           this.values[collection + '.' + n + '.pattern'] !== undefined) { n++; }
    return n;
  };

  Runtime.prototype.codes = function () {
    var v12 = this.version === '1.2';
    return {
      notRunning: v12 ? '301' : null, unknown: v12 ? '201' : '401', readOnly: v12 ? '403' : '404',
      writeOnly: v12 ? '404' : '405', keyword: v12 ? '402' : '404', order: v12 ? '201' : '351',
      commitFailed: v12 ? '101' : '391', argument: '201'
    };
  };

  Runtime.prototype.begin = function (fn, arg) {
    if (arg !== '') { this.error = '201'; return this.log(fn, arg, undefined, 'false'); }
    if (this.state !== 'new') {
      this.error = this.version === '1.2' ? '101' : (this.state === 'running' ? '103' : '104');
      return this.log(fn, arg, undefined, 'false');
    }
    this.state = 'running';
    this.error = '0';
    return this.log(fn, arg, undefined, 'true');
  };

  Runtime.prototype.store = function (fn, arg, terminating) {
    if (arg !== '') { this.error = '201'; return this.log(fn, arg, undefined, 'false'); }
    if (this.state !== 'running') {
      this.error = this.version === '1.2' ? '301' :
        (terminating ? (this.state === 'new' ? '112' : '113') : (this.state === 'new' ? '142' : '143'));
      return this.log(fn, arg, undefined, 'false');
    }
    if (this.failCommit) {
      this.error = this.codes().commitFailed;
      return this.log(fn, arg, undefined, 'false');
    }
    this.committed = this.snapshot();
    this.commits++;
    if (terminating) { this.state = 'terminated'; }
    this.error = '0';
    return this.log(fn, arg, undefined, 'true');
  };

  Runtime.prototype.get = function (fn, element) {
    var codes = this.codes();
    if (this.state !== 'running') {
      this.error = this.version === '1.2' ? '301' : (this.state === 'new' ? '122' : '123');
      return this.log(fn, element, undefined, '');
    }
    var name = generic(element);
    if (/\._count$/.test(element)) {
      var collection = element.replace(/\._count$/, '');
      if (!this.model[generic(collection) + '.n.id'] && !this.model[generic(collection) + '.n.pattern']) {
        this.error = this.version === '1.2' ? '203' : '401';
        return this.log(fn, element, undefined, '');
      }
      this.error = '0';
      return this.log(fn, element, undefined, String(this.count(collection)));
    }
    var def = this.model[name];
    if (!def) { this.error = codes.unknown; return this.log(fn, element, undefined, ''); }
    if (def.access === 'w') { this.error = codes.writeOnly; return this.log(fn, element, undefined, ''); }
    var value = this.values[element];
    if (value === undefined) {
      this.error = this.version === '1.2' ? '0' : '403';
      return this.log(fn, element, undefined, '');
    }
    this.error = '0';
    return this.log(fn, element, undefined, value);
  };

  Runtime.prototype.set = function (fn, element, value) {
    var codes = this.codes();
    if (this.state !== 'running') {
      this.error = this.version === '1.2' ? '301' : (this.state === 'new' ? '132' : '133');
      return this.log(fn, element, value, 'false');
    }
    if (typeof value !== 'string') { value = String(value); }
    var name = generic(element);
    var def = this.model[name];
    if (/\._(count|children|version)$/.test(element)) { this.error = codes.keyword; return this.log(fn, element, value, 'false'); }
    if (!def) { this.error = codes.unknown; return this.log(fn, element, value, 'false'); }
    if (def.access === 'r') { this.error = codes.readOnly; return this.log(fn, element, value, 'false'); }
    // Collections grow one at a time, each record from its id (2004 refuses anything else first).
    var m = /^(cmi\.(?:interactions|objectives))\.(\d+)\.(.*)$/.exec(element);
    if (m) {
      var count = this.count(m[1]);
      var index = Number(m[2]);
      if (index > count || (index === count && m[3] !== 'id')) {
        this.error = index > count ? codes.order : (this.version === '1.2' ? '201' : '408');
        return this.log(fn, element, value, 'false');
      }
      var inner = /^(objectives|correct_responses)\.(\d+)\.(id|pattern)$/.exec(m[3]);
      if (inner) {
        var prefix = m[1] + '.' + m[2] + '.' + inner[1];
        var have = this.count(prefix);
        if (Number(inner[2]) > have) { this.error = codes.order; return this.log(fn, element, value, 'false'); }
      }
    }
    var code = def.check ? def.check(value, this, element) : '0';
    if (code !== '0') { this.error = code; return this.log(fn, element, value, 'false'); }
    this.values[element] = value;
    this.error = '0';
    return this.log(fn, element, value, 'true');
  };

  function StrictScorm12(options) {
    var rt = new Runtime('1.2', MODEL12, options);
    this.runtime = rt;
    this.LMSInitialize = function (arg) { return rt.begin('LMSInitialize', arg); };
    this.LMSFinish = function (arg) { return rt.store('LMSFinish', arg, true); };
    this.LMSCommit = function (arg) { return rt.store('LMSCommit', arg, false); };
    this.LMSGetValue = function (el) { return rt.get('LMSGetValue', el); };
    this.LMSSetValue = function (el, v) { return rt.set('LMSSetValue', el, v); };
    this.LMSGetLastError = function () { return rt.error; };
    this.LMSGetErrorString = function (code) { return 'error ' + code; };
    this.LMSGetDiagnostic = function (code) { return 'error ' + (code || rt.error); };
  }

  function StrictScorm2004(options) {
    var rt = new Runtime('2004', MODEL04, options);
    this.runtime = rt;
    this.Initialize = function (arg) { return rt.begin('Initialize', arg); };
    this.Terminate = function (arg) { return rt.store('Terminate', arg, true); };
    this.Commit = function (arg) { return rt.store('Commit', arg, false); };
    this.GetValue = function (el) { return rt.get('GetValue', el); };
    this.SetValue = function (el, v) { return rt.set('SetValue', el, v); };
    this.GetLastError = function () { return rt.error; };
    this.GetErrorString = function (code) { return 'error ' + code; };
    this.GetDiagnostic = function (code) { return 'error ' + (code || rt.error); };
  }

  global.StrictScorm12 = StrictScorm12;
  global.StrictScorm2004 = StrictScorm2004;
}(this));
