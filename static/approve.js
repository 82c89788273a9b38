// The Approve/Deny form of the consent and pairing pages (templates/partials/decision_form.html).
// Without JavaScript the pages work the same, with a static "Expires in" and the server
// enforcing everything below on its own (web::consent, web::approval).
//
//   form[data-decision-form]   submitted once: a second tap is swallowed and the buttons
//                              are disabled, so a double tap is one decision
//   [data-approve-gate]        "The device is in front of me": Approve stays disabled
//                              until it is ticked (different network only)
//   [data-approve]             the Approve buttons it gates
//   time[data-expires-in]      seconds left, counted down as m:ss; at zero the Approve
//                              buttons are disabled and #expired-notice is shown
(function () {
  'use strict';

  function each(selector, root, fn) {
    Array.prototype.forEach.call((root || document).querySelectorAll(selector), fn);
  }

  var expired = false;

  function gateOpen() {
    var gate = document.querySelector('[data-approve-gate]');
    return !gate || gate.checked;
  }

  function updateApprove() {
    each('[data-approve]', null, function (button) {
      button.disabled = expired || !gateOpen();
    });
  }

  each('form[data-decision-form]', null, function (form) {
    var submitted = false;
    form.addEventListener('submit', function (event) {
      if (submitted) {
        event.preventDefault();
        return;
      }
      submitted = true;
      form.setAttribute('aria-busy', 'true');
      // After this turn, so the button that was pressed is still sent with the form.
      window.setTimeout(function () {
        each('button', form, function (button) { button.disabled = true; });
      }, 0);
    });
    // Back to this page from the history: it can be used again.
    window.addEventListener('pageshow', function (event) {
      if (event.persisted) {
        submitted = false;
        form.removeAttribute('aria-busy');
        each('button', form, function (button) { button.disabled = false; });
        updateApprove();
      }
    });
  });

  var gate = document.querySelector('[data-approve-gate]');
  if (gate) {
    gate.addEventListener('change', updateApprove);
  }
  updateApprove();

  each('time[data-expires-in]', null, function (time) {
    var seconds = parseInt(time.getAttribute('data-expires-in'), 10);
    if (isNaN(seconds)) {
      return;
    }
    var deadline = Date.now() + seconds * 1000;
    function tick() {
      var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
      var minutes = Math.floor(left / 60);
      var rest = left % 60;
      time.textContent = minutes + ':' + (rest < 10 ? '0' : '') + rest;
      time.setAttribute('datetime', 'PT' + left + 'S');
      if (left === 0) {
        expired = true;
        updateApprove();
        var notice = document.getElementById('expired-notice');
        if (notice) {
          notice.hidden = false;
        }
        return;
      }
      window.setTimeout(tick, 1000);
    }
    tick();
  });
})();
