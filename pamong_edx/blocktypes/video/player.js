/* video in the player: a remote file plays only when asked (and says so when offline); a video on a page that is
 * left stops. */
(function () {
  'use strict';
  var T = {};
  var language = '';

  function play(button) {
    var figure = button.closest('[data-video]');
    var note = figure.querySelector('[data-role="video-note"]');
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
      t.srclang = language;
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
    [].forEach.call(document.querySelectorAll('[data-video="remote"]'), function (figure) {
      var note = figure.querySelector('[data-role="video-note"]');
      if (navigator.onLine === false) {
        note.textContent = T.video_offline;
        note.hidden = false;
      } else if (note.textContent === T.video_offline) {
        note.hidden = true;
      }
    });
  }

  PamongPlayer.on('start', function (player) {
    T = player.strings;
    language = player.language;
    document.addEventListener('click', function (event) {
      var button = event.target.closest ? event.target.closest('[data-action="play-video"]') : null;
      if (button) { play(button); }
    });
    window.addEventListener('online', markOffline);
    window.addEventListener('offline', markOffline);
    markOffline();
  });
  PamongPlayer.on('page', function (shown) {  // a hidden page's video would go on playing out of sight
    [].forEach.call(document.querySelectorAll('.page [data-video] video'), function (video) {
      if (!shown.contains(video)) { video.pause(); }
    });
  });
}());
