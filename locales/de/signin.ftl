## Anmeldeseite (/login)
signin-title = Anmelden
signin-purpose-app = Melden Sie sich an, um zu <strong>{ $app }</strong> zu gelangen.
signin-purpose-device = Melden Sie sich an, um ein Gerät mit <strong>{ $app }</strong> zu verbinden.
signin-purpose-other-browser = Melden Sie sich an, um auf Ihrem anderen Bildschirm zu <strong>{ $app }</strong> zu gelangen.
signin-purpose-account = Melden Sie sich in Ihrem Konto an.
signin-purpose-device-code = Melden Sie sich an, um ein Gerät zu verbinden.
signin-step-up = Diese App bittet Sie um eine Bestätigung mit einem Passkey oder einem Einmalcode.
signin-passkey-button = Mit Passkey anmelden
signin-or = oder
signin-or-password = oder mit Ihrem Passwort
signin-username = Benutzername
signin-password = Passwort
signin-submit = Anmelden
signin-wrong-credentials = Benutzername oder Passwort ist falsch.

## „Mit QR-Code anmelden“ auf der Anmeldeseite
signin-qr-button = Mit QR-Code anmelden
signin-qr-button-hint = Scannen Sie einen Code mit einem Smartphone, auf dem Sie bereits angemeldet sind.

## Zweiter Schritt (/login/otp)
signin-otp-title = Bestätigung in zwei Schritten
signin-otp-lead = Geben Sie den 6-stelligen Code aus Ihrer Authenticator-App ein.
signin-otp-recovery-lead = Geben Sie einen Ihrer Wiederherstellungscodes ein. Jeder Code funktioniert nur einmal.
signin-otp-code = Code
signin-otp-recovery-code = Wiederherstellungscode
signin-otp-use-app = Authenticator-App verwenden
signin-otp-use-recovery = Wiederherstellungscode verwenden
signin-otp-wrong-code = Dieser Code ist nicht richtig. Geben Sie den Code ein, den Ihre App gerade anzeigt.
signin-continue = Weiter

## QR-Anmeldung (/login/qr)
signin-qr-title = Mit QR-Code anmelden
signin-qr-lead = Scannen Sie diesen Code mit einem Smartphone, auf dem Sie angemeldet sind, um zu <strong>{ $app }</strong> zu gelangen.
signin-qr-step-scan = Richten Sie die Kamera Ihres Smartphones auf den Code und öffnen Sie den Link.
signin-qr-step-compare = Prüfen Sie, ob Ihr Smartphone den Code <strong class="code">{ $code }</strong> anzeigt.
signin-qr-step-approve = Bestätigen Sie. Diese Seite geht dann von selbst weiter.
signin-qr-noscript = Nachdem Sie auf Ihrem Smartphone bestätigt haben, geht diese Seite innerhalb weniger Sekunden weiter. Falls nicht, <a href="{ $href }">prüfen Sie es erneut</a>.
signin-qr-expired-title = Dieser QR-Code ist abgelaufen
signin-qr-expired-text = Ein Anmeldecode gilt nur wenige Minuten, und ein abgelaufener Code kann nicht wiederverwendet werden. Lassen Sie sich einen neuen Code anzeigen und versuchen Sie es noch einmal.
signin-qr-denied-title = Anmeldung abgelehnt
signin-qr-denied-text = Die Anmeldung wurde auf dem Smartphone abgelehnt. Dieser Code kann nicht wiederverwendet werden.
signin-qr-new-code = Neuen Code anzeigen
signin-qr-password-instead = Stattdessen mit Passwort anmelden

## QR-Code mit Restzeit (auch auf der TV-Anzeige)
signin-qr-image-alt = QR-Code des Anmeldelinks für den Code { $code }
signin-qr-expires-in = Läuft ab in <span data-clock>{ $clock }</span>
signin-qr-no-camera = Keine Kamera? Öffnen Sie <strong>{ $uri }</strong> auf Ihrem Smartphone und geben Sie den Code ein.

## Zu viele falsche Gerätecodes
signin-locked-out-title = Zu viele falsche Codes
signin-locked-out-text = Zum Schutz der Konten ist die Codeeingabe { $scope ->
    [session] in diesem Browser
    [server] kurzzeitig für alle
   *[network] für Ihr Netzwerk
} pausiert. Bis dahin wird kein Code angenommen, auch nicht der richtige.
signin-locked-out-wait = Versuchen Sie es in <strong>{ $wait }</strong> erneut. Prüfen Sie in der Zwischenzeit den Code auf Ihrem Gerät: Ist er abgelaufen, starten Sie dort neu, um einen neuen zu erhalten.

## Abmeldung auf Wunsch einer Anwendung (/oauth2/logout)
signin-logout-title = Abmelden
signin-logout-heading = Von Usher abmelden?
signin-logout-asked-by = <strong>{ $app }</strong> möchte Sie abmelden.
signin-logout-asked-by-unknown = Eine Anwendung möchte Sie abmelden.
signin-logout-button = Abmelden
signin-logout-stay = Angemeldet bleiben

## Rückkehr zur Anwendung
signin-returning-title = Weiterleitung
signin-returning-to = Zurück zu { $app }
signin-returning-to-unknown = Zurück zur Anwendung
signin-returning-hint = Falls nichts passiert, klicken Sie auf „Weiter“.

## Zustimmung für eine Web-App
signin-consent-title = Zugriff erlauben
signin-consent-heading = <strong>{ $app }</strong> möchte Sie als <strong>{ $user }</strong> anmelden
signin-consent-return-to = Anschließend kehren Sie zu <span class="code-inline">{ $host }</span> zurück.
signin-consent-access = Die App erhält folgende Rechte
signin-consent-allow = Erlauben
signin-consent-deny = Ablehnen
signin-consent-withdraw = Sie können dies später auf <a href="/account/consents">Ihrer Kontoseite</a> widerrufen.

## Ungültige Anmeldelinks
signin-error-malformed-link = Der Anmeldelink ist fehlerhaft.
signin-error-repeated-parameter = Der Anmeldelink enthält einen Parameter doppelt oder unzulässige Zeichen.
signin-error-no-client-id = Die Anwendung hat nicht angegeben, wer sie ist (client_id fehlt).
signin-error-unknown-client = Diese Anwendung ist hier nicht registriert.
signin-error-unregistered-redirect = Die Anwendung wollte Sie an eine Adresse weiterleiten, die sie nicht registriert hat.
signin-error-request-expired = Diese Anmeldung ist abgelaufen. Kehren Sie zur Anwendung zurück und beginnen Sie von vorn.
signin-error-bad-logout-link = Der Abmeldelink ist ungültig.

## Passkeys
signin-passkey-signed-out = Sie sind abgemeldet. Melden Sie sich erneut an und versuchen Sie es noch einmal.
signin-passkey-unavailable = Passkeys sind auf diesem Server nicht verfügbar.
signin-passkey-too-slow = Das hat zu lange gedauert. Bitte versuchen Sie es noch einmal.
signin-passkey-unknown = Dieser Passkey ist hier nicht registriert. Möglicherweise wurde er entfernt.
signin-passkey-not-verified = Ihr Passkey konnte nicht überprüft werden. Entsperren Sie ihn mit Fingerabdruck, Gesichtserkennung oder PIN und versuchen Sie es erneut.
signin-passkey-already-registered = Dieser Passkey ist bereits registriert.
signin-passkey-inactive = Mit diesem Konto ist keine Anmeldung möglich.
signin-passkey-server-error = Bei uns ist ein Fehler aufgetreten. Bitte versuchen Sie es gleich noch einmal.
signin-passkey-reconfirm = Bestätigen Sie zuerst, dass Sie es sind: Geben Sie Ihr Passwort erneut ein.
signin-passkey-none-yet = Für dieses Konto gibt es noch keinen Passkey.
signin-passkey-page-expired = Diese Seite ist abgelaufen. Laden Sie sie neu und versuchen Sie es noch einmal.
signin-passkey-unreadable = Die Antwort des Passkeys konnte nicht gelesen werden. Bitte versuchen Sie es noch einmal.
signin-passkey-not-used = Der Passkey wurde nicht verwendet. Versuchen Sie es noch einmal oder verwenden Sie Ihr Passwort.
signin-passkey-failed = Etwas ist schiefgelaufen. Bitte versuchen Sie es noch einmal.
