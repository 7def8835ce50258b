/* pamong-edx player: pages, questions, scoring and tracking for one SCO. Reads its settings from the
 * #pamong-config JSON the exporter writes; talks to the LMS only through PamongScorm (adapter.js).
 *
 * Question types are plugins: each type's script (packaged only when the course uses it) registers
 *   PamongPlayer.register(type, {
 *     read(form, q) -> {resp: string} | {error: string}   the learner's answer from the form
 *     fill(form, q, resp)                                  put a stored answer back into the form
 *     score(q, resp) -> 0..1                               the fraction of the question's weight earned
 *     paint(form, q, state)                                show right/wrong on the type's own elements;
 *                                                          state = {resp, final, correct, reveal}
 *     answer(q) -> string                                  the right answer as text ('' when paint shows it)
 *     response(q, resp, version) -> string | null          the SCORM learner response (null: none fits)
 *     arrange(form, q, random)                             optional: this attempt's order (random() in [0,1))
 *   });
 * and any block may listen: PamongPlayer.on('start', fn({strings, language})) once the page is ready,
 * on('page', fn(pageElement))
 * when a page is shown. The core below names no type.
 *
 * Saved state (cmi.suspend_data) is compact JSON, {"f": fingerprint, "t": saved at (ms), "r": the attempt's
 * random seed, "u": seen pages as hex bits, "q": [[question index, attempts, response], ...] in the order first
 * answered}. The position of a question in "q" is its cmi.interactions index. The seed decides each shuffle and
 * each pool's draw, so a resumed attempt looks as it did; a new attempt draws a new seed.
 * exporters/scorm_runtime.py builds the largest possible state with the same layout to check it fits SCORM 1.2's
 * 4,096 characters.
 *
 * The state is written to this browser (localStorage, per course, SCO and learner) before it is sent. When the
 * LMS refuses a Commit, or the page is closed before it could send, a note says the answers are kept on this
 * device only, and the next launch restores whichever state is newer and sends it. */
var PamongPlayer = (function () {
  'use strict';

  var types = {};
  var listeners = { start: [], page: [] };

  function register(name, impl) { types[name] = impl; }
  function on(event, fn) { (listeners[event] = listeners[event] || []).push(fn); }
  function emit(event, arg) { (listeners[event] || []).forEach(function (fn) { fn(arg); }); }

  // A small seeded generator (mulberry32): the same seed gives the same shuffles and draws on every launch.
  function generator(seed) {
    var a = seed >>> 0;
    return function () {
      a = (a + 0x6D2B79F5) >>> 0;
      var t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }
  function hash(text) {
    var h = 2166136261;
    for (var i = 0; i < text.length; i++) { h = Math.imul(h ^ text.charCodeAt(i), 16777619); }
    return h >>> 0;
  }
  function newSeed() {
    try {
      var word = new Uint32Array(1);
      window.crypto.getRandomValues(word);
      return word[0];
    } catch (e) {
      return Math.floor(Math.random() * 4294967296);
    }
  }

  function start() {
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
    function impl(qi) { return types[questions[qi].type]; }

    // ------------------------------------------------------------------------------------------- state
    var seen = pages.map(function () { return false; });
    var entries = [];  // {q, att, resp} in the order first answered
    var byQ = {};
    var seed = 0;
    var savedAt = 0;
    var current = 0;
    var active = questions.map(function () { return true; });  // drawn in this attempt (pools draw some)

    function encode() {
      var hex = '';
      for (var i = 0; i < seen.length; i += 4) {
        var nib = 0;
        for (var j = 0; j < 4 && i + j < seen.length; j++) { if (seen[i + j]) { nib |= 1 << j; } }
        hex += nib.toString(16);
      }
      return JSON.stringify({ f: cfg.fingerprint, t: savedAt, r: seed, u: hex,
        q: entries.map(function (e) { return [e.q, e.att, e.resp]; }) });
    }

    // A saved state, read (not yet applied); null when it is not one of this SCO.
    function decode(text) {
      var data;
      try { data = JSON.parse(text); } catch (e) { return null; }
      if (!data || data.f !== cfg.fingerprint || typeof data.r !== 'number') { return null; }
      var state = { t: Number(data.t) || 0, r: data.r >>> 0, u: String(data.u || ''), q: [] };
      var taken = {};
      (Array.isArray(data.q) ? data.q : []).forEach(function (row) {
        var qi = row && row[0];
        if (typeof qi !== 'number' || !questions[qi] || taken[qi] || typeof row[2] !== 'string') { return; }
        taken[qi] = true;
        state.q.push({ q: qi, att: Math.max(1, Math.min(MAX_ATTEMPTS_KEPT, Number(row[1]) || 1)), resp: row[2] });
      });
      return state;
    }

    function apply(state) {
      seed = state.r;
      savedAt = state.t;
      for (var i = 0; i < seen.length; i++) {
        var nib = parseInt(state.u.charAt(i >> 2), 16);
        seen[i] = !isNaN(nib) && (nib & (1 << (i & 3))) !== 0;
      }
      state.q.forEach(function (entry) { entries.push(entry); byQ[entry.q] = entry; });
    }

    // ------------------------------------------------------------------------------- the attempt's draw
    function arrange() {
      (cfg.pools || []).forEach(function (pool) {
        var random = generator(seed ^ hash('pool:' + pool.id));
        var order = pool.questions.slice();
        for (var i = order.length - 1; i > 0; i--) {
          var j = Math.floor(random() * (i + 1));
          var swap = order[i]; order[i] = order[j]; order[j] = swap;
        }
        var drawn = order.slice(0, pool.draw);
        pool.questions.forEach(function (qi) {
          active[qi] = drawn.indexOf(qi) >= 0;
          forms[qi].hidden = !active[qi];
        });
        // the drawn questions in the drawn order
        var holder = forms[pool.questions[0]].parentNode;
        var after = forms[pool.questions[pool.questions.length - 1]].nextSibling;
        drawn.forEach(function (qi) { holder.insertBefore(forms[qi], after); });
      });
      questions.forEach(function (q, qi) {
        var type = impl(qi);
        if (type.arrange) { type.arrange(forms[qi], q, generator(seed ^ hash('question:' + q.id))); }
      });
      var n = 0;
      $$(document, 'form.problem').forEach(function (form) {
        var qi = Number(form.getAttribute('data-q'));
        if (active[qi]) { $(form, '.q-label').textContent = fmt(T.question_n, { n: ++n }); }
      });
    }

    // ------------------------------------------------------------------------------------- questions UI
    function score(qi, resp) { return Math.max(0, Math.min(1, Number(impl(qi).score(questions[qi], resp)) || 0)); }
    function isCorrect(qi, resp) { return score(qi, resp) >= 1 - 1e-9; }
    function isFinal(q, entry, correct) { return correct || (q.maxAttempts > 0 && entry.att >= q.maxAttempts); }

    // When answers and explanations show: the sequential's answer policy.
    function revealed(qi, entry, final) {
      var policy = questions[qi].reveal;
      if (policy === 'never' || !entry) { return false; }
      if (policy === 'always') { return true; }
      if (policy === 'after_passing') { return status().passed === true; }
      return final;
    }

    function paint(qi) {
      var q = questions[qi];
      var form = forms[qi];
      var entry = byQ[qi];
      var attemptsEl = $(form, '[data-role="attempts"]');
      var feedback = $(form, '[data-role="feedback"]');
      var explanation = $(form, '[data-role="explanation"]');
      if (!entry) {
        attemptsEl.textContent = q.maxAttempts > 0 ? fmt(T.attempts_left, { n: q.maxAttempts }) : '';
        if (explanation) { explanation.hidden = true; }
        return;
      }
      var correct = isCorrect(qi, entry.resp);
      var final = isFinal(q, entry, correct);
      var reveal = revealed(qi, entry, final);
      feedback.className = 'feedback ' + (correct ? 'is-right' : 'is-wrong');
      feedback.textContent = correct ? T.correct : final ? T.incorrect : T.try_again;
      var answer = final && !correct && reveal ? impl(qi).answer(q) : '';
      if (answer) { feedback.textContent += ' ' + fmt(T.correct_answer, { answer: answer }); }
      impl(qi).paint(form, q, { resp: entry.resp, final: final, correct: correct, reveal: reveal });
      if (explanation) { explanation.hidden = !reveal; }
      attemptsEl.textContent = q.maxAttempts > 0 && !correct
        ? (final ? T.no_attempts_left : fmt(T.attempts_left, { n: q.maxAttempts - entry.att })) : '';
      $$(form, 'input, select, textarea, button[data-action="submit"], [data-answer]').forEach(function (el) {
        el.disabled = final;
      });
    }

    function interactionRecord(qi, resp) {
      var q = questions[qi];
      var ia = q.interaction;
      return { id: q.id, type: ia.type, weight: q.weight, correct: isCorrect(qi, resp), patterns: ia.patterns,
        response: impl(qi).response(q, resp, lms.version), objective: ia.objective || '',
        description: lms.version === '2004' ? describe(qi) : '' };
    }

    // 2004's interaction description: the question as the page shows it, in plain text. It is a localized
    // string, so it may not start with '{', and the spec and Moodle keep 250 characters of it.
    function describe(qi) {
      var question = $(forms[qi], '.question');
      var text = (question ? question.textContent : '').replace(/\s+/g, ' ').trim().replace(/^\{+/, '');
      return text.length > 250 ? text.slice(0, 249).replace(/\s+$/, '') + '\u2026' : text;
    }

    function report(qi) {
      var n = entries.indexOf(byQ[qi]);
      var count = lms.interactionCount();
      lms.interaction(n <= count ? n : count, interactionRecord(qi, byQ[qi].resp));
    }

    function submit(qi) {
      var q = questions[qi];
      var entry = byQ[qi];
      if (!active[qi] || (entry && isFinal(q, entry, isCorrect(qi, entry.resp)))) { return; }
      var read = impl(qi).read(forms[qi], q);
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
      paintAll();  // passing the test may reveal the other answers
      report(qi);
      persist();
    }

    function paintAll() { questions.forEach(function (q, qi) { paint(qi); }); }

    // ------------------------------------------------------------------------------------------ status
    function status() {
      var required = 0;
      var answered = 0;
      var weight = 0;
      var earned = 0;
      var scored = 0;
      var scoredAnswered = 0;
      questions.forEach(function (q, qi) {
        if (!active[qi]) { return; }
        var entry = byQ[qi];
        if (q.required) { required++; if (entry) { answered++; } }
        if (q.scored) {
          scored++;
          weight += q.weight;
          if (entry) {
            scoredAnswered++;
            earned += q.weight * score(qi, entry.resp);
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

    function showNumber(value) {
      var text = String(Math.round(value * 100) / 100);
      return cfg.decimalSeparator === ',' ? text.replace('.', ',') : text;
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

    // Kept on this device first, then sent; the note says when the LMS has not taken it.
    function persist() {
      var s = status();
      savedAt = Math.max(Date.now(), savedAt + 1);
      var state = encode();
      var location = cfg.pages[current];
      connection.local.write({ t: savedAt, l: location, s: state, sent: false });
      lms.save(location, state);
      lms.report(s);
      if (lms.commit()) { connection.local.sent(savedAt); }
      paintResults(s);
      paintNote();
    }

    function paintNote() {
      var note = document.querySelector('[data-role="device-note"]');
      if (lms.version === 'device') {
        note.textContent = T.saved_on_device;
        note.hidden = false;
        return;
      }
      var pending = connection.local.pending();
      note.textContent = pending ? T.not_yet_sent : '';
      note.hidden = !pending;
    }

    // ------------------------------------------------------------------------------------------ navigation
    function show(index, moveFocus) {
      current = Math.max(0, Math.min(last, index));
      pages.forEach(function (page, i) { page.classList.toggle('is-current', i === current); });
      emit('page', pages[current]);
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

    // ----------------------------------------------------------------------------------------------- start
    var connection = PamongScorm.connect(cfg.version, cfg.storageKey);
    var lms = connection.backend;
    var boot = connection.boot;
    var passMark = boot.passFraction !== null && boot.passFraction >= 0 && boot.passFraction <= 1 ? boot.passFraction : cfg.passMark;

    // The newer of what the LMS holds and what this device kept but could not send.
    var fromLms = decode(boot.suspend);
    var kept = connection.local.read();
    var fromDevice = kept && !kept.sent ? decode(kept.s) : null;
    var restored = !!(fromDevice && (!fromLms || fromDevice.t > fromLms.t));
    var location = boot.location;
    if (restored) {
      apply(fromDevice);
      location = kept.l;
    } else if (fromLms) {
      apply(fromLms);
    } else {
      seed = newSeed();
    }
    arrange();
    questions.forEach(function (q, qi) {
      if (byQ[qi]) { impl(qi).fill(forms[qi], q, byQ[qi].resp); }
    });
    paintAll();
    if (restored) {  // what the LMS missed: every answer again, then the state (show() sends it)
      entries.forEach(function (entry) { report(entry.q); });
    }

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
      } else if (target.hasAttribute('data-page')) {
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

    var finished = false;
    // pagehide, never unload: LMS frames forbid unload handlers and browsers drop work done in them.
    window.addEventListener('pagehide', function () {
      if (finished) { return; }
      finished = true;
      var s = status();
      connection.local.write({ t: savedAt, l: cfg.pages[current], s: encode(), sent: false });
      lms.save(cfg.pages[current], encode());
      lms.finish(s.completed);  // session time and exit first, then the final Commit, then Terminate
      if (lms.committed) { connection.local.sent(savedAt); }
    });
    document.addEventListener('visibilitychange', function () {
      if (document.visibilityState === 'hidden' && !finished && lms.commit()) { connection.local.sent(savedAt); }
    });

    emit('start', { strings: T, language: cfg.language });
    var startAt = cfg.pages.indexOf(location);
    show(startAt >= 0 ? startAt : 0, false);
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    setTimeout(start, 0);
  }
  return { register: register, on: on, type: function (name) { return types[name]; } };
}());
