/* The LMS frame of one SCO in `pamong preview`. It does what an LMS does at launch: puts a SCORM 2004 API where
 * the package's adapter looks for it (this window, the SCO's parent), with the learner, the mode and the passing
 * score the manifest gives, then loads the SCO. The API is the strict runtime (strict_api.js): it refuses what
 * the specification or Moodle refuses and keeps what a Commit sends. What it holds is kept in this tab
 * (sessionStorage) so that a reload after an edit resumes the attempt, as an LMS resumes a suspended one, and
 * is shown by the preview page (window.parent.PamongPreview).
 *
 * The answer key fills each question with the response its type names as right (the server asked each type's
 * player renderer, `key`) through the type's own `fill`, as the player restores a saved answer. */
var PamongRun = (function () {
  'use strict';

  var cfg = JSON.parse(document.getElementById('run-settings').textContent);
  var store = 'pamong-preview:' + cfg.slug + ':' + cfg.sco + ':' + cfg.device;
  var saved = null;
  try { saved = JSON.parse(window.sessionStorage.getItem(store) || 'null'); } catch (e) { saved = null; }

  var cmi = {};
  if (saved) { Object.keys(saved).forEach(function (k) { cmi[k] = saved[k]; }); }
  cmi['cmi.learner_id'] = 'preview';
  cmi['cmi.learner_name'] = 'Preview, Pamong';
  cmi['cmi.mode'] = 'normal';
  cmi['cmi.credit'] = 'credit';
  cmi['cmi.entry'] = saved ? 'resume' : 'ab-initio';
  if (cfg.passing !== null) { cmi['cmi.scaled_passing_score'] = String(cfg.passing); }
  if (cfg.page) { cmi['cmi.location'] = cfg.page; }

  var api = new window.StrictScorm2004({ cmi: cmi });
  window.API_1484_11 = api;

  function shell() {
    try { return window.parent !== window && window.parent.PamongPreview ? window.parent.PamongPreview : null; }
    catch (e) { return null; }
  }

  var forgotten = false;  // "try as learner": this attempt is being thrown away

  function keep() {
    if (forgotten) { return; }
    try { window.sessionStorage.setItem(store, JSON.stringify(api.runtime.committed)); } catch (e) { /* full */ }
    var s = shell();
    if (s) { s.recorded(cfg.device, api.runtime.committed, api.runtime.refused); }
  }
  ['Commit', 'Terminate'].forEach(function (fn) {
    var original = api[fn];
    api[fn] = function (arg) {
      var result = original(arg);
      if (result === 'true') { keep(); }
      return result;
    };
  });

  function sco() { return document.getElementById('sco').contentWindow; }

  // Every question of the SCO with its right answer, through its type's script; a note where the type has none.
  function answerKey(on) {
    var win = sco();
    var doc = win.document;
    var configEl = doc.getElementById('pamong-config');
    if (!configEl || !win.PamongPlayer) { return 0; }
    var questions = JSON.parse(configEl.textContent).questions;
    var filled = 0;
    [].forEach.call(doc.querySelectorAll('form.problem'), function (form) {
      var qi = Number(form.getAttribute('data-q'));
      var q = questions[qi];
      var type = win.PamongPlayer.type(q.type);
      var old = form.querySelector('.preview-key-note');
      if (old) { old.parentNode.removeChild(old); }
      form.classList.toggle('preview-key', on);
      if (!on) { return; }
      var key = cfg.keys[qi];
      if (key === null || key === undefined || !type) {
        var note = doc.createElement('p');
        note.className = 'preview-key-note';
        note.textContent = cfg.strings.no_key;
        form.insertBefore(note, form.firstChild);
        return;
      }
      type.fill(form, q, key);
      filled++;
    });
    return filled;
  }

  function mark(blockId) {
    var doc = sco().document;
    var el = blockId ? doc.querySelector('[data-question-id="' + blockId.replace(/"/g, '') + '"]') : null;
    if (el) {
      el.style.outline = '3px solid #d97706';
      el.scrollIntoView({ block: 'center' });
    }
  }

  document.addEventListener('DOMContentLoaded', function () {
    var frame = document.getElementById('sco');
    frame.addEventListener('load', function () {
      var s = shell();
      if (s && s.answerKeyOn()) { answerKey(true); }
      mark(cfg.block);
      if (s) { s.recorded(cfg.device, api.runtime.committed, api.runtime.refused); s.loaded(cfg.device); }
    });
    frame.src = '/sco/' + encodeURI(cfg.href);
  });

  return { answerKey: answerKey, runtime: api.runtime, device: cfg.device,
    forget: function () { forgotten = true; } };
}());
