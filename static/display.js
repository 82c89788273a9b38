// /device/display (templates/device_display.html): counts the time left down and listens on
// the page's live channel (GET /device/display/events, Server-Sent Events), so the screen
// changes to "Approved", "Sign-in declined" or "expired" in place, without reloading. The
// outcomes are server-rendered <template>s: no wording lives here. Without this script the
// page has a "Check again" link; there is no automatic refresh (WCAG 2.2.1).
//
// Also "Add a device" (templates/account_pairing.html): while the pairing code waits for a
// device, checks the page in the background every 2 seconds, and shows what comes next
// (the approval question, or that the code expired) when it changes.
(function () {
  'use strict';

  var live = document.getElementById('tv-live');
  var outcome = document.getElementById('tv-outcome');
  if (!live || !outcome) {
    return;
  }
  var bar = live.querySelector('progress');
  var clock = live.querySelector('[data-clock]');
  var source = null;
  var timer = null;
  var finished = false;

  // Swaps the waiting screen for one outcome; the status region announces it.
  var show = function (name) {
    var template = document.getElementById('tv-' + name);
    if (finished || !template) {
      return;
    }
    finished = true;
    if (source) {
      source.close();
    }
    window.clearInterval(timer);
    live.remove();
    outcome.appendChild(template.content.cloneNode(true));
    document.title = outcome.querySelector('h1').textContent + ' · Usher';
  };

  // Relative to page load: the browser's clock may differ from the server's.
  var deadline = Date.now() + Number(live.dataset.secondsLeft) * 1000;
  var tick = function () {
    var left = Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
    bar.value = left;
    clock.textContent = Math.floor(left / 60) + ':' + String(left % 60).padStart(2, '0');
    if (left === 0) {
      window.clearInterval(timer);
      // The server has the last word (a decision in the last second): it sends `expired`
      // at expiry; this is only in case the channel is down.
      window.setTimeout(function () { show('expired'); }, 3000);
    }
  };
  timer = window.setInterval(tick, 1000);
  tick();

  if (!window.EventSource) {
    document.getElementById('tv-again').hidden = false;
    return;
  }
  source = new EventSource(live.dataset.events);
  ['approved', 'denied', 'expired'].forEach(function (name) {
    source.addEventListener(name, function () { show(name); });
  });
  source.addEventListener('error', function () {
    // CLOSED: refused for good (unknown code, too many attempts); otherwise the browser
    // reconnects by itself.
    if (source.readyState === EventSource.CLOSED && !finished) {
      document.getElementById('tv-again').hidden = false;
    }
  });
})();

(function () {
  'use strict';

  var wait = document.getElementById('pairing-wait');
  if (!wait || !window.fetch || !window.DOMParser) {
    return;
  }
  var scriptsOf = function (doc) {
    return Array.prototype.map.call(doc.querySelectorAll('script[src]'), function (script) {
      return script.getAttribute('src');
    });
  };
  var check = function () {
    window.fetch(wait.dataset.check, { credentials: 'same-origin', headers: { Accept: 'text/html' } })
      .then(function (response) {
        if (response.redirected) {
          // Signed out, or the pairing is gone: go where the server says.
          window.location.replace(response.url);
          return null;
        }
        return response.text();
      })
      .then(function (html) {
        if (html === null) {
          return;
        }
        var next = new DOMParser().parseFromString(html, 'text/html');
        var nextWait = next.getElementById('pairing-wait');
        var nextMain = next.querySelector('main');
        if (nextWait || !nextMain) {
          var bar = nextWait && nextWait.querySelector('progress');
          if (bar) {
            wait.querySelector('progress').value = bar.value;
          }
          window.setTimeout(check, 2000);
          return;
        }
        var have = scriptsOf(document);
        var missing = scriptsOf(next).some(function (src) { return have.indexOf(src) < 0; });
        if (missing) {
          // The question needs its own scripts (passkey proof); showing it has no side
          // effects, so load it as a page.
          window.location.reload();
          return;
        }
        // In place: the answer that ended the wait (an expired code) is not asked twice.
        document.querySelector('main').replaceChildren.apply(
          document.querySelector('main'),
          Array.prototype.slice.call(nextMain.childNodes).map(function (node) {
            return document.importNode(node, true);
          })
        );
        document.title = next.title;
        var heading = document.querySelector('main h1');
        if (heading) {
          heading.tabIndex = -1;
          heading.focus();
        }
      })
      .catch(function () {
        window.setTimeout(check, 2000);
      });
  };
  window.setTimeout(check, 2000);
})();
