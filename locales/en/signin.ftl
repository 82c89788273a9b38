# Signing in: the sign-in page, the second step, QR sign-in, passkeys, sign-out, the
# authorization pages of web apps and the code-entry lock-out.
# Messages with markup (<strong>, <a>, <span data-clock>) keep their tags; $-values are
# escaped by the page.

## The sign-in page (/login)
signin-title = Sign in
signin-purpose-app = Sign in to continue to <strong>{ $app }</strong>.
signin-purpose-device = Sign in to connect a device to <strong>{ $app }</strong>.
signin-purpose-other-browser = Sign in to continue to <strong>{ $app }</strong> on your other screen.
signin-purpose-account = Sign in to your account.
signin-purpose-device-code = Sign in to connect a device.
signin-step-up = This app asks you to confirm with a passkey or a one-time code.
signin-passkey-button = Sign in with a passkey
signin-or = or
signin-or-password = or use your password
signin-username = Username
signin-password = Password
signin-submit = Sign in
signin-wrong-credentials = Wrong username or password.

## "Sign in with QR code" on the sign-in page
signin-qr-button = Sign in with QR code
signin-qr-button-hint = Scan a code with a phone where you are already signed in.

## The second step (/login/otp)
signin-otp-title = Two-step verification
signin-otp-lead = Enter the 6-digit code from your authenticator app.
signin-otp-recovery-lead = Enter one of your recovery codes. Each code works once.
signin-otp-code = Code
signin-otp-recovery-code = Recovery code
signin-otp-use-app = Use your authenticator app
signin-otp-use-recovery = Use a recovery code
signin-otp-wrong-code = That code is not right. Enter the code your app shows now.
signin-continue = Continue

## The QR sign-in page (/login/qr)
signin-qr-title = Sign in with QR code
signin-qr-lead = Scan this code with a phone where you are signed in, to continue to <strong>{ $app }</strong>.
signin-qr-step-scan = Point your phone's camera at the code and open the link.
signin-qr-step-compare = Check that your phone shows the code <strong class="code">{ $code }</strong>.
signin-qr-step-approve = Approve. This page continues by itself.
# Shown only without JavaScript; the link reloads the page.
signin-qr-noscript = After you approve on your phone, this page continues within a few seconds. If it doesn't, <a href="{ $href }">check again</a>.
signin-qr-expired-title = This QR code has expired
signin-qr-expired-text = A sign-in code works for a few minutes only, and an expired code can't be used again. Get a new code to try again.
signin-qr-denied-title = Sign-in declined
signin-qr-denied-text = The sign-in was declined on the phone. This code can't be used again.
signin-qr-new-code = Show a new code
signin-qr-password-instead = Sign in with a password instead

## The QR code with its countdown (also on the TV display)
signin-qr-image-alt = QR code of the sign-in link for code { $code }
# $clock is the time left as m:ss; keep the <span data-clock> around it.
signin-qr-expires-in = Expires in <span data-clock>{ $clock }</span>
signin-qr-no-camera = No camera? Open <strong>{ $uri }</strong> on your phone and enter the code.

## Too many wrong device codes
signin-locked-out-title = Too many wrong codes
# $scope: "network" (this network), "session" (this browser) or "server" (everyone).
signin-locked-out-text = To protect people's accounts, code entry is paused { $scope ->
    [session] in this browser
    [server] for everyone for a moment
   *[network] for your network
}. Until then no code is accepted, not even the right one.
# $wait: a duration such as "8 minutes".
signin-locked-out-wait = Come back and try again in <strong>{ $wait }</strong>. Meanwhile, check the code on your device: if it has expired, start again there to get a new one.

## Sign-out asked by an application (/oauth2/logout)
signin-logout-title = Sign out
signin-logout-heading = Sign out of Usher?
signin-logout-asked-by = <strong>{ $app }</strong> asked to sign you out.
signin-logout-asked-by-unknown = An application asked to sign you out.
signin-logout-button = Sign out
signin-logout-stay = Stay signed in

## Returning to the application (form_post response)
signin-returning-title = Continuing
signin-returning-to = Returning to { $app }
signin-returning-to-unknown = Returning to the application
signin-returning-hint = If nothing happens, press Continue.

## A web app's consent page
signin-consent-title = Allow access
signin-consent-heading = <strong>{ $app }</strong> wants to sign you in as <strong>{ $user }</strong>
signin-consent-return-to = You will go back to <span class="code-inline">{ $host }</span>.
signin-consent-access = It will be able to
signin-consent-allow = Allow
signin-consent-deny = Deny
signin-consent-withdraw = You can withdraw this later on <a href="/account/consents">your account page</a>.

## Sign-in links that cannot be followed (under the title "This sign-in link is not valid")
signin-error-malformed-link = The sign-in link is malformed.
signin-error-repeated-parameter = The sign-in link repeats a parameter or holds characters it must not.
signin-error-no-client-id = The application did not say who it is (client_id is missing).
signin-error-unknown-client = This application is not registered here.
signin-error-unregistered-redirect = The application asked to send you to an address it has not registered.
signin-error-request-expired = This sign-in has expired. Go back to the application and start again.
signin-error-bad-logout-link = The sign-out link is not valid.

## Passkeys: refusals shown next to the passkey buttons
signin-passkey-signed-out = You are signed out. Sign in again and retry.
signin-passkey-unavailable = Passkeys are not available on this server.
signin-passkey-too-slow = That took too long. Please try again.
signin-passkey-unknown = This passkey is not registered here. It may have been removed.
signin-passkey-not-verified = Your passkey could not be verified. Unlock it with your fingerprint, face or PIN and try again.
signin-passkey-already-registered = This passkey is already registered.
signin-passkey-inactive = This account cannot sign in.
signin-passkey-server-error = Something went wrong on our side. Please try again in a moment.
signin-passkey-reconfirm = Confirm it's you first: enter your password again.
signin-passkey-none-yet = This account has no passkey yet.
signin-passkey-page-expired = This page expired. Reload it and try again.
signin-passkey-unreadable = The passkey response could not be read. Please try again.
# Said by the page's script: the browser gave up or the person cancelled.
signin-passkey-not-used = The passkey was not used. Try again, or use your password.
signin-passkey-failed = Something went wrong. Please try again.
