/* text_answer in the player: compared ignoring case and runs of spaces (unless case sensitive). */
(function () {
  'use strict';
  var T = {};

  function clean(value) {  // no control characters or lone surrogates: they would bloat suspend_data
    return value
      .replace(/[\u0000-\u001f\u007f]/g, ' ')
      .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(^|[^\ud800-\udbff])[\udc00-\udfff]/g, '$1 ')
      .replace(/\s+/g, ' ')
      .trim();
  }
  function fold(text, caseSensitive) {
    var t = text.split(/\s+/).filter(Boolean).join(' ');
    return caseSensitive ? t : t.toUpperCase().toLowerCase();
  }

  PamongPlayer.register('text_answer', {
    read: function (form, q) {
      var text = clean(form.querySelector('input[type="text"]').value).slice(0, q.maxLength);
      return text ? { resp: text } : { error: T.enter_answer };
    },
    fill: function (form, q, resp) { form.querySelector('input[type="text"]').value = resp; },
    score: function (q, resp) {
      var given = fold(resp, q.caseSensitive);
      return q.answers.some(function (a) { return fold(a, q.caseSensitive) === given; }) ? 1 : 0;
    },
    paint: function () {},
    answer: function (q) { return q.answers[0]; },
    response: function (q, resp, version) {
      if (version === '1.2') { return resp.slice(0, 255); }
      var item = resp.split('[,]').join(', ').replace(/^\{+/, '').slice(0, 250).trim();
      return item || null;
    }
  });
  PamongPlayer.on('start', function (player) { T = player.strings; });
}());
