## /device: entering the code
device-title = Gerät verbinden
device-check-match = Prüfen Sie, ob dieser Code mit dem auf Ihrem Gerät übereinstimmt.
device-check-match-hint = Fahren Sie nur fort, wenn Sie genau diesen Code gerade auf Ihrem Fernseher oder Gerät sehen.
device-enter-code = Geben Sie den Code ein, der auf Ihrem Fernseher oder Gerät angezeigt wird.
device-code-label = Code
device-continue = Weiter
device-code-invalid = Dieser Code ist ungültig. Prüfen Sie den Code auf Ihrem Gerät.
device-code-warning = Geben Sie nur einen Code ein, der auf einem Gerät direkt vor Ihnen angezeigt wird. Geben Sie niemals einen Code ein, den Ihnen jemand geschickt hat.

## /device/consent
device-consent-title = Anmeldung zulassen
device-consent-heading = <strong>{ $app }</strong> möchte sich als <strong>{ $user }</strong> anmelden
device-consent-lead = Lassen Sie die Anmeldung nur zu, wenn Sie den Vorgang gerade selbst auf Ihrem eigenen Gerät gestartet haben.
device-browser-sign-in = <strong>Damit wird ein Webbrowser mit Ihrem Konto angemeldet</strong>: der Browser, der diesen Code anzeigt. Er gelangt weiter zu { $app } und kann Ihr Konto verwenden.
device-browser-sign-in-hint = Lassen Sie die Anmeldung nur zu, wenn sich dieser Browser gerade vor Ihnen befindet. Lassen Sie niemals einen Code zu, den Ihnen jemand geschickt hat.
device-signed-in-as = Angemeldet als <strong>{ $user }</strong>. Nicht Sie?
device-sign-out = Abmelden

## The question: what the app may do, and the device asking
device-access-heading = Es darf dann:
device-access-heading-app = { $app } darf dann:
device-scope-openid = Bestätigen, dass Sie es sind (Ihre Konto-ID)
device-scope-profile = Ihren Namen und Benutzernamen sehen
device-scope-email = Ihre E-Mail-Adresse sehen
device-scope-offline-access = Angemeldet bleiben, bis Sie es abmelden
device-scope-other = Weiterer Zugriff
device-asking-heading = Das anfragende Gerät
device-reported-heading = Vom Gerät angegeben
device-reported-note = Diese Angaben stammen vom Gerät selbst: Jedes Gerät kann sich beliebig nennen. Prüfen Sie daher, ob es das Gerät vor Ihnen ist.
device-observed-heading = Von Usher festgestellt
device-fact-name = Name
device-fact-model = Modell
device-fact-system = System
device-fact-app-version = App-Version
device-fact-software = Software
device-fact-ip = IP-Adresse
device-network-different = ein anderes Netzwerk als Ihres
device-network-same = dasselbe Netzwerk wie Ihres
device-fact-app = App
device-fact-asked = Angefragt
device-fact-code = Code
device-fact-expires = Läuft ab in
device-expired-notice = Dieser Code ist abgelaufen. Starten Sie auf Ihrem Gerät neu, um einen neuen Code zu erhalten, und geben Sie ihn dann hier ein.
device-network-warning = <strong>Diese Anfrage kommt aus einem anderen Netzwerk als Ihrem.</strong> Lassen Sie nur ein Gerät zu, das sich direkt vor Ihnen befindet.
device-network-warning-hint = Wenn Ihnen jemand diesen Code geschickt oder Sie gebeten hat, ihn einzugeben, lehnen Sie ab: Sonst erhält diese Person Zugriff auf Ihr Konto.

## Approve and Deny, and the proof an approval needs
device-approve = Zulassen
device-deny = Ablehnen
device-approve-passkey = Mit Passkey zulassen
device-approve-passkey-instead = Stattdessen mit Passkey zulassen
device-in-front = Das Gerät ist direkt vor mir, und ich habe den Vorgang selbst gestartet
device-passkey-unsupported = Dieser Browser kann hier keine Passkeys verwenden. Lassen Sie die Anmeldung auf einem Telefon oder in einem Browser zu, der Ihren Passkey hat.
device-refused-heading = Zum Zulassen ist ein weiterer Schritt nötig
device-security-link = Sicherheitsseite öffnen
device-refused-no-passkey = Hierfür ist ein Passkey nötig, und dieses Konto hat noch keinen. Fügen Sie auf Ihrer Sicherheitsseite (Konto, dann Sicherheit) einen Passkey hinzu und versuchen Sie es dann erneut.
device-refused-no-second-factor = Diese App verlangt zum Zulassen einen zweiten Faktor, und dieses Konto hat noch keinen. Fügen Sie auf Ihrer Sicherheitsseite (Konto, dann Sicherheit) einen Passkey oder eine Authenticator-App hinzu und versuchen Sie es dann erneut.
device-proof-heading = Bestätigen Sie, dass Sie es sind
device-proof-passkey = Bestätigen Sie zum Zulassen mit Ihrem Passkey: Ihr Telefon fragt nach Fingerabdruck, Gesicht oder PIN.
device-proof-password = Ihre Anmeldung liegt schon eine Weile zurück. Geben Sie zum Zulassen Ihr Passwort erneut ein.
device-proof-otp = Diese App verlangt einen zweiten Faktor. Geben Sie zum Zulassen einen Code aus Ihrer Authenticator-App ein.
device-password-label = Passwort
device-otp-label = Code aus Ihrer Authenticator-App (oder ein Wiederherstellungscode)
device-wrong-password = Dieses Passwort ist nicht richtig. Geben Sie das Passwort dieses Kontos ein.
device-password-missing = Geben Sie zum Zulassen Ihr Passwort ein.
device-passkey-missing = Bestätigen Sie zum Zulassen mit Ihrem Passkey.
device-otp-missing = Geben Sie zum Zulassen einen Code aus Ihrer Authenticator-App (oder einen Wiederherstellungscode) ein.
device-wrong-otp = Dieser Code ist nicht richtig. Geben Sie den aktuellen Code aus Ihrer Authenticator-App ein.
device-in-front-missing = Diese Anfrage kommt aus einem anderen Netzwerk. Um sie trotzdem zuzulassen, setzen Sie zuerst das Häkchen bei „Das Gerät ist direkt vor mir“.
device-password-locked = Zu viele falsche Passwörter. Zum Schutz Ihres Kontos ist das Zulassen mit Passwort pausiert: Versuchen Sie es in { $wait } erneut. Ablehnen können Sie weiterhin.
device-otp-locked = Zu viele falsche Codes. Zum Schutz Ihres Kontos ist das Zulassen mit Code pausiert: Versuchen Sie es in { $wait } erneut. Ablehnen können Sie weiterhin.

## After a decision that was already made
device-already-approved-title = Bereits zugelassen
device-already-approved-text = Sie haben diese Anfrage bereits zugelassen, das Gerät ist also angemeldet. Um es abzumelden, öffnen Sie „Ihre Geräte“.
device-already-denied-title = Bereits abgelehnt
device-already-denied-text = Sie haben diese Anfrage bereits abgelehnt, das Gerät wurde also nicht angemeldet. Um es anzumelden, starten Sie auf dem Gerät neu.
device-your-devices = Ihre Geräte
device-another-code = Anderen Code eingeben

## The pairing code page
device-pair-title = Kopplungscode
device-pair-heading = Scannen Sie diesen Code in der App
device-pair-lead = Mit diesem QR-Code fügen Sie Ihrem Konto ein neues Gerät hinzu. Öffnen Sie auf diesem Gerät die App, bei der Sie sich anmelden möchten, wählen Sie die Anmeldung mit Code und scannen Sie ihn dort.
