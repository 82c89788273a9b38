// The QR pages (templates/qr_countdown.html): animates the time-left bar and, on the QR
// sign-in page, listens on the live channel so the page moves on the moment the phone
// decides. The pages work without this script: the server renders the bar and a
// <meta http-equiv="refresh"> re-checks.
(function () {
  'use strict';

  var box = document.getElementById('qr-countdown');
  if (box) {
    var bar = box.querySelector('progress');
    var clock = box.querySelector('[data-clock]');
    // Relative to page load: the browser's clock may differ from the server's.
    var deadline = Date.now() + Number(box.dataset.secondsLeft) * 1000;
    var timer;
    var tick = function () {
      var left = Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
      bar.value = left;
      clock.textContent = Math.floor(left / 60) + ':' + String(left % 60).padStart(2, '0');
      if (left === 0) {
        window.clearInterval(timer);
        // The server has the last word, and offers a new code.
        window.setTimeout(function () { window.location.reload(); }, 500);
      }
    };
    timer = window.setInterval(tick, 1000);
    tick();
  }

  var live = document.getElementById('qr-live');
  if (live && window.EventSource) {
    var source = new EventSource(live.dataset.events);
    var moveOn = function () {
      source.close();
      window.location.replace(live.dataset.next);
    };
    ['approved', 'denied', 'expired'].forEach(function (name) {
      source.addEventListener(name, moveOn);
    });
  }
})();
