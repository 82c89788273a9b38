# `usher device`, the terminal device client (src/cli/device.rs). Lines beside the QR code
# ("cli-scan", "cli-or-open", "cli-and-enter") must stay within 44 columns (a Japanese
# character takes two) so the code and the words fit an 80×24 terminal together.

## While the device waits.
cli-scan = Scan the QR code with your phone,
cli-or-open = or open
cli-and-enter = and enter { $code }
# Too small a terminal for the QR code: a box with the address and the code.
cli-phone-open = On your phone, open { $uri }
cli-larger-terminal = (A larger terminal shows a QR code to scan instead.)
# $duration is cli-minutes / cli-seconds / cli-minutes-seconds; $time is "2026-12-06 23:20:00 UTC".
cli-code-expires = The code expires in { $duration } (at { $time }).
cli-request-expires = The request expires in { $duration } (at { $time }).
# With a pairing code: two lines in a box.
cli-pairing-approve =
    Approve this device on the browser that showed
    the pairing code (Usher's "Add a device" page).
# After a spinner; $time is minutes:seconds, "9:58".
cli-waiting = Waiting for approval on the phone... ({ $time } left)
cli-seconds = { $n ->
    [one] { $n } second
   *[other] { $n } seconds
}
cli-minutes = { $n ->
    [one] { $n } minute
   *[other] { $n } minutes
}
cli-minutes-seconds = { $m } min { $s } s

## Outcomes.
cli-signed-in = Signed in.
cli-denied = The request was denied on the phone.
cli-expired = The code expired; run the command again.
cli-live-closed = The live channel closed; polling instead.
cli-live-failed = The live channel failed ({ $error }); polling instead.
cli-no-live-channel = The provider has no live channel; polling instead.

## The tokens received. Labels are aligned by the client.
cli-id-token = ID token
cli-access-token = Access token
cli-claims = { $label } claims ({ $status }):
cli-signature-verified = signature verified
cli-not-verified = NOT verified: { $reason }
cli-not-jwt = { $label }: not a JWT ({ $reason })
cli-no-id-token = No ID token (ask for the `openid` scope).
cli-scope = Scope:
cli-scope-not-stated = (not stated: as requested)
cli-expires-in = Expires in:
cli-not-stated = (not stated)
cli-refresh-token = Refresh token:
cli-refresh-issued = issued
cli-refresh-not-issued = not issued

## Errors ($url, $reason, $error, $status, $kid are technical and stay as they are).
cli-http-client-failed = could not build the HTTP client
cli-no-device-endpoint = the provider does not advertise a device_authorization_endpoint
cli-unreachable = could not reach { $url }
cli-server-unreachable = could not reach the server
cli-retrying = could not reach the server ({ $error }); retrying
cli-authorization-refused = the device authorization was refused: { $reason }
cli-token-failed = the token request failed: { $reason }
cli-answered = { $url } answered { $reason }
cli-bad-answer = bad answer from { $url }
cli-read-failed = could not read the response
cli-unexpected-response = unexpected response ({ $status })
cli-unexpected-answer = unexpected answer
cli-live-broke = the live channel broke
cli-qr-failed = could not make a QR code
cli-no-jwks = the provider has no jwks_uri
cli-malformed-header = malformed JWT header
cli-unknown-kid = no key with kid '{ $kid }'
cli-no-kid = the token names no key (kid)
cli-unusable-key = unusable key in the JWKS
