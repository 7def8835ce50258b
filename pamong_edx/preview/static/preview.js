/* The preview page: opens a SCO of the outline in the desktop and the phone frame (or the sequential as Open
 * edX shows it), turns the answer key on and off, starts a fresh attempt ("try as learner"), shows what the LMS
 * would record, and reloads when the server says a course file changed: it listens to /events (server-sent
 * events, answered when the file watcher reports a change); it never polls. */
var PamongPreview = (function () {
  'use strict';

  var cfg = JSON.parse(document.getElementById('preview-settings').textContent);
  var T = cfg.strings;
  var records = {};
  var recordDevice = cfg.device;
  var KEY_FLAG = 'pamong-preview:answer-key';
  var VIEW_FLAG = 'pamong-preview:view';

  function session(name, value) {
    try {
      if (value === undefined) { return window.sessionStorage.getItem(name); }
      if (value === null) { window.sessionStorage.removeItem(name); } else { window.sessionStorage.setItem(name, value); }
    } catch (e) { /* storage refused */ }
    return null;
  }

  function $(sel) { return document.querySelector(sel); }
  function $$(sel) { return [].slice.call(document.querySelectorAll(sel)); }

  function hashParams() {
    var out = {};
    window.location.hash.replace(/^#/, '').split('&').forEach(function (part) {
      var kv = part.split('=');
      if (kv[0]) { out[decodeURIComponent(kv[0])] = decodeURIComponent(kv[1] || ''); }
    });
    return out;
  }

  function currentSco() {
    var wanted = hashParams().sco;
    return cfg.scos.indexOf(wanted) >= 0 ? wanted : cfg.scos[0];
  }

  function view() { return session(VIEW_FLAG) === 'olx' ? 'olx' : 'player'; }
  function answerKeyOn() { return session(KEY_FLAG) === 'on'; }

  // ------------------------------------------------------------------------------------------------ frames
  function open(target) {
    var sco = currentSco();
    if (!sco || cfg.errors && !target) { return; }
    target = target || {};
    $$('.outline a[data-sco]').forEach(function (a) {
      if (a.getAttribute('data-sco') === sco) { a.setAttribute('aria-current', 'page'); } else { a.removeAttribute('aria-current'); }
    });
    var olx = view() === 'olx';
    $('[data-role="player-frames"]').hidden = olx;
    $('[data-role="olx-frames"]').hidden = !olx;
    $$('[data-view]').forEach(function (b) { b.setAttribute('aria-pressed', String(b.getAttribute('data-view') === view())); });
    if (olx) {
      $('iframe[name="olx"]').src = '/olx/' + encodeURIComponent(sco);
      return;
    }
    ['desktop', 'phone'].forEach(function (device) {
      var query = '?device=' + device;
      if (target.page) { query += '&page=' + encodeURIComponent(target.page); }
      if (target.block) { query += '&block=' + encodeURIComponent(target.block); }
      $('iframe[name="' + device + '"]').src = '/run/' + encodeURIComponent(sco) + query;
    });
  }

  function frames() {
    return $$('iframe').map(function (f) { return f.contentWindow; }).filter(Boolean);
  }

  function applyKey() {
    frames().forEach(function (win) {
      try {
        if (win.PamongRun) { win.PamongRun.answerKey(answerKeyOn()); }
        if (win.PamongOlx) { win.PamongOlx.answerKey(answerKeyOn()); }
      } catch (e) { /* not loaded yet: it asks answerKeyOn() when it is */ }
    });
  }

  // A new attempt: the open frames stop keeping their attempts, and what this tab kept of every SCO's attempts
  // (the LMS frames' records and the player's copy on this device) is forgotten before they start again.
  function learner() {
    session(KEY_FLAG, null);
    $('[data-action="answer-key"]').checked = false;
    frames().forEach(function (win) {
      try { if (win.PamongRun) { win.PamongRun.forget(); } } catch (e) { /* not loaded */ }
    });
    [window.sessionStorage, window.localStorage].forEach(function (store) {
      try {
        Object.keys(store).forEach(function (k) {
          if (k.indexOf('pamong-preview:' + cfg.slug + ':') === 0 || k.indexOf('pamong:' + cfg.slug + ':') === 0) {
            store.removeItem(k);
          }
        });
      } catch (e) { /* storage refused */ }
    });
    records = {};
    paintRecord();
    open();
  }

  // --------------------------------------------------------------------------------------------- the record
  function recorded(device, values, refused) {
    records[device] = { values: values, refused: refused || [] };
    if (device === recordDevice) { paintRecord(); }
  }

  function cell(row, text, role) {
    var td = document.createElement('td');
    td.textContent = text === undefined ? '' : text;
    if (role) { td.setAttribute('data-record', role); }
    row.appendChild(td);
  }

  function paintRecord() {
    var body = $('[data-role="record-body"]');
    body.textContent = '';
    var rec = records[recordDevice];
    var v = rec ? rec.values : null;
    if (!v || !Object.keys(v).some(function (k) { return /^cmi\.(completion_status|interactions|score)/.test(k); })) {
      var p = document.createElement('p');
      p.textContent = T.nothing_recorded;
      body.appendChild(p);
      return;
    }
    var table = document.createElement('table');
    table.className = 'summary';
    var mark = v['cmi.scaled_passing_score'] ? Math.round(Number(v['cmi.scaled_passing_score']) * 100) + '%' : '—';
    [[T.completion, v['cmi.completion_status'] || 'unknown', 'completion_status'],
     [T.success.replace('{mark}', mark), v['cmi.success_status'] || 'unknown', 'success_status'],
     [T.score, v['cmi.score.raw'] !== undefined ? v['cmi.score.raw'] + ' / ' + (v['cmi.score.max'] || '100') +
       ' (' + T.scaled.replace('{value}', v['cmi.score.scaled']) + ')' : '—', 'score'],
     [T.progress, v['cmi.progress_measure'] || '—', 'progress']].forEach(function (r) {
      var row = document.createElement('tr');
      var th = document.createElement('th');
      th.textContent = r[0];
      row.appendChild(th);
      cell(row, r[1], r[2]);
      table.appendChild(row);
    });
    body.appendChild(table);
    var interactions = document.createElement('table');
    interactions.className = 'interactions';
    var head = document.createElement('tr');
    [T.question, T.type, T.response, T.result, T.correct_pattern].forEach(function (h) {
      var th = document.createElement('th');
      th.textContent = h;
      head.appendChild(th);
    });
    interactions.appendChild(head);
    for (var n = 0; v['cmi.interactions.' + n + '.id'] !== undefined; n++) {
      var p2 = 'cmi.interactions.' + n + '.';
      var row = document.createElement('tr');
      row.setAttribute('data-interaction', v[p2 + 'id']);
      cell(row, v[p2 + 'id']);
      cell(row, v[p2 + 'type']);
      cell(row, v[p2 + 'learner_response'], 'response');
      cell(row, v[p2 + 'result'], 'result');
      cell(row, v[p2 + 'correct_responses.0.pattern']);
      interactions.appendChild(row);
    }
    var caption = document.createElement('h3');
    caption.textContent = T.interactions;
    body.appendChild(caption);
    body.appendChild(interactions);
  }

  // ------------------------------------------------------------------------------------------ live reload
  function listen() {
    if (!window.EventSource) { return; }
    var source = new window.EventSource('/events?since=' + cfg.generation);
    source.addEventListener('reload', function () {
      source.close();
      window.location.reload();
    });
    source.onerror = function () {
      if (source.readyState === window.EventSource.CLOSED) { $('[data-role="status"]').textContent = T.connection_lost; }
    };
  }

  // -------------------------------------------------------------------------------------------------- start
  document.addEventListener('click', function (event) {
    var el = event.target.closest ? event.target.closest('[data-sco], [data-view], [data-action="learner"]') : null;
    if (!el) { return; }
    if (el.hasAttribute('data-view')) {
      session(VIEW_FLAG, el.getAttribute('data-view'));
      open();
    } else if (el.getAttribute('data-action') === 'learner') {
      learner();
    } else {
      event.preventDefault();
      $('[data-role="views"]').hidden = false;  // with errors: the block as last built
      window.history.replaceState(null, '', '#sco=' + encodeURIComponent(el.getAttribute('data-sco')));
      open({ page: el.getAttribute('data-page') || '', block: el.getAttribute('data-block') || '' });
    }
  });
  $('[data-action="answer-key"]').checked = answerKeyOn();
  $('[data-action="answer-key"]').addEventListener('change', function (event) {
    session(KEY_FLAG, event.target.checked ? 'on' : null);
    if (event.target.checked) { applyKey(); } else { open(); }  // off: the frames start again from what was kept
  });
  var deviceSelect = $('[data-action="record-device"]');
  deviceSelect.value = recordDevice;
  deviceSelect.addEventListener('change', function () { recordDevice = deviceSelect.value; paintRecord(); });
  if (cfg.device === 'phone') { document.body.classList.add('phone-first'); }
  if (cfg.errors) { $('[data-role="views"]').hidden = true; }

  open();
  listen();

  return {
    recorded: recorded,
    answerKeyOn: answerKeyOn,
    loaded: function (device) { document.body.setAttribute('data-loaded-' + device, String(cfg.generation)); },
    showViews: function () { $('[data-role="views"]').hidden = false; }
  };
}());
