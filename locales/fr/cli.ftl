# `usher device`, le client d’appareil en terminal. Lignes à côté du code QR : 44 colonnes au plus.

## Pendant que l’appareil attend.
cli-scan = Scannez le code QR avec votre téléphone,
cli-or-open = ou ouvrez
cli-and-enter = et saisissez { $code }
cli-phone-open = Sur votre téléphone, ouvrez { $uri }
cli-larger-terminal = (Un terminal plus grand affiche plutôt un code QR à scanner.)
cli-code-expires = Le code expire dans { $duration } (à { $time }).
cli-request-expires = La demande expire dans { $duration } (à { $time }).
cli-pairing-approve =
    Approuvez cet appareil dans le navigateur qui a affiché
    le code d’association (page « Ajouter un appareil » d’Usher).
cli-waiting = En attente d’approbation sur le téléphone… (encore { $time })
cli-seconds = { $n ->
    [one] { $n } seconde
   *[other] { $n } secondes
}
cli-minutes = { $n ->
    [one] { $n } minute
   *[other] { $n } minutes
}
cli-minutes-seconds = { $m } min { $s } s

## Résultats.
cli-signed-in = Connecté.
cli-denied = La demande a été refusée sur le téléphone.
cli-expired = Le code a expiré ; relancez la commande.
cli-live-closed = Le canal en direct s’est fermé ; interrogation régulière à la place.
cli-live-failed = Le canal en direct a échoué ({ $error }) ; interrogation régulière à la place.
cli-no-live-channel = Le fournisseur n’a pas de canal en direct ; interrogation régulière à la place.

## Les jetons reçus.
cli-id-token = Jeton d’identité
cli-access-token = Jeton d’accès
cli-claims = { $label } : revendications ({ $status }) :
cli-signature-verified = signature vérifiée
cli-not-verified = NON vérifié : { $reason }
cli-not-jwt = { $label } : pas un JWT ({ $reason })
cli-no-id-token = Aucun jeton d’identité (demandez le scope `openid`).
cli-scope = Portée :
cli-scope-not-stated = (non précisée : celle demandée)
cli-expires-in = Expire dans :
cli-not-stated = (non précisé)
cli-refresh-token = Jeton d’actualisation :
cli-refresh-issued = émis
cli-refresh-not-issued = non émis

## Erreurs.
cli-http-client-failed = impossible de créer le client HTTP
cli-no-device-endpoint = le fournisseur n’annonce aucun device_authorization_endpoint
cli-unreachable = impossible de joindre { $url }
cli-server-unreachable = impossible de joindre le serveur
cli-retrying = impossible de joindre le serveur ({ $error }) ; nouvelle tentative
cli-authorization-refused = l’autorisation de l’appareil a été refusée : { $reason }
cli-token-failed = la demande de jeton a échoué : { $reason }
cli-answered = { $url } a répondu { $reason }
cli-bad-answer = réponse invalide de { $url }
cli-read-failed = impossible de lire la réponse
cli-unexpected-response = réponse inattendue ({ $status })
cli-unexpected-answer = réponse inattendue
cli-live-broke = le canal en direct s’est interrompu
cli-qr-failed = impossible de créer le code QR
cli-no-jwks = le fournisseur n’a pas de jwks_uri
cli-malformed-header = en-tête JWT mal formé
cli-unknown-kid = aucune clé avec le kid « { $kid } »
cli-no-kid = le jeton ne désigne aucune clé (kid)
cli-unusable-key = clé inutilisable dans le JWKS
