# `usher device`, el cliente de dispositivo en terminal. Líneas junto al código QR: 44 columnas como máximo.

## Mientras el dispositivo espera.
cli-scan = Escanea el código QR con tu teléfono,
cli-or-open = o abre
cli-and-enter = e introduce { $code }
cli-phone-open = En tu teléfono, abre { $uri }
cli-larger-terminal = (Un terminal más grande muestra en su lugar un código QR para escanear).
cli-code-expires = El código caduca en { $duration } (a las { $time }).
cli-request-expires = La solicitud caduca en { $duration } (a las { $time }).
cli-pairing-approve =
    Aprueba este dispositivo en el navegador que mostró
    el código de vinculación (página «Añadir un dispositivo» de Usher).
cli-waiting = Esperando la aprobación en el teléfono… (quedan { $time })
cli-seconds = { $n ->
    [one] { $n } segundo
   *[other] { $n } segundos
}
cli-minutes = { $n ->
    [one] { $n } minuto
   *[other] { $n } minutos
}
cli-minutes-seconds = { $m } min { $s } s

## Resultados.
cli-signed-in = Sesión iniciada.
cli-denied = La solicitud se rechazó en el teléfono.
cli-expired = El código ha caducado; vuelve a ejecutar el comando.
cli-live-closed = El canal en directo se cerró; se consultará periódicamente.
cli-live-failed = El canal en directo falló ({ $error }); se consultará periódicamente.
cli-no-live-channel = El proveedor no tiene canal en directo; se consultará periódicamente.

## Los tokens recibidos.
cli-id-token = Token de ID
cli-access-token = Token de acceso
cli-claims = { $label }: notificaciones ({ $status }):
cli-signature-verified = firma verificada
cli-not-verified = NO verificado: { $reason }
cli-not-jwt = { $label }: no es un JWT ({ $reason })
cli-no-id-token = No hay token de ID (solicita el ámbito `openid`).
cli-scope = Ámbito:
cli-scope-not-stated = (no indicado: el solicitado)
cli-expires-in = Caduca en:
cli-not-stated = (no indicado)
cli-refresh-token = Token de actualización:
cli-refresh-issued = emitido
cli-refresh-not-issued = no emitido

## Errores.
cli-http-client-failed = no se pudo crear el cliente HTTP
cli-no-device-endpoint = el proveedor no anuncia ningún device_authorization_endpoint
cli-unreachable = no se pudo conectar con { $url }
cli-server-unreachable = no se pudo conectar con el servidor
cli-retrying = no se pudo conectar con el servidor ({ $error }); reintentando
cli-authorization-refused = se rechazó la autorización del dispositivo: { $reason }
cli-token-failed = la solicitud de token falló: { $reason }
cli-answered = { $url } respondió { $reason }
cli-bad-answer = respuesta no válida de { $url }
cli-read-failed = no se pudo leer la respuesta
cli-unexpected-response = respuesta inesperada ({ $status })
cli-unexpected-answer = respuesta inesperada
cli-live-broke = el canal en directo se interrumpió
cli-qr-failed = no se pudo crear el código QR
cli-no-jwks = el proveedor no tiene jwks_uri
cli-malformed-header = cabecera JWT mal formada
cli-unknown-kid = ninguna clave con kid «{ $kid }»
cli-no-kid = el token no indica ninguna clave (kid)
cli-unusable-key = clave inutilizable en el JWKS
