msg-action-enter-code = Saisir un code
msg-action-sign-in-another = Connecter un autre appareil
msg-action-enter-another = Saisir un autre code
msg-action-sign-in-device = Connecter un appareil

msg-approved-other-browser-title = L’autre navigateur est connecté
msg-approved-other-browser-text = L’autre navigateur est maintenant connecté et continue tout seul. Vous pouvez fermer cette page.
msg-approved-terminal-title = Terminal connecté
msg-approved-terminal-text = Votre terminal est connecté. Vous pouvez y retourner et fermer cette page.
msg-approved-device-title = Appareil connecté
msg-approved-tv-text = Vous êtes connecté sur votre téléviseur. Vous pouvez retourner à votre téléviseur.
msg-approved-device-text = Vous êtes connecté sur votre appareil. Vous pouvez retourner à votre appareil.

msg-denied-title = Demande refusée
msg-denied-text = L’appareil n’a pas été connecté et ne peut pas utiliser votre compte. Si vous n’êtes pas à l’origine de cette demande, vous n’avez rien d’autre à faire. S’il s’agit d’une erreur, recommencez sur l’appareil pour obtenir un nouveau code.

msg-signed-out-title = Déconnecté
msg-signed-out-text = Vous êtes déconnecté d’Usher sur ce navigateur.

msg-try-again-in = Réessayez dans <strong>{ $wait }</strong>.
msg-reference = Référence :

error-action-your-devices = Vos appareils
error-action-enter-the-new-code = Saisir le nouveau code
error-action-enter-a-new-code = Saisir un nouveau code

error-form-title = Un problème est survenu avec le formulaire
error-form-text = Le formulaire n’a pas pu être lu. Revenez en arrière, actualisez la page et réessayez.
error-csrf-title = Votre formulaire a expiré
error-csrf-text = La page est restée ouverte longtemps, ou le formulaire provenait d’un autre site. Rien n’a été modifié. Recommencez depuis la page précédente.
error-too-many-title = Trop de tentatives
error-too-many-text = Pour protéger votre compte, la connexion est suspendue pendant un moment. Rien de ce que vous saisissez maintenant ne peut fonctionner, même le bon mot de passe ou le bon code.
error-expired-code-title = Code expiré
error-expired-code-text = Ce code a expiré : les codes ne sont valables que quelques minutes. Sur votre appareil, relancez la connexion pour obtenir un nouveau code, puis saisissez-le ici.
error-code-used-title = Code déjà utilisé
error-code-used-text = Ce code a déjà été utilisé : son appareil est donc probablement connecté. Vérifiez l’appareil. S’il vous demande encore de vous connecter, recommencez sur l’appareil pour obtenir un nouveau code.
error-pairing-bound-title = Approuvez-le sur l’autre écran
error-pairing-bound-text = Cet appareil est ajouté depuis un navigateur connecté. Approuvez-le sur la page « Ajouter un appareil » où son code d’association s’est affiché.
error-not-waiting-title = Rien à approuver
error-not-waiting-text = Cette demande n’est plus en attente : elle a déjà reçu une réponse, ou elle a expiré. Vérifiez votre appareil : s’il est connecté, c’est terminé. Sinon, recommencez sur l’appareil pour obtenir un nouveau code.
error-device-not-found-title = Appareil introuvable
error-device-not-found-text = Cet appareil n’est pas connecté à votre compte. Il a peut-être déjà été déconnecté.
error-not-found-title = Page introuvable
error-not-found-text = Il n’y a aucune page à cette adresse. Vérifiez l’adresse affichée sur votre appareil, ou saisissez ici le code de l’appareil.
error-bad-link-title = Ce lien de connexion n’est pas valide
error-internal-title = Un problème est survenu
error-internal-text = Un problème est survenu de notre côté. Vous n’y êtes pour rien. Réessayez dans un instant ; si le problème persiste, communiquez la référence ci-dessous à votre administrateur.
