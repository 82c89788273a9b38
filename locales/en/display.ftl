# The TV and kiosk page (/device/display): read from across the room.

display-title-waiting = Sign in this device
display-title-expired = Code expired
display-title-unknown = Code not waiting
# $code: the user code, e.g. BCDF-GHJK.
display-qr-alt = QR code of the sign-in link for code { $code }
# The lines around the address and the code: "…or open" / the address / "on your phone
# and enter" / the code. Each line is shown on its own.
display-scan-or-open = Scan the QR code with your phone's camera, or open
display-then-enter = on your phone and enter
# Followed by the time left as m:ss.
display-expires-in = Expires in
display-check-again = Check again

## Outcomes, shown in place when the phone decides
display-approved = Approved
display-approved-lead = The sign-in was approved. This device is signing in.
display-denied = Sign-in declined
display-denied-lead = The sign-in was declined on the phone. If that was a mistake, start again on this device to get a new code.
display-expired = This code has expired
display-expired-lead = Nobody approved it in time, so it can't be used any more. Start again on this device to get a new code.
display-unknown = This code isn't waiting for a sign-in
display-unknown-lead = Usher doesn't know the code in this page's address: it may have expired some time ago, or a letter is wrong. Start again on the device: it will show a new code and open this page for it.
