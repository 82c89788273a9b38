## /device: entering the code
device-title = Connecter un appareil
device-check-match = Vérifiez que ce code correspond à celui affiché sur votre appareil.
device-check-match-hint = Ne continuez que si vous voyez ce même code sur votre téléviseur ou votre appareil en ce moment.
device-enter-code = Saisissez le code affiché sur votre téléviseur ou votre appareil.
device-code-label = Code
device-continue = Continuer
device-code-invalid = Ce code n’est pas valide. Vérifiez le code affiché sur votre appareil.
device-code-warning = Ne saisissez qu’un code affiché sur un appareil qui se trouve devant vous. Ne saisissez jamais un code que quelqu’un vous a envoyé.

## /device/consent
device-consent-title = Autoriser la connexion
device-consent-heading = <strong>{ $app }</strong> souhaite se connecter en tant que <strong>{ $user }</strong>
device-consent-lead = N’autorisez que si vous venez de lancer cette demande vous-même, sur votre propre appareil.
device-browser-sign-in = <strong>Cette action connecte un navigateur web à votre compte</strong> : celui qui affiche ce code. Il accède ensuite à { $app } et peut utiliser votre compte.
device-browser-sign-in-hint = N’autorisez que si ce navigateur se trouve devant vous en ce moment. N’autorisez jamais un code que quelqu’un vous a envoyé.
device-signed-in-as = Connecté en tant que <strong>{ $user }</strong>. Ce n’est pas vous ?
device-sign-out = Se déconnecter

## The question: what the app may do, and the device asking
device-access-heading = Il pourra :
device-access-heading-app = { $app } pourra :
device-scope-openid = Confirmer qu’il s’agit bien de vous (l’identifiant de votre compte)
device-scope-profile = Voir votre nom et votre nom d’utilisateur
device-scope-email = Voir votre adresse e-mail
device-scope-offline-access = Rester connecté jusqu’à ce que vous le déconnectiez
device-scope-other = Autre accès
device-asking-heading = L’appareil à l’origine de la demande
device-reported-heading = Déclaré par l’appareil
device-reported-note = L’appareil a choisi ces mots lui-même : n’importe quel appareil peut se donner n’importe quel nom. Vérifiez donc qu’il s’agit bien de celui qui est devant vous.
device-observed-heading = Constaté par Usher
device-fact-name = Nom
device-fact-model = Modèle
device-fact-system = Système
device-fact-app-version = Version de l’application
device-fact-software = Logiciel
device-fact-ip = Adresse IP
device-network-different = un autre réseau que le vôtre
device-network-same = le même réseau que vous
device-fact-app = Application
device-fact-asked = Demandé
device-fact-code = Code
device-fact-expires = Expire dans
device-expired-notice = Ce code a expiré. Recommencez sur votre appareil pour obtenir un nouveau code, puis saisissez-le ici.
device-network-warning = <strong>Cette demande provient d’un autre réseau que le vôtre.</strong> N’autorisez qu’un appareil qui se trouve devant vous.
device-network-warning-hint = Si quelqu’un vous a envoyé ce code ou vous a demandé de le saisir, refusez : cette personne accéderait à votre compte.

## Approve and Deny, and the proof an approval needs
device-approve = Autoriser
device-deny = Refuser
device-approve-passkey = Autoriser avec une clé d’accès
device-approve-passkey-instead = Autoriser plutôt avec une clé d’accès
device-in-front = L’appareil est devant moi et j’ai lancé cette demande moi-même
device-passkey-unsupported = Ce navigateur ne peut pas utiliser de clé d’accès ici. Autorisez depuis un téléphone ou un navigateur qui dispose de votre clé d’accès.
device-refused-heading = Une étape de plus est nécessaire pour autoriser
device-security-link = Ouvrir votre page Sécurité
device-refused-no-passkey = Cette autorisation nécessite une clé d’accès, et ce compte n’en a pas encore. Ajoutez une clé d’accès sur votre page Sécurité (Compte, puis Sécurité), puis réessayez.
device-refused-no-second-factor = Cette application exige un second facteur pour autoriser, et ce compte n’en a pas encore. Ajoutez une clé d’accès ou une application d’authentification sur votre page Sécurité (Compte, puis Sécurité), puis réessayez.
device-proof-heading = Confirmez votre identité
device-proof-passkey = Pour autoriser, confirmez avec votre clé d’accès : votre téléphone vous demande votre empreinte digitale, votre visage ou votre code PIN.
device-proof-password = Vous vous êtes connecté il y a un moment. Pour autoriser, saisissez à nouveau votre mot de passe.
device-proof-otp = Cette application exige un second facteur. Pour autoriser, saisissez un code de votre application d’authentification.
device-password-label = Mot de passe
device-otp-label = Code de votre application d’authentification (ou code de récupération)
device-wrong-password = Ce mot de passe est incorrect. Saisissez le mot de passe de ce compte.
device-password-missing = Saisissez votre mot de passe pour autoriser.
device-passkey-missing = Confirmez avec votre clé d’accès pour autoriser.
device-otp-missing = Saisissez un code de votre application d’authentification (ou un code de récupération) pour autoriser.
device-wrong-otp = Ce code est incorrect. Saisissez le code actuel de votre application d’authentification.
device-in-front-missing = Cette demande provient d’un autre réseau. Pour l’autoriser malgré tout, cochez d’abord « L’appareil est devant moi ».
device-password-locked = Trop de mots de passe incorrects. Pour protéger votre compte, l’autorisation par mot de passe est suspendue : réessayez dans { $wait }. Vous pouvez toujours refuser.
device-otp-locked = Trop de codes incorrects. Pour protéger votre compte, l’autorisation par code est suspendue : réessayez dans { $wait }. Vous pouvez toujours refuser.

## After a decision that was already made
device-already-approved-title = Déjà autorisée
device-already-approved-text = Vous avez déjà autorisé cette demande : l’appareil est donc connecté. Pour le déconnecter, ouvrez Vos appareils.
device-already-denied-title = Déjà refusée
device-already-denied-text = Vous avez déjà refusé cette demande : l’appareil n’a donc pas été connecté. Pour le connecter, recommencez sur l’appareil.
device-your-devices = Vos appareils
device-another-code = Saisir un autre code

## The pairing code page
device-pair-title = Code d’association
device-pair-heading = Scannez ce code depuis l’application
device-pair-lead = Ce code QR ajoute un nouvel appareil à votre compte. Sur cet appareil, ouvrez l’application dans laquelle vous voulez vous connecter, choisissez de vous connecter avec un code, puis scannez-le.
