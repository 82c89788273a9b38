msg-action-enter-code = Code eingeben
msg-action-sign-in-another = Weiteres Gerät anmelden
msg-action-enter-another = Anderen Code eingeben
msg-action-sign-in-device = Gerät anmelden

msg-approved-other-browser-title = Der andere Browser ist angemeldet
msg-approved-other-browser-text = Der andere Browser ist jetzt angemeldet und macht von selbst weiter. Sie können diese Seite schließen.
msg-approved-terminal-title = Terminal angemeldet
msg-approved-terminal-text = Ihr Terminal ist angemeldet. Sie können dorthin zurückkehren und diese Seite schließen.
msg-approved-device-title = Gerät angemeldet
msg-approved-tv-text = Sie sind auf Ihrem Fernseher angemeldet. Sie können zu Ihrem Fernseher zurückkehren.
msg-approved-device-text = Sie sind auf Ihrem Gerät angemeldet. Sie können zu Ihrem Gerät zurückkehren.

msg-denied-title = Anfrage abgelehnt
msg-denied-text = Das Gerät wurde nicht angemeldet und kann Ihr Konto nicht verwenden. Wenn Sie das nicht gestartet haben, müssen Sie nichts weiter tun. War es ein Versehen, starten Sie auf dem Gerät neu, um einen neuen Code zu erhalten.

msg-signed-out-title = Abgemeldet
msg-signed-out-text = Sie sind in diesem Browser von Usher abgemeldet.

msg-try-again-in = Versuchen Sie es in <strong>{ $wait }</strong> erneut.
msg-reference = Referenz:

error-action-your-devices = Ihre Geräte
error-action-enter-the-new-code = Neuen Code eingeben
error-action-enter-a-new-code = Neuen Code eingeben

error-form-title = Mit dem Formular ist etwas schiefgelaufen
error-form-text = Das Formular konnte nicht gelesen werden. Gehen Sie zurück, laden Sie die Seite neu und versuchen Sie es noch einmal.
error-csrf-title = Ihr Formular ist abgelaufen
error-csrf-text = Die Seite war lange geöffnet, oder das Formular kam von einer anderen Website. Es wurde nichts geändert. Beginnen Sie noch einmal auf der vorherigen Seite.
error-too-many-title = Zu viele Versuche
error-too-many-text = Zum Schutz Ihres Kontos ist die Anmeldung für eine Weile pausiert. Was Sie jetzt eingeben, kann nicht funktionieren – auch nicht das richtige Passwort oder der richtige Code.
error-expired-code-title = Code abgelaufen
error-expired-code-text = Dieser Code ist abgelaufen: Codes gelten nur wenige Minuten. Starten Sie die Anmeldung auf Ihrem Gerät neu, um einen neuen Code zu erhalten, und geben Sie ihn dann hier ein.
error-code-used-title = Code bereits verwendet
error-code-used-text = Dieser Code wurde bereits verwendet, das Gerät ist also wahrscheinlich angemeldet: Sehen Sie auf dem Gerät nach. Fordert es Sie weiterhin zur Anmeldung auf, starten Sie auf dem Gerät neu, um einen neuen Code zu erhalten.
error-pairing-bound-title = Bestätigen Sie es auf dem anderen Bildschirm
error-pairing-bound-text = Dieses Gerät wird über einen angemeldeten Browser hinzugefügt. Bestätigen Sie es auf der Seite „Gerät hinzufügen“, auf der sein Kopplungscode angezeigt wurde.
error-not-waiting-title = Nichts zu bestätigen
error-not-waiting-text = Diese Anfrage wartet nicht mehr: Sie wurde bereits beantwortet oder ist abgelaufen. Sehen Sie auf Ihrem Gerät nach: Ist es angemeldet, sind Sie fertig. Wenn nicht, starten Sie auf dem Gerät neu, um einen neuen Code zu erhalten.
error-device-not-found-title = Gerät nicht gefunden
error-device-not-found-text = Dieses Gerät ist nicht mit Ihrem Konto angemeldet. Vielleicht wurde es bereits abgemeldet.
error-not-found-title = Seite nicht gefunden
error-not-found-text = Unter dieser Adresse gibt es keine Seite. Prüfen Sie die Adresse, die Ihr Gerät anzeigt, oder geben Sie hier den Code des Geräts ein.
error-bad-link-title = Dieser Anmeldelink ist ungültig
error-internal-title = Etwas ist schiefgelaufen
error-internal-text = Bei uns ist etwas schiefgelaufen. Sie haben nichts falsch gemacht. Versuchen Sie es gleich noch einmal. Wenn das weiterhin passiert, nennen Sie Ihrem Administrator die Referenz unten.
