display-title-waiting = Connecter cet appareil
display-title-expired = Code expiré
display-title-unknown = Code non attendu
display-qr-alt = Code QR du lien de connexion pour le code { $code }
display-scan-or-open = Scannez le code QR avec l’appareil photo de votre téléphone, ou ouvrez
display-then-enter = sur votre téléphone et saisissez
display-expires-in = Expire dans
display-check-again = Vérifier à nouveau

## Outcomes, shown in place when the phone decides
display-approved = Autorisée
display-approved-lead = La connexion a été autorisée. Cet appareil se connecte.
display-denied = Connexion refusée
display-denied-lead = La connexion a été refusée sur le téléphone. Si c’était une erreur, recommencez sur cet appareil pour obtenir un nouveau code.
display-expired = Ce code a expiré
display-expired-lead = Personne ne l’a autorisé à temps : il ne peut plus être utilisé. Recommencez sur cet appareil pour obtenir un nouveau code.
display-unknown = Ce code n’attend aucune connexion
display-unknown-lead = Usher ne connaît pas le code figurant dans l’adresse de cette page : il a peut-être expiré depuis un moment, ou une lettre est erronée. Recommencez sur l’appareil : il affichera un nouveau code et ouvrira cette page pour celui-ci.
