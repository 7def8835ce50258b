/* What the three choice types do in the player. A response is the positions of the chosen choices in the order
 * the author wrote them (`q.choices`), comma-separated: stable whatever order a shuffle shows. It is reported to
 * the LMS by each choice's SCORM identifier (`rid`), which the exporter made valid for the package's version. */
var PamongChoices = (function () {
  'use strict';

  function inputs(form) { return [].slice.call(form.querySelectorAll('[data-choice-index]')); }
  function picked(resp) { return resp === '' ? [] : resp.split(',').map(Number); }

  function make() {
    return {
      read: function (form, q) {
        var chosen = [];
        var select = form.querySelector('select');
        if (select) {
          if (select.value !== '') { chosen.push(Number(select.value)); }
        } else {
          [].forEach.call(form.querySelectorAll('input[data-choice-id]'), function (input) {
            if (input.checked) { chosen.push(Number(input.value)); }
          });
        }
        chosen.sort(function (a, b) { return a - b; });
        return chosen.length ? { resp: chosen.join(',') } : { error: PamongChoices.strings.choose_answer };
      },

      fill: function (form, q, resp) {
        var chosen = picked(resp);
        var select = form.querySelector('select');
        if (select) { select.value = chosen.length ? String(chosen[0]) : ''; return; }
        [].forEach.call(form.querySelectorAll('input[data-choice-id]'), function (input) {
          input.checked = chosen.indexOf(Number(input.value)) >= 0;
        });
      },

      score: function (q, resp) {
        return picked(resp).join(',') === q.correct.join(',') ? 1 : 0;
      },

      paint: function (form, q, state) {
        var chosen = picked(state.resp);
        [].forEach.call(form.querySelectorAll('.choice'), function (box) {
          var i = Number(box.getAttribute('data-choice-index'));
          var right = q.correct.indexOf(i) >= 0;
          var mine = chosen.indexOf(i) >= 0;
          box.classList.toggle('is-right', (mine || (state.final && state.reveal)) && right);
          box.classList.toggle('is-wrong', mine && !right);
        });
        [].forEach.call(form.querySelectorAll('[data-hint-for]'), function (hint) {
          hint.hidden = chosen.indexOf(Number(hint.getAttribute('data-hint-for'))) < 0;
        });
      },

      answer: function (q) {  // a select list cannot highlight its right option: name it
        if (!q.select) { return ''; }
        return q.correct.map(function (i) { return q.choices[i].text; }).join(', ');
      },

      response: function (q, resp, version) {
        var ids = picked(resp).map(function (i) { return q.choices[i].rid; });
        return ids.join(version === '1.2' ? ',' : '[,]');
      },

      // This attempt's order: the free choices shuffled, each fixed choice kept where it was written.
      arrange: function (form, q, random) {
        if (!q.shuffle) { return; }
        var items = inputs(form).sort(function (a, b) {
          return Number(a.getAttribute('data-choice-index')) - Number(b.getAttribute('data-choice-index'));
        });
        var free = items.filter(function (el, i) { return !q.choices[i].fixed; });
        for (var i = free.length - 1; i > 0; i--) {
          var j = Math.floor(random() * (i + 1));
          var swap = free[i]; free[i] = free[j]; free[j] = swap;
        }
        var parent = items[0].parentNode;
        var anchor = items[items.length - 1].nextSibling;
        var next = 0;
        items.forEach(function (el, i) {
          parent.insertBefore(q.choices[i].fixed ? el : free[next++], anchor);
        });
      }
    };
  }

  var exported = { make: make, strings: {} };
  PamongPlayer.on('start', function (player) { exported.strings = player.strings; });
  return exported;
}());
