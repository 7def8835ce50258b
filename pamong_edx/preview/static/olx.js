/* The "as Open edX" view: Submit (the server marks the answers by Open edX's rules), Hint and Show answer as
 * Open edX's problem buttons do, and the answer key (window.parent.PamongPreview turns it on and off). */
var PamongOlx = (function () {
  'use strict';

  var cfg = JSON.parse(document.getElementById('olx-settings').textContent);

  function submit(problem) {
    var body = new URLSearchParams();
    body.append('problem', problem.getAttribute('data-url-name'));
    [].forEach.call(problem.querySelectorAll('input, select'), function (input) {
      if ((input.type === 'radio' || input.type === 'checkbox') && !input.checked) { return; }
      if (input.name) { body.append(input.name, input.value); }
    });
    window.fetch(cfg.check, { method: 'POST', body: body }).then(function (r) { return r.json(); }).then(function (data) {
      Object.keys(data.results).forEach(function (name) {
        var status = problem.querySelector('[data-status-for="' + name + '"]');
        if (!status) { return; }
        var mark = data.results[name];
        status.className = 'response-status ' + (mark === true ? 'is-correct' : mark === false ? 'is-incorrect' : '');
        status.textContent = mark === true ? cfg.marks.correct : mark === false ? cfg.marks.incorrect : cfg.marks.ungraded;
      });
    });
  }

  function answerKey(on) {
    [].forEach.call(document.querySelectorAll('.xblock-problem'), function (problem) { keyIn(problem, on); });
  }

  function keyIn(problem, on) {
    (function () {
      problem.classList.toggle('preview-key', on);
      [].forEach.call(problem.querySelectorAll('.choice[data-correct]'), function (choice) {
        var input = choice.querySelector('input');
        if (on) { input.checked = choice.getAttribute('data-correct') === 'true'; }
      });
      [].forEach.call(problem.querySelectorAll('select.option-input'), function (select) {
        if (!on) { return; }
        [].forEach.call(select.options, function (option, i) {
          if (option.getAttribute('data-correct') === 'true') { select.selectedIndex = i; }
        });
      });
      [].forEach.call(problem.querySelectorAll('input[data-answers]'), function (input) {
        var plain = input.getAttribute('data-match').split(' ').indexOf('regexp') < 0;
        if (on && plain) { input.value = JSON.parse(input.getAttribute('data-answers'))[0]; }
      });
      [].forEach.call(problem.querySelectorAll('.answer-key'), function (el) { el.hidden = !on; });
    }());
  }

  document.addEventListener('click', function (event) {
    var button = event.target.closest ? event.target.closest('[data-olx]') : null;
    if (!button) { return; }
    var problem = button.closest('.xblock-problem');
    if (button.getAttribute('data-olx') === 'submit') {
      submit(problem);
    } else if (button.getAttribute('data-olx') === 'hint') {
      var next = problem.querySelector('.problem-hint[hidden]');
      if (next) { next.hidden = false; }
    } else {
      [].forEach.call(problem.querySelectorAll('.problem-solution'), function (el) { el.hidden = false; });
      keyIn(problem, true);
    }
  });

  document.addEventListener('DOMContentLoaded', function () {
    try {
      if (window.parent.PamongPreview && window.parent.PamongPreview.answerKeyOn()) { answerKey(true); }
    } catch (e) { /* opened on its own */ }
  });

  return { answerKey: answerKey };
}());
