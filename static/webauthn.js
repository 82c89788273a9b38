// Passkeys (WebAuthn) on the sign-in page, the account security page and approvals.
// Talks to the JSON endpoints of src/web/passkey.rs with the page's CSRF token in
// X-CSRF-Token. Everything it drives is hidden until it runs: without JavaScript, or in a
// browser without WebAuthn, the pages show only their password forms.
//
//   [data-passkey-sign-in]   sign-in block (data-next), revealed; its [data-passkey-login]
//                            button signs in; the username field's autofill offers
//                            passkeys too (conditional mediation)
//   form[data-passkey-register]   "name it" + add a passkey
//   button[data-passkey-proof]    inside a form: a fresh passkey assertion, then the form
//                            is submitted with passkey_proof=1 (and the button's own
//                            name=value, as a submit button would send)
//   [data-passkey-error]     where a refusal is shown
//   [data-passkey-unsupported]  hidden when the browser supports passkeys
//   [data-passkey-demote]    a primary button made secondary once passkeys are offered
//
// The words it shows itself come from its own <script> element (data-not-used,
// data-already-registered, data-failed: templates/partials/webauthn_script.html), in the
// page's language; the server's refusals come translated in error_description.
(function () {
  'use strict';

  // Only while the script first runs does the document know which element loaded it.
  var script = document.currentScript;
  function say(name) {
    return (script && script.getAttribute('data-' + name)) || '';
  }

  if (!window.PublicKeyCredential || !navigator.credentials || !window.fetch) {
    return;
  }

  function toBase64url(buffer) {
    var bytes = new Uint8Array(buffer);
    var text = '';
    for (var i = 0; i < bytes.length; i++) {
      text += String.fromCharCode(bytes[i]);
    }
    return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }

  function fromBase64url(text) {
    var base64 = text.replace(/-/g, '+').replace(/_/g, '/');
    while (base64.length % 4) {
      base64 += '=';
    }
    var raw = atob(base64);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) {
      bytes[i] = raw.charCodeAt(i);
    }
    return bytes;
  }

  function csrfToken(element) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta) {
      return meta.getAttribute('content');
    }
    var form = element && element.closest ? element.closest('form') : null;
    var input = (form && form.querySelector('input[name="csrf"]')) ||
      document.querySelector('input[name="csrf"]');
    return input ? input.value : '';
  }

  function post(url, body, element) {
    return fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrfToken(element) },
      body: JSON.stringify(body || {})
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (json) {
        if (!response.ok) {
          var error = new Error(json.error_description || say('failed'));
          error.fromServer = true;
          throw error;
        }
        return json;
      });
    });
  }

  function creationOptions(json) {
    var options = json.publicKey;
    options.challenge = fromBase64url(options.challenge);
    options.user.id = fromBase64url(options.user.id);
    (options.excludeCredentials || []).forEach(function (c) { c.id = fromBase64url(c.id); });
    return { publicKey: options };
  }

  function requestOptions(json) {
    var options = json.publicKey;
    options.challenge = fromBase64url(options.challenge);
    (options.allowCredentials || []).forEach(function (c) { c.id = fromBase64url(c.id); });
    return { publicKey: options };
  }

  function registration(credential) {
    var extensions = credential.getClientExtensionResults ? credential.getClientExtensionResults() : {};
    return {
      id: credential.id,
      rawId: toBase64url(credential.rawId),
      type: credential.type,
      response: {
        attestationObject: toBase64url(credential.response.attestationObject),
        clientDataJSON: toBase64url(credential.response.clientDataJSON)
      },
      extensions: extensions.credProps ? { credProps: extensions.credProps } : {}
    };
  }

  function assertion(credential) {
    var response = credential.response;
    return {
      id: credential.id,
      rawId: toBase64url(credential.rawId),
      type: credential.type,
      response: {
        authenticatorData: toBase64url(response.authenticatorData),
        clientDataJSON: toBase64url(response.clientDataJSON),
        signature: toBase64url(response.signature),
        userHandle: response.userHandle ? toBase64url(response.userHandle) : null
      },
      extensions: {}
    };
  }

  // Words for a refusal: the server's own, or the browser's (cancelled, timed out, or the
  // authenticator could not verify the person).
  function words(error) {
    if (error && error.fromServer) {
      return error.message;
    }
    if (error && error.name === 'InvalidStateError') {
      return say('already-registered');
    }
    return say('not-used');
  }

  function showError(scope, error) {
    var target = (scope && scope.querySelector && scope.querySelector('[data-passkey-error]')) ||
      document.querySelector('[data-passkey-error]');
    if (target) {
      target.textContent = words(error);
      target.hidden = false;
    }
  }

  function reveal(selector) {
    Array.prototype.forEach.call(document.querySelectorAll(selector), function (element) {
      element.hidden = false;
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll('[data-passkey-unsupported]'), function (element) {
    element.hidden = true;
  });
  reveal('[data-passkey-sign-in]');
  // With the passkey offered first, the password form's button steps back: one primary
  // action per page.
  Array.prototype.forEach.call(document.querySelectorAll('[data-passkey-demote]'), function (element) {
    element.classList.remove('primary');
    element.classList.add('secondary');
  });
  reveal('form[data-passkey-register]');
  reveal('button[data-passkey-proof]');

  // Sign-in: one ceremony at a time. The autofill request waits in the background; the
  // button aborts it and waits for it to end before asking in a dialog.
  var signInBlock = document.querySelector('[data-passkey-sign-in]');
  var pending = null;
  var controller = null;

  function signIn(conditional) {
    if (controller) {
      controller.abort();
    }
    var previous = pending || Promise.resolve();
    var mine = new AbortController();
    controller = mine;
    pending = previous.catch(function () {}).then(function () {
      return post('/webauthn/login/options', {}, signInBlock);
    }).then(function (json) {
      var options = requestOptions(json);
      options.signal = mine.signal;
      if (conditional) {
        options.mediation = 'conditional';
      }
      return navigator.credentials.get(options);
    }).then(function (credential) {
      var next = signInBlock.getAttribute('data-next') || '';
      return post('/webauthn/login', { credential: assertion(credential), next: next }, signInBlock);
    }).then(function (json) {
      window.location.assign(json.next);
    });
    pending.catch(function (error) {
      if (mine.signal.aborted || (error && error.name === 'AbortError')) {
        return;
      }
      showError(signInBlock, error);
    });
    return pending;
  }

  if (signInBlock) {
    var button = signInBlock.querySelector('[data-passkey-login]');
    if (button) {
      button.addEventListener('click', function () { signIn(false); });
    }
    if (PublicKeyCredential.isConditionalMediationAvailable) {
      PublicKeyCredential.isConditionalMediationAvailable().then(function (available) {
        if (available && !pending) {
          signIn(true);
        }
      }).catch(function () {});
    }
  }

  Array.prototype.forEach.call(document.querySelectorAll('form[data-passkey-register]'), function (form) {
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      var scope = form.parentNode;
      var nameInput = form.querySelector('input[name="name"]');
      var name = nameInput ? nameInput.value : '';
      post('/webauthn/register/options', { name: name }, form).then(function (json) {
        return navigator.credentials.create(creationOptions(json));
      }).then(function (credential) {
        return post('/webauthn/register', { credential: registration(credential) }, form);
      }).then(function (json) {
        window.location.assign(json.next);
      }).catch(function (error) {
        showError(scope, error);
      });
    });
  });

  Array.prototype.forEach.call(document.querySelectorAll('button[data-passkey-proof]'), function (button) {
    button.addEventListener('click', function () {
      var form = button.closest('form');
      if (!form) {
        return;
      }
      var scope = form.parentNode;
      post('/webauthn/assert/options', {}, button).then(function (json) {
        return navigator.credentials.get(requestOptions(json));
      }).then(function (credential) {
        return post('/webauthn/assert', { credential: assertion(credential) }, button);
      }).then(function () {
        var fields = [['passkey_proof', '1']];
        if (button.name) {
          fields.push([button.name, button.value]);
        }
        fields.forEach(function (field) {
          var input = document.createElement('input');
          input.type = 'hidden';
          input.name = field[0];
          input.value = field[1];
          form.appendChild(input);
        });
        form.submit();
      }).catch(function (error) {
        showError(scope, error);
      });
    });
  });
})();
