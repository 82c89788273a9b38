# The account pages of a signed-in person (src/web/account/): devices, apps, security,
# the authenticator app, adding a device; and "Recent sign-ins and approvals".

account-nav-label = Your account
account-nav-devices = Devices
account-nav-apps = Apps
account-nav-security = Security

account-app = App
account-last-used = Last used
account-added = Added
account-cancel = Cancel
account-password = Password

## Devices (/account/devices). $username: the signed-in person.
account-devices-title = Your devices
account-devices-lead = Signed in as <strong><bdi>{ $username }</bdi></strong>. These devices and apps are signed in to your account. Sign out any you don't recognise.
account-add-device = Add a device
account-devices-none = No device is signed in to your account.
account-linked = Linked
account-ip-address = IP address
account-linked-from = Linked from
account-sign-out-device = Sign out this device
# A linked device that did not say its name; a sign-in of a web app.
account-unnamed-device = A device
account-unnamed-browser = A web browser

## Signing a device out: the second step. $device: the device's name.
account-sign-out-title = Sign out { $device }?
account-sign-out-heading = Sign out <bdi>{ $device }</bdi>?
account-sign-out-lead = It will need to be signed in again with a new code before it can use your account. Apps on it stop working right away.
account-sign-out-button = Sign out

## Recent sign-ins and approvals (on the devices page).
account-activity-heading = Recent sign-ins and approvals
account-activity-none = Nothing recorded yet.
account-activity-when = When
account-activity-device = Device or browser
account-activity-network = Network
account-activity-advice = Something you don't recognise? Change your password and sign out the devices you don't know.
# What happened. $app: an app's name, or account-event-an-app.
account-event-an-app = an app
account-event-sign-in-qr = Signed in with a QR code
account-event-sign-in-passkey = Signed in with a passkey
account-event-sign-in-totp = Signed in with your password and authenticator app
account-event-sign-in-recovery-code = Signed in with your password and a recovery code
account-event-sign-in-password = Signed in with your password
account-event-totp-enrolled = Turned on two-step verification
account-event-totp-disabled = Turned off two-step verification
account-event-recovery-codes-regenerated = Made new recovery codes
account-event-recovery-code-used = Used a recovery code
account-event-otp-failed = Wrong code from your authenticator app
account-event-sign-in-failed = Sign-in failed: wrong password
account-event-reauthenticated = Entered your password again to approve a device
account-event-reauthentication-failed = Wrong password while approving a device
account-event-device-approved = Approved a device for { $app }
account-event-device-denied = Denied a device for { $app }
account-event-qr-sign-in-approved = Approved a QR code sign-in to { $app }
account-event-qr-sign-in-denied = Denied a QR code sign-in to { $app }
account-event-pairing-code-created = Made a code to add a device
account-event-pairing-approved = Added a device for { $app }
account-event-pairing-denied = Refused a device that used your code for { $app }
account-event-device-signed-out-by-operator = An administrator signed out a device of { $app }
account-event-device-signed-out = Signed out a device of { $app }
account-event-token-reused = A sign-in to { $app } was ended: its token was used twice
account-event-revoked-by-client = { $app } signed out
account-event-token-family-revoked = A sign-in to { $app } was ended
account-event-password-changed = Your password was changed
account-event-user-created = Your account was created
account-event-user-disabled = Your account was disabled
account-event-user-enabled = Your account was enabled again
account-event-passkey-registered = Added a passkey
account-event-passkey-removed = Removed a passkey
account-event-passkey-sign-in-failed = Sign-in with a passkey failed
account-event-factors-reset = An administrator reset your sign-in methods
# $device: the device's name, model and system, or the browser; $ip: its address.
account-event-device-from = { $device } (from { $ip })

## Apps (/account/consents).
account-apps-title = Apps with access
account-apps-heading = Apps you allowed
account-apps-lead = Signed in as <strong><bdi>{ $username }</bdi></strong>. Withdrawing makes an app ask you again next time.
account-apps-none = You have not allowed any app yet.
account-withdraw = Withdraw

## Add a device (/account/pairing). $device: the new device's name; $time: e.g. "9 minutes".
account-pairing-lead = In the app on your new device, choose to sign in with a code and scan this QR code, or type the code.
account-pairing-qr-alt = QR code for pairing a new device
account-pairing-time-left = Time left
account-pairing-valid-for = Valid for { $time }. Waiting for your device…
account-pairing-check-again = Check again
account-pairing-notice = Don't send this code to anyone. It is only for a device in front of you: you will be asked to approve it here.
account-pairing-question = <strong><bdi>{ $device }</bdi></strong> wants to sign in as <strong><bdi>{ $username }</bdi></strong> — approve?
account-pairing-only-approve = Only approve if this is the device you are adding right now.
account-pairing-new-device = A new device
account-pairing-expired-title = The pairing code expired
account-pairing-expired-text = No device used it in time. Make a new code to try again.
account-pairing-gone-title = Nothing to approve
account-pairing-gone-text = The device's request is no longer waiting. Make a new code to start again.
account-pairing-approved-title = <bdi>{ $device }</bdi> is signed in
account-pairing-approved-text = It appears in your list of devices. You can sign it out there at any time.
account-pairing-denied-title = Request denied
account-pairing-denied-text = <bdi>{ $device }</bdi> was not signed in.
account-pairing-new-code = Make a new code

## Sign-in and security (/account/security).
account-security-heading = Sign-in and security
account-security-lead = Signed in as <strong><bdi>{ $username }</bdi></strong>. How you prove it's you when you sign in and approve devices.
account-confirm-heading = Confirm it's you
account-confirm-text = To add or remove a passkey or an authenticator app, confirm it's you first.
account-confirm-wrong-password = That password is not right. Enter the password of this account.
account-confirm-passkey = Confirm with a passkey
account-confirm-password = Confirm with password

account-passkeys = Passkeys
account-passkeys-text = Sign in with your fingerprint, face or screen lock instead of your password. A passkey works only on this site, so a look-alike page cannot use it.
account-passkeys-none = No passkey yet.
account-passkey-kind = Kind
account-passkey-synced = Synced across your devices
account-passkey-remove = Remove this passkey
account-passkeys-unavailable = Passkeys are not available on this server: it needs an https address.
account-passkey-name = Name it
account-passkey-name-placeholder = My phone
account-passkey-add = Add a passkey
account-passkeys-unsupported = This browser cannot create passkeys.

## The authenticator app (TOTP).
account-totp = Authenticator app
account-totp-on = <strong>On.</strong> A code from your authenticator app is asked after your password.
account-never = Never
account-recovery-codes-left = Recovery codes left
account-recovery-codes-new = New recovery codes
account-totp-turn-off = Turn off
account-totp-offer = Add a second step to your sign-in: a 6-digit code from an authenticator app on your phone.
account-totp-set-up = Set up an authenticator app
account-totp-step-scan = Open your authenticator app and add an account by scanning this code.
account-totp-step-code = Enter the 6-digit code the app then shows.
account-totp-qr-alt = QR code to add Usher to an authenticator app
# $uri: the otpauth:// link.
account-totp-cant-scan = Can't scan it? <a href="{ $uri }">Open it in an authenticator app on this phone</a>, or type this key:
account-totp-wrong-code = That code is not right. Enter the 6-digit code your app shows now.
account-totp-code-label = Code from the app
account-totp-turn-on = Turn on
account-totp-disable-title = Turn off two-step verification?
account-totp-disable-text = Signing in will ask only for your password. Your recovery codes stop working.
account-recovery-codes-new-text = You get ten new codes. The codes you have now stop working.
account-recovery-codes-make = Make new codes
account-recovery-codes-title = Your recovery codes
account-totp-is-on = Two-step verification is on
account-totp-is-on-lead = From now on, signing in asks for a code from your authenticator app after your password.
account-recovery-codes-new-heading = Your new recovery codes
account-recovery-codes-text = If you lose your phone, sign in with one of these codes instead. Each works once. Keep them somewhere safe: they are shown only now.
account-done = Done
