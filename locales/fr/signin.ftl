## Page de connexion (/login)
signin-title = Se connecter
signin-purpose-app = Connectez-vous pour continuer vers <strong>{ $app }</strong>.
signin-purpose-device = Connectez-vous pour associer un appareil à <strong>{ $app }</strong>.
signin-purpose-other-browser = Connectez-vous pour continuer vers <strong>{ $app }</strong> sur votre autre écran.
signin-purpose-account = Connectez-vous à votre compte.
signin-purpose-device-code = Connectez-vous pour associer un appareil.
signin-step-up = Cette application vous demande de confirmer avec une clé d’accès ou un code à usage unique.
signin-passkey-button = Se connecter avec une clé d’accès
signin-or = ou
signin-or-password = ou utilisez votre mot de passe
signin-username = Nom d’utilisateur
signin-password = Mot de passe
signin-submit = Se connecter
signin-wrong-credentials = Nom d’utilisateur ou mot de passe incorrect.

## « Se connecter avec un code QR » sur la page de connexion
signin-qr-button = Se connecter avec un code QR
signin-qr-button-hint = Scannez un code avec un téléphone sur lequel vous êtes déjà connecté.

## Deuxième étape (/login/otp)
signin-otp-title = Validation en deux étapes
signin-otp-lead = Saisissez le code à 6 chiffres de votre application d’authentification.
signin-otp-recovery-lead = Saisissez l’un de vos codes de récupération. Chaque code ne fonctionne qu’une seule fois.
signin-otp-code = Code
signin-otp-recovery-code = Code de récupération
signin-otp-use-app = Utiliser votre application d’authentification
signin-otp-use-recovery = Utiliser un code de récupération
signin-otp-wrong-code = Ce code est incorrect. Saisissez le code affiché en ce moment par votre application.
signin-continue = Continuer

## Connexion par code QR (/login/qr)
signin-qr-title = Se connecter avec un code QR
signin-qr-lead = Scannez ce code avec un téléphone sur lequel vous êtes connecté pour continuer vers <strong>{ $app }</strong>.
signin-qr-step-scan = Pointez l’appareil photo de votre téléphone vers le code et ouvrez le lien.
signin-qr-step-compare = Vérifiez que votre téléphone affiche le code <strong class="code">{ $code }</strong>.
signin-qr-step-approve = Approuvez. Cette page continuera d’elle-même.
signin-qr-noscript = Une fois que vous avez approuvé sur votre téléphone, cette page continue en quelques secondes. Sinon, <a href="{ $href }">vérifiez à nouveau</a>.
signin-qr-expired-title = Ce code QR a expiré
signin-qr-expired-text = Un code de connexion n’est valable que quelques minutes, et un code expiré ne peut pas être réutilisé. Obtenez un nouveau code pour réessayer.
signin-qr-denied-title = Connexion refusée
signin-qr-denied-text = La connexion a été refusée sur le téléphone. Ce code ne peut pas être réutilisé.
signin-qr-new-code = Afficher un nouveau code
signin-qr-password-instead = Se connecter plutôt avec un mot de passe

## Code QR et temps restant (aussi sur l’écran TV)
signin-qr-image-alt = Code QR du lien de connexion pour le code { $code }
signin-qr-expires-in = Expire dans <span data-clock>{ $clock }</span>
signin-qr-no-camera = Pas d’appareil photo ? Ouvrez <strong>{ $uri }</strong> sur votre téléphone et saisissez le code.

## Trop de codes erronés
signin-locked-out-title = Trop de codes erronés
signin-locked-out-text = Pour protéger les comptes, la saisie des codes est suspendue { $scope ->
    [session] dans ce navigateur
    [server] pour tout le monde pendant un moment
   *[network] pour votre réseau
}. D’ici là, aucun code n’est accepté, pas même le bon.
signin-locked-out-wait = Revenez et réessayez dans <strong>{ $wait }</strong>. En attendant, vérifiez le code sur votre appareil : s’il a expiré, recommencez sur l’appareil pour en obtenir un nouveau.

## Déconnexion demandée par une application (/oauth2/logout)
signin-logout-title = Se déconnecter
signin-logout-heading = Se déconnecter d’Usher ?
signin-logout-asked-by = <strong>{ $app }</strong> a demandé à vous déconnecter.
signin-logout-asked-by-unknown = Une application a demandé à vous déconnecter.
signin-logout-button = Se déconnecter
signin-logout-stay = Rester connecté

## Retour à l’application
signin-returning-title = Redirection
signin-returning-to = Retour vers { $app }
signin-returning-to-unknown = Retour vers l’application
signin-returning-hint = Si rien ne se passe, appuyez sur « Continuer ».

## Consentement d’une application web
signin-consent-title = Autoriser l’accès
signin-consent-heading = <strong>{ $app }</strong> souhaite vous connecter en tant que <strong>{ $user }</strong>
signin-consent-return-to = Vous reviendrez ensuite sur <span class="code-inline">{ $host }</span>.
signin-consent-access = Cette application pourra
signin-consent-allow = Autoriser
signin-consent-deny = Refuser
signin-consent-withdraw = Vous pourrez retirer cette autorisation plus tard sur <a href="/account/consents">la page de votre compte</a>.

## Liens de connexion non valides
signin-error-malformed-link = Le lien de connexion est mal formé.
signin-error-repeated-parameter = Le lien de connexion répète un paramètre ou contient des caractères non autorisés.
signin-error-no-client-id = L’application n’a pas indiqué qui elle est (client_id manquant).
signin-error-unknown-client = Cette application n’est pas enregistrée ici.
signin-error-unregistered-redirect = L’application a demandé à vous envoyer vers une adresse qu’elle n’a pas enregistrée.
signin-error-request-expired = Cette connexion a expiré. Revenez à l’application et recommencez.
signin-error-bad-logout-link = Le lien de déconnexion n’est pas valide.

## Clés d’accès
signin-passkey-signed-out = Vous êtes déconnecté. Reconnectez-vous et réessayez.
signin-passkey-unavailable = Les clés d’accès ne sont pas disponibles sur ce serveur.
signin-passkey-too-slow = Cela a pris trop de temps. Veuillez réessayer.
signin-passkey-unknown = Cette clé d’accès n’est pas enregistrée ici. Elle a peut-être été supprimée.
signin-passkey-not-verified = Votre clé d’accès n’a pas pu être vérifiée. Déverrouillez-la avec votre empreinte digitale, votre visage ou votre code PIN, puis réessayez.
signin-passkey-already-registered = Cette clé d’accès est déjà enregistrée.
signin-passkey-inactive = Ce compte ne peut pas se connecter.
signin-passkey-server-error = Un problème est survenu de notre côté. Veuillez réessayer dans un instant.
signin-passkey-reconfirm = Confirmez d’abord votre identité : saisissez à nouveau votre mot de passe.
signin-passkey-none-yet = Ce compte n’a pas encore de clé d’accès.
signin-passkey-page-expired = Cette page a expiré. Actualisez-la et réessayez.
signin-passkey-unreadable = La réponse de la clé d’accès n’a pas pu être lue. Veuillez réessayer.
signin-passkey-not-used = La clé d’accès n’a pas été utilisée. Réessayez ou utilisez votre mot de passe.
signin-passkey-failed = Un problème est survenu. Veuillez réessayer.
