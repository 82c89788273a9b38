# Entering a device's code, approving it (consent and pairing pages), and the pairing code.
# Values in { $… } named app, user or device come from outside (a client's name, a
# username): pages isolate them with <bdi>. Keep the markup (<strong>) as it is.

## /device: entering the code
device-title = Connect a device
device-check-match = Check that this code matches the one on your device.
device-check-match-hint = Only continue if you can see the same code on your TV or device right now.
device-enter-code = Enter the code shown on your TV or device.
device-code-label = Code
device-continue = Continue
device-code-invalid = That code is not valid. Check the code on your device.
device-code-warning = Only enter a code shown on a device in front of you. Never enter a code someone sent you.

## /device/consent
device-consent-title = Approve sign-in
device-consent-heading = <strong>{ $app }</strong> wants to sign in as <strong>{ $user }</strong>
device-consent-lead = Only approve if you started this on your own device just now.
device-browser-sign-in = <strong>This signs in a web browser as you</strong>: the one showing this code. It continues to { $app } and can use your account.
device-browser-sign-in-hint = Only approve if that browser is in front of you right now. Never approve a code someone sent you.
device-signed-in-as = Signed in as <strong>{ $user }</strong>. Not you?
device-sign-out = Sign out

## The question: what the app may do, and the device asking
device-access-heading = It will be able to
device-access-heading-app = { $app } will be able to
device-scope-openid = Confirm that it is you (your account ID)
device-scope-profile = See your name and username
device-scope-email = See your email address
device-scope-offline-access = Stay signed in until you sign it out
device-scope-other = Other access
device-asking-heading = The device asking
device-reported-heading = Reported by the device
device-reported-note = The device chose these words itself: any device can call itself anything, so check it is the one in front of you.
device-observed-heading = Seen by Usher
device-fact-name = Name
device-fact-model = Model
device-fact-system = System
device-fact-app-version = App version
device-fact-software = Software
device-fact-ip = IP address
device-network-different = a different network from yours
device-network-same = the same network as you
device-fact-app = App
device-fact-asked = Asked
device-fact-code = Code
device-fact-expires = Expires in
device-expired-notice = This code expired. Start again on your device to get a new code, then enter it here.
device-network-warning = <strong>This request comes from a different network than you.</strong> Only approve a device that is in front of you.
device-network-warning-hint = If someone sent you this code or asked you to enter it, deny: they would get into your account.

## Approve and Deny, and the proof an approval needs
device-approve = Approve
device-deny = Deny
device-approve-passkey = Approve with passkey
device-approve-passkey-instead = Approve with passkey instead
device-in-front = The device is in front of me, and I started this myself
device-passkey-unsupported = This browser cannot use passkeys here. Approve on a phone or browser that has your passkey.
device-refused-heading = Approving needs another step
device-security-link = Open your security page
device-refused-no-passkey = Approving this needs a passkey, and this account has none yet. Add a passkey on your security page (Account, then Security), then try again.
device-refused-no-second-factor = This app needs a second factor to approve, and this account has none yet. Add a passkey or an authenticator app on your security page (Account, then Security), then try again.
device-proof-heading = Confirm it's you
device-proof-passkey = To approve, confirm with your passkey: your phone asks for your fingerprint, face or PIN.
device-proof-password = You signed in a while ago. To approve, enter your password again.
device-proof-otp = This app needs a second factor. To approve, enter a code from your authenticator app.
device-password-label = Password
device-otp-label = Code from your authenticator app (or a recovery code)
device-wrong-password = That password is not right. Enter the password of this account.
device-password-missing = Enter your password to approve.
device-passkey-missing = Confirm with your passkey to approve.
device-otp-missing = Enter a code from your authenticator app (or a recovery code) to approve.
device-wrong-otp = That code is not right. Enter the current code from your authenticator app.
device-in-front-missing = This request comes from a different network. To approve it anyway, tick "The device is in front of me" first.
# $wait: a duration in words ("8 minutes").
device-password-locked = Too many wrong passwords. To protect your account, approving with a password is paused: try again in { $wait }. You can still deny.
device-otp-locked = Too many wrong codes. To protect your account, approving with a code is paused: try again in { $wait }. You can still deny.

## After a decision that was already made
device-already-approved-title = Already approved
device-already-approved-text = You already approved this request, so the device is signed in. To sign it out, open Your devices.
device-already-denied-title = Already denied
device-already-denied-text = You already denied this request, so the device was not signed in. To sign it in, start again on the device.
device-your-devices = Your devices
device-another-code = Enter another code

## The pairing code page
device-pair-title = Pairing code
device-pair-heading = Scan this code from the app
device-pair-lead = This QR code adds a new device to your account. Open the app you want to sign in on that device, choose to sign in with a code, and scan it there.
