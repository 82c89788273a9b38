display-title-waiting = Dieses Gerät anmelden
display-title-expired = Code abgelaufen
display-title-unknown = Code wartet nicht
display-qr-alt = QR-Code des Anmeldelinks für den Code { $code }
display-scan-or-open = Scannen Sie den QR-Code mit der Kamera Ihres Telefons oder öffnen Sie auf dem Telefon
display-then-enter = und geben Sie diesen Code ein:
display-expires-in = Läuft ab in
display-check-again = Erneut prüfen

## Outcomes, shown in place when the phone decides
display-approved = Zugelassen
display-approved-lead = Die Anmeldung wurde zugelassen. Dieses Gerät wird angemeldet.
display-denied = Anmeldung abgelehnt
display-denied-lead = Die Anmeldung wurde auf dem Telefon abgelehnt. Falls das ein Versehen war, starten Sie auf diesem Gerät neu, um einen neuen Code zu erhalten.
display-expired = Dieser Code ist abgelaufen
display-expired-lead = Niemand hat ihn rechtzeitig zugelassen, daher kann er nicht mehr verwendet werden. Starten Sie auf diesem Gerät neu, um einen neuen Code zu erhalten.
display-unknown = Dieser Code wartet auf keine Anmeldung
display-unknown-lead = Usher kennt den Code in der Adresse dieser Seite nicht: Er ist vielleicht schon länger abgelaufen, oder ein Buchstabe ist falsch. Starten Sie auf dem Gerät neu: Es zeigt einen neuen Code an und öffnet diese Seite dafür.
