# `usher device`, das Terminal-Geräteprogramm. Zeilen neben dem QR-Code höchstens 44 Spalten.

## Während das Gerät wartet.
cli-scan = Scannen Sie den QR-Code mit dem Handy
cli-or-open = oder öffnen Sie
cli-and-enter = und geben Sie { $code } ein
cli-phone-open = Öffnen Sie auf Ihrem Handy { $uri }
cli-larger-terminal = (Ein größeres Terminal zeigt stattdessen einen QR-Code zum Scannen.)
cli-code-expires = Der Code läuft in { $duration } ab (um { $time }).
cli-request-expires = Die Anfrage läuft in { $duration } ab (um { $time }).
cli-pairing-approve =
    Bestätigen Sie dieses Gerät in dem Browser, der den
    Kopplungscode angezeigt hat (Usher-Seite „Gerät hinzufügen“).
cli-waiting = Warten auf Bestätigung auf dem Handy … (noch { $time })
cli-seconds = { $n ->
    [one] { $n } Sekunde
   *[other] { $n } Sekunden
}
cli-minutes = { $n ->
    [one] { $n } Minute
   *[other] { $n } Minuten
}
cli-minutes-seconds = { $m } Min. { $s } Sek.

## Ergebnisse.
cli-signed-in = Angemeldet.
cli-denied = Die Anfrage wurde auf dem Handy abgelehnt.
cli-expired = Der Code ist abgelaufen. Führen Sie den Befehl erneut aus.
cli-live-closed = Der Live-Kanal wurde geschlossen; stattdessen wird regelmäßig abgefragt.
cli-live-failed = Der Live-Kanal ist fehlgeschlagen ({ $error }); stattdessen wird regelmäßig abgefragt.
cli-no-live-channel = Der Anbieter hat keinen Live-Kanal; stattdessen wird regelmäßig abgefragt.

## Die erhaltenen Token.
cli-id-token = ID-Token
cli-access-token = Zugriffstoken
cli-claims = { $label } – Claims ({ $status }):
cli-signature-verified = Signatur geprüft
cli-not-verified = NICHT geprüft: { $reason }
cli-not-jwt = { $label }: kein JWT ({ $reason })
cli-no-id-token = Kein ID-Token (fordern Sie den Scope `openid` an).
cli-scope = Scope:
cli-scope-not-stated = (nicht angegeben: wie angefragt)
cli-expires-in = Läuft ab in:
cli-not-stated = (nicht angegeben)
cli-refresh-token = Refresh-Token:
cli-refresh-issued = ausgestellt
cli-refresh-not-issued = nicht ausgestellt

## Fehler.
cli-http-client-failed = HTTP-Client konnte nicht erstellt werden
cli-no-device-endpoint = Der Anbieter nennt keinen device_authorization_endpoint
cli-unreachable = { $url } ist nicht erreichbar
cli-server-unreachable = Der Server ist nicht erreichbar
cli-retrying = Der Server ist nicht erreichbar ({ $error }); neuer Versuch
cli-authorization-refused = Die Geräteautorisierung wurde abgelehnt: { $reason }
cli-token-failed = Die Token-Anfrage ist fehlgeschlagen: { $reason }
cli-answered = { $url } antwortete mit { $reason }
cli-bad-answer = Ungültige Antwort von { $url }
cli-read-failed = Die Antwort konnte nicht gelesen werden
cli-unexpected-response = Unerwartete Antwort ({ $status })
cli-unexpected-answer = Unerwartete Antwort
cli-live-broke = Der Live-Kanal ist abgebrochen
cli-qr-failed = Der QR-Code konnte nicht erstellt werden
cli-no-jwks = Der Anbieter hat keine jwks_uri
cli-malformed-header = Fehlerhafter JWT-Header
cli-unknown-kid = Kein Schlüssel mit kid „{ $kid }“
cli-no-kid = Das Token nennt keinen Schlüssel (kid)
cli-unusable-key = Unbrauchbarer Schlüssel im JWKS
