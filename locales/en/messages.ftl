# Message pages (web::message) and error pages (web::error): what happened, and what to
# do next. "msg-action-*" and "error-action-*" label the one link on.

msg-action-enter-code = Enter a code
msg-action-sign-in-another = Sign in another device
msg-action-enter-another = Enter another code
msg-action-sign-in-device = Sign in a device

## Success, after an approval: where to look next.
msg-approved-other-browser-title = The other browser is signed in
msg-approved-other-browser-text = The other browser is now signed in and continues on its own. You can close this page.
msg-approved-terminal-title = Terminal signed in
msg-approved-terminal-text = Your terminal is signed in. You can go back to it and close this page.
msg-approved-device-title = Device signed in
msg-approved-tv-text = You're signed in on your TV. You can go back to your TV.
msg-approved-device-text = You're signed in on your device. You can go back to your device.

msg-denied-title = Request denied
msg-denied-text = The device was not signed in and cannot use your account. If you did not start this, there is nothing else to do. If it was a mistake, start again on the device to get a new code.

msg-signed-out-title = Signed out
msg-signed-out-text = You are signed out of Usher on this browser.

# $wait: a duration such as "8 minutes" (remaining-minutes).
msg-try-again-in = Try again in <strong>{ $wait }</strong>.
# Followed by the request's reference code, for the administrator.
msg-reference = Reference:

## Errors.
error-action-your-devices = Your devices
error-action-enter-the-new-code = Enter the new code
error-action-enter-a-new-code = Enter a new code

error-form-title = Something went wrong with the form
error-form-text = The form could not be read. Go back, reload the page and try again.
error-csrf-title = Your form expired
error-csrf-text = The page was open for a long time, or the form came from another site. Nothing was changed. Start again from the page before.
error-too-many-title = Too many attempts
error-too-many-text = To protect your account, signing in is paused for a while. Nothing you type now can work, even the right password or code.
error-expired-code-title = Code expired
error-expired-code-text = This code has expired: codes work for a few minutes only. On your device, start signing in again to get a new code, then enter it here.
error-code-used-title = Code already used
error-code-used-text = This code was already used, so its device is probably signed in: check the device. If it still asks you to sign in, start again on the device to get a new code.
error-pairing-bound-title = Approve it on the other screen
error-pairing-bound-text = This device is being added from a signed-in browser. Approve it on the "Add a device" page where its pairing code was shown.
error-not-waiting-title = Nothing to approve
error-not-waiting-text = This request is no longer waiting: it was already answered, or it expired. Check your device: if it is signed in, you are done. If not, start again on the device to get a new code.
error-device-not-found-title = Device not found
error-device-not-found-text = This device is not signed in to your account. It may have been signed out already.
error-not-found-title = Page not found
error-not-found-text = There is no page at this address. Check the address shown on your device, or enter the device's code here.
# An authorization (or sign-out) request that cannot be trusted; the text says why.
error-bad-link-title = This sign-in link is not valid
error-internal-title = Something went wrong
error-internal-text = Something went wrong on our side. Nothing you did caused it. Try again in a moment; if it keeps happening, tell your administrator the reference below.
