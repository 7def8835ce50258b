/* pamong-edx player: pages, questions, scoring and tracking for one SCO. Reads its settings from the
 * #pamong-config JSON the exporter writes; talks to the LMS only through PamongScorm (adapter.js).
 *
 * Saved state (cmi.suspend_data) is compact JSON, {"f": fingerprint, "u": seen pages as hex bits,
 * "q": [[question index, attempts, response], ...] in the order first answered}. The position of a question in
 * "q" is its cmi.interactions index. exporters/scorm_runtime.py builds the largest possible state with the
 * same layout to check it fits SCORM 1.2's 4,096 characters. */
(function () {
  'use strict';

  var configEl = document.getElementById('pamong-config');
  if (!configEl || typeof PamongScorm === 'undefined') { return; }
  var cfg = JSON.parse(configEl.textContent);
  var T = cfg.strings;
  var root = document.documentElement;
  root.className += (root.className ? ' ' : '') + 'js';

  var pages = [].slice.call(document.querySelectorAll('.page'));
  var forms = [].slice.call(document.querySelectorAll('form.problem'));
  var questions = cfg.questions;
  var last = pages.length - 1;
  var MAX_ATTEMPTS_KEPT = 999;

  function fmt(text, vars) {
    return text.replace(/\{(\w+)\}/g, function (m, k) { return vars[k] !== undefined ? String(vars[k]) : m; });
  }
  function $(el, sel) { return el.querySelector(sel); }
  function $$(el, sel) { return [].slice.call(el.querySelectorAll(sel)); }

  // --------------------------------------------------------------------------------------------- state
  var seen = pages.map(function () { return false; });
  var entries = [];  // {q, att, resp} in the order first answered
  var byQ = {};
  var current = 0;

  function encode() {
    var hex = '';
    for (var i = 0; i < seen.length; i += 4) {
      var nib = 0;
      for (var j = 0; j < 4 && i + j < seen.length; j++) { if (seen[i + j]) { nib |= 1 << j; } }
      hex += nib.toString(16);
    }
    return JSON.stringify({ f: cfg.fingerprint, u: hex, q: entries.map(function (e) { return [e.q, e.att, e.resp]; }) });
  }

  function decode(text) {
    var data;
    try { data = JSON.parse(text); } catch (e) { return; }
    if (!data || data.f !== cfg.fingerprint) { return; }  // saved by another version of this SCO
    var hex = String(data.u || '');
    for (var i = 0; i < seen.length; i++) {
      var nib = parseInt(hex.charAt(i >> 2), 16);
      seen[i] = !isNaN(nib) && (nib & (1 << (i & 3))) !== 0;
    }
    (Array.isArray(data.q) ? data.q : []).forEach(function (row) {
      var qi = row && row[0];
      if (typeof qi !== 'number' || !questions[qi] || byQ[qi] || typeof row[2] !== 'string') { return; }
      var entry = { q: qi, att: Math.max(1, Math.min(MAX_ATTEMPTS_KEPT, Number(row[1]) || 1)), resp: row[2] };
      entries.push(entry);
      byQ[qi] = entry;
    });
  }

  // ------------------------------------------------------------------------------------------- answers
  function cleanText(value) {  // no control characters or lone surrogates: they would bloat suspend_data
    return value
      .replace(/[\u0000-\u001f\u007f]/g, ' ')
      .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(^|[^\ud800-\udbff])[\udc00-\udfff]/g, '$1 ')
      .replace(/\s+/g, ' ')
      .trim();
  }

  // A typed number in either convention: "1.200.000,5", "1,200,000.5", "40,5", "40.5". A single separator
  // followed by exactly three digits is read as the language's digit grouping ("1.500" is 1500 in Indonesian).
  function parseNumber(raw) {
    var s = raw.replace(/[\s\u00a0\u202f']/g, '').replace(/^\+/, '');
    if (!/^-?[0-9.,]*[0-9][0-9.,]*$/.test(s)) { return null; }
    var neg = s.charAt(0) === '-';
    if (neg) { s = s.slice(1); }
    var dots = s.split('.').length - 1;
    var commas = s.split(',').length - 1;
    if (dots && commas) {
      var dec = s.lastIndexOf('.') > s.lastIndexOf(',') ? '.' : ',';
      if (s.split(dec).length > 2) { return null; }
      s = s.split(dec === '.' ? ',' : '.').join('').replace(dec, '.');
    } else if (dots || commas) {
      var sep = dots ? '.' : ',';
      var at = s.indexOf(sep);
      var grouping = dots + commas > 1 ||
        (sep === cfg.groupSeparator && s.length - at - 1 === 3 && at > 0 && !/^0+$/.test(s.slice(0, at)));
      s = grouping ? s.split(sep).join('') : s.replace(sep, '.');
    }
    if (s.charAt(0) === '.') { s = '0' + s; }
    if (s.charAt(s.length - 1) === '.') { s = s.slice(0, -1); }
    s = s.replace(/^0+(?=\d)/, '');
    if (!/^\d+(\.\d+)?$/.test(s)) { return null; }
    var text = (neg && Number(s) !== 0 ? '-' : '') + s;
    return { value: Number(text), text: text };
  }

  function allowed(q) { return q.percent ? Math.abs(q.answer) * q.tolerance / 100 : q.tolerance; }

  function fold(text, caseSensitive) {
    var t = text.split(/\s+/).filter(Boolean).join(' ');
    return caseSensitive ? t : t.toUpperCase().toLowerCase();
  }

  function selectedIds(q, resp) {
    return resp === '' ? [] : resp.split(',').map(function (i) { return q.choices[Number(i)]; });
  }

  function isCorrect(q, resp) {
    if (q.kind === 'choice') {
      var chosen = selectedIds(q, resp).slice().sort().join(' ');
      return chosen === q.correct.slice().sort().join(' ');
    }
    if (q.kind === 'numeric') {
      var v = Number(resp);
      return isFinite(v) && Math.abs(v - q.answer) <= allowed(q) + 1e-12;
    }
    var given = fold(resp, q.caseSensitive);
    return q.answers.some(function (a) { return fold(a, q.caseSensitive) === given; });
  }

  function readForm(qi) {  // -> {resp} or {error}
    var q = questions[qi];
    var form = forms[qi];
    if (q.kind === 'choice') {
      var picked = [];
      if (q.widget === 'select') {
        var value = $(form, 'select').value;
        if (value !== '') { picked.push(q.choices.indexOf(value)); }
      } else {
        $$(form, 'input[data-choice-id]').forEach(function (input) {
          if (input.checked) { picked.push(q.choices.indexOf(input.value)); }
        });
      }
      return picked.length ? { resp: picked.join(',') } : { error: T.choose_answer };
    }
    var raw = $(form, 'input[type="text"]').value;
    if (q.kind === 'numeric') {
      if (!raw.trim()) { return { error: T.enter_answer }; }
      var n = parseNumber(raw);
      return n ? { resp: n.text.slice(0, cfg.limits.numeric) } : { error: fmt(T.not_a_number, { example: cfg.exampleNumber }) };
    }
    var text = cleanText(raw).slice(0, cfg.limits.text);
    return text ? { resp: text } : { error: T.enter_answer };
  }

  function fillForm(qi, resp) {
    var q = questions[qi];
    var form = forms[qi];
    if (q.kind === 'choice') {
      var ids = selectedIds(q, resp);
      if (q.widget === 'select') { $(form, 'select').value = ids[0] || ''; return; }
      $$(form, 'input[data-choice-id]').forEach(function (input) { input.checked = ids.indexOf(input.value) >= 0; });
      return;
    }
    var shown = q.kind === 'numeric' && cfg.decimalSeparator === ',' ? resp.replace('.', ',') : resp;
    $(form, 'input[type="text"]').value = shown;
  }

  function showNumber(value) {
    var text = String(Math.round(value * 100) / 100);
    return cfg.decimalSeparator === ',' ? text.replace('.', ',') : text;
  }

  // --------------------------------------------------------------------------------------- questions UI
  function isFinal(q, entry, correct) { return correct || (q.maxAttempts > 0 && entry.att >= q.maxAttempts); }

  function paint(qi) {
    var q = questions[qi];
    var form = forms[qi];
    var entry = byQ[qi];
    var attemptsEl = $(form, '[data-role="attempts"]');
    var feedback = $(form, '[data-role="feedback"]');
    var explanation = $(form, '[data-role="explanation"]');
    if (!entry) {
      attemptsEl.textContent = q.maxAttempts > 0 ? fmt(T.attempts_left, { n: q.maxAttempts }) : '';
      return;
    }
    var correct = isCorrect(q, entry.resp);
    var final = isFinal(q, entry, correct);
    var chosen = q.kind === 'choice' ? selectedIds(q, entry.resp) : [];

    feedback.className = 'feedback ' + (correct ? 'is-right' : 'is-wrong');
    feedback.textContent = correct ? T.correct : final ? T.incorrect : T.try_again;
    if (final && !correct && q.kind !== 'choice') {
      feedback.textContent += ' ' + fmt(T.correct_answer, { answer: q.kind === 'numeric' ? showNumber(q.answer) + (q.unit ? ' ' + q.unit : '') : q.answers[0] });
    }
    $$(form, '.choice').forEach(function (box) {
      var input = $(box, 'input');
      var right = q.correct.indexOf(input.value) >= 0;
      var picked = chosen.indexOf(input.value) >= 0;
      box.classList.toggle('is-right', (picked || final) && right);
      box.classList.toggle('is-wrong', picked && !right);
    });
    $$(form, '[data-hint-for]').forEach(function (hint) {
      hint.hidden = chosen.indexOf(hint.getAttribute('data-hint-for')) < 0;
    });
    // The explanation gives the answer away, so with attempts left after a wrong answer it waits.
    if (explanation) { explanation.hidden = !(final || q.maxAttempts === 0); }
    attemptsEl.textContent = q.maxAttempts > 0 && !correct
      ? (final ? T.no_attempts_left : fmt(T.attempts_left, { n: q.maxAttempts - entry.att })) : '';
    $$(form, 'input, select, button[data-action="submit"]').forEach(function (el) { el.disabled = final; });
  }

  function interactionRecord(q, resp) {
    var r = { id: q.id, type: q.interaction, weight: q.weight, correct: isCorrect(q, resp),
      patterns12: q.patterns12, patterns2004: q.patterns2004 };
    if (q.kind === 'choice') {
      var ids = selectedIds(q, resp);
      r.response12 = ids.join(',');
      r.response2004 = ids.join('[,]');
    } else if (q.kind === 'numeric') {
      r.response12 = resp;
      r.response2004 = /^-?\d{1,10}(\.\d{1,18})?$/.test(resp) ? resp : null;
    } else {
      r.response12 = resp.slice(0, 255);
      var bag = resp.split('[,]').join(', ').replace(/[{}]/g, '').slice(0, 250);
      r.response2004 = bag || null;
    }
    return r;
  }

  function submit(qi) {
    var q = questions[qi];
    var entry = byQ[qi];
    if (entry && isFinal(q, entry, isCorrect(q, entry.resp))) { return; }
    var read = readForm(qi);
    var feedback = $(forms[qi], '[data-role="feedback"]');
    if (read.error) {
      feedback.className = 'feedback is-wrong';
      feedback.textContent = read.error;
      return;
    }
    if (!entry) {
      entry = { q: qi, att: 0, resp: '' };
      entries.push(entry);
      byQ[qi] = entry;
    }
    entry.att = Math.min(MAX_ATTEMPTS_KEPT, entry.att + 1);
    entry.resp = read.resp;
    paint(qi);
    var n = entries.indexOf(entry);
    var count = lms.interactionCount();
    lms.interaction(n <= count ? n : count, interactionRecord(q, entry.resp));
    persist();
  }

  // -------------------------------------------------------------------------------------------- status
  function status() {
    var required = 0;
    var answered = 0;
    var weight = 0;
    var earned = 0;
    var scored = 0;
    var scoredAnswered = 0;
    questions.forEach(function (q, qi) {
      var entry = byQ[qi];
      if (q.required) { required++; if (entry) { answered++; } }
      if (q.scored) {
        scored++;
        weight += q.weight;
        if (entry) {
          scoredAnswered++;
          if (isCorrect(q, entry.resp)) { earned += q.weight; }
        }
      }
    });
    var seenCount = seen.filter(Boolean).length;
    var s = {
      completed: seen[last] && answered === required,
      passed: null,
      raw: null,
      progress: (seenCount + answered) / (pages.length + required),
      answered: answered,
      required: required
    };
    // The score is reported only once every graded question has an answer: an LMS that applies the mastery
    // score on exit would otherwise fail a learner who merely paused halfway.
    if (scored && scoredAnswered === scored) {
      s.raw = weight > 0 ? Math.round(10000 * earned / weight) / 100 : 100;
      s.passed = s.raw >= passMark * 100 - 1e-9;
    }
    return s;
  }

  function paintResults(s) {
    var box = document.querySelector('[data-role="results"]');
    if (!box) { return; }
    box.hidden = current !== last;
    var text = $(box, '[data-role="results-text"]');
    text.textContent = '';
    if (s.raw === null) {
      text.textContent = fmt(T.answered_of, { n: s.answered, total: s.required }) + (s.completed ? ' ' + T.finished : '');
      return;
    }
    text.appendChild(document.createTextNode(T.your_score + ': ' + showNumber(s.raw) + ' / 100. '));
    var verdict = document.createElement('strong');
    verdict.className = s.passed ? 'passed' : 'failed';
    verdict.textContent = s.passed ? T.passed : T.failed;
    text.appendChild(verdict);
    text.appendChild(document.createTextNode(' (' + T.pass_mark + ': ' + showNumber(passMark * 100) + ')'));
  }

  function persist() {
    var s = status();
    lms.save(cfg.pages[current], encode());
    lms.report(s);
    lms.commit();
    paintResults(s);
  }

  // ------------------------------------------------------------------------------------------ navigation
  function show(index, moveFocus) {
    current = Math.max(0, Math.min(last, index));
    pages.forEach(function (page, i) {
      page.classList.toggle('is-current', i === current);
      // A hidden page's video would go on playing out of sight.
      if (i !== current) { $$(page, 'video').forEach(function (video) { video.pause(); }); }
    });
    seen[current] = true;
    var position = fmt(T.page_of, { n: current + 1, total: pages.length });
    $$(document, '[data-role="position"]').forEach(function (el) { el.textContent = position; });
    $$(document, '[data-role="counter"]').forEach(function (el) {
      el.textContent = (current + 1) + ' / ' + pages.length;
      el.setAttribute('aria-label', position);
    });
    $$(document, '[data-action="prev"]').forEach(function (b) { b.disabled = current === 0; });
    $$(document, '[data-action="next"]').forEach(function (b) { b.disabled = current === last; });
    $$(document, '.toc a[data-page]').forEach(function (a) {
      if (Number(a.getAttribute('data-page')) === current) { a.setAttribute('aria-current', 'page'); } else { a.removeAttribute('aria-current'); }
    });
    if (moveFocus) {
      window.scrollTo(0, 0);
      var heading = $(pages[current], 'h2');
      if (heading) { heading.focus(); }
    }
    persist();
  }

  // ---------------------------------------------------------------------------------------------- video
  function playVideo(button) {
    var figure = button.closest('[data-video]');
    var note = $(figure, '[data-role="video-note"]');
    if (navigator.onLine === false) {
      note.textContent = T.video_offline;
      note.hidden = false;
      return;
    }
    var video = document.createElement('video');
    video.controls = true;
    video.setAttribute('playsinline', '');
    video.addEventListener('error', function () {
      note.textContent = T.video_error;
      note.hidden = false;
    });
    video.src = button.getAttribute('data-src');
    var track = button.getAttribute('data-track');
    if (track) {
      var t = document.createElement('track');
      t.kind = 'captions';
      t.src = track;
      t.srclang = cfg.language;
      t.label = T.transcript;
      t['default'] = true;
      video.appendChild(t);
    }
    button.parentNode.replaceChild(video, button);
    var playing = video.play();
    if (playing && playing.catch) { playing.catch(function () { /* autoplay refused: the controls remain */ }); }
    video.focus();
  }

  function markOffline() {  // only videos from elsewhere: a file of the package plays offline too
    $$(document, '[data-video="remote"]').forEach(function (figure) {
      var note = $(figure, '[data-role="video-note"]');
      if (navigator.onLine === false) {
        note.textContent = T.video_offline;
        note.hidden = false;
      } else if (note.textContent === T.video_offline) {
        note.hidden = true;
      }
    });
  }

  // ----------------------------------------------------------------------------------------------- start
  var connection = PamongScorm.connect(cfg.version, cfg.storageKey);
  var lms = connection.backend;
  var boot = connection.boot;
  var passMark = boot.passFraction !== null && boot.passFraction >= 0 && boot.passFraction <= 1 ? boot.passFraction : cfg.passMark;
  if (boot.suspend) { decode(boot.suspend); }
  questions.forEach(function (q, qi) {
    if (byQ[qi]) { fillForm(qi, byQ[qi].resp); }
    paint(qi);
  });
  if (lms.version === 'device') { document.querySelector('[data-role="device-note"]').hidden = false; }

  document.querySelector('.pager').hidden = pages.length < 2;
  document.addEventListener('click', function (event) {
    var target = event.target.closest ? event.target.closest('[data-action], .toc a[data-page]') : null;
    if (!target) { return; }
    var action = target.getAttribute('data-action');
    if (action === 'next') { show(current + 1, true); }
    else if (action === 'prev') { show(current - 1, true); }
    else if (action === 'hint') {
      var hidden = $$(target.parentNode, 'li[hidden]');
      if (hidden.length) { hidden[0].hidden = false; }
      if (hidden.length <= 1) { target.disabled = true; }
    } else if (action === 'play-video') { playVideo(target); }
    else if (target.hasAttribute('data-page')) {
      event.preventDefault();
      var details = target.closest('details');
      if (details) { details.open = false; }
      show(Number(target.getAttribute('data-page')), true);
    }
  });
  forms.forEach(function (form, qi) {
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      submit(qi);
    });
  });
  window.addEventListener('online', markOffline);
  window.addEventListener('offline', markOffline);
  markOffline();

  var finished = false;
  // pagehide, never unload: LMS frames forbid unload handlers and browsers drop work done in them.
  window.addEventListener('pagehide', function () {
    if (finished) { return; }
    finished = true;
    lms.save(cfg.pages[current], encode());
    lms.finish(status().completed);
  });
  document.addEventListener('visibilitychange', function () {
    if (document.visibilityState === 'hidden' && !finished) { lms.commit(); }
  });

  var start = cfg.pages.indexOf(boot.location);
  show(start >= 0 ? start : 0, false);
}());
