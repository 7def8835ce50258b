/* numerical in the player. The learner types a number as people write it: in the course language's convention
 * first (Indonesian 40,25 and 1.500.000), else the other one (40.25, 1,500,000), with the unit before or after
 * (30%, 30 %, Rp 1.500.000) and leading zeros when not grouped (07). numbers.py holds the same grammar and the
 * Open edX pattern built from it. The stored response is the number in plain digits ("1500000", "40.25"), compared
 * exactly (as decimal strings) with the range. */
(function () {
  'use strict';
  var T = {};

  function escape(text) { return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'); }

  function parse(raw, q) {
    var s = raw.split(/\s+/).filter(Boolean).join(' ');
    if (q.unit) {
      var u = escape(q.unit);
      s = s.replace(new RegExp('^' + u + '\\s*|\\s*' + u + '$', 'i'), '');
    }
    var sign = '';
    if (s.charAt(0) === '-' || s.charAt(0) === '+') { sign = s.charAt(0) === '-' ? '-' : ''; s = s.slice(1); }
    var conventions = [[q.decimal, q.group], q.decimal === ',' ? ['.', ','] : [',', '.']];
    for (var i = 0; i < conventions.length; i++) {
      var d = escape(conventions[i][0]);
      var g = escape(conventions[i][1]);
      var m = new RegExp('^([0-9]+|[1-9][0-9]{0,2}(?:' + g + '[0-9]{3})+)(?:' + d + '([0-9]+))?$').exec(s);
      if (m) { return normal(sign, m[1].split(conventions[i][1]).join(''), m[2] || ''); }
    }
    return null;
  }

  function normal(sign, whole, frac) {  // "-", "007", "500" -> "-7.5"
    whole = whole.replace(/^0+(?=[0-9])/, '');
    frac = frac.replace(/0+$/, '');
    var text = whole + (frac ? '.' + frac : '');
    return (sign && text !== '0' ? '-' : '') + text;
  }

  // Exact comparison of plain decimal strings.
  function compare(a, b) {
    var na = a.charAt(0) === '-';
    var nb = b.charAt(0) === '-';
    if (na !== nb) { return na ? -1 : 1; }
    var pa = (na ? a.slice(1) : a).split('.');
    var pb = (nb ? b.slice(1) : b).split('.');
    var ia = pa[0].replace(/^0+(?=[0-9])/, '');
    var ib = pb[0].replace(/^0+(?=[0-9])/, '');
    var fa = pa[1] || '';
    var fb = pb[1] || '';
    var width = Math.max(fa.length, fb.length);
    fa += new Array(width - fa.length + 1).join('0');
    fb += new Array(width - fb.length + 1).join('0');
    var r = ia.length !== ib.length ? (ia.length < ib.length ? -1 : 1)
      : ia + fa < ib + fb ? -1 : ia + fa > ib + fb ? 1 : 0;
    return na ? -r : r;
  }

  function fits2004(text) { return /^-?[0-9]{1,5}(\.[0-9]{1,18})?$/.test(text); }

  var numerical = {
    parse: parse,
    read: function (form, q) {
      var raw = form.querySelector('input[type="text"]').value;
      if (!raw.trim()) { return { error: T.enter_answer }; }
      var value = parse(raw, q);
      if (value === null || value.length > q.maxLength) {
        return { error: T.not_a_number.replace('{example}', q.example) };
      }
      return { resp: value };
    },
    fill: function (form, q, resp) {
      form.querySelector('input[type="text"]').value = q.decimal === ',' ? resp.replace('.', ',') : resp;
    },
    score: function (q, resp) { return compare(resp, q.lo) >= 0 && compare(resp, q.hi) <= 0 ? 1 : 0; },
    paint: function () {},
    answer: function (q) { return q.answerText + (q.unit ? ' ' + q.unit : ''); },
    response: function (q, resp, version) {
      if (version === '2004' && q.interaction.type === 'numeric' && !fits2004(resp)) { return null; }
      return resp;
    }
  };
  PamongPlayer.register('numerical', numerical);
  PamongPlayer.on('start', function (player) { T = player.strings; });
}());
