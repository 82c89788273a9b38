display-title-waiting = Inicia sesión en este dispositivo
display-title-expired = Código caducado
display-title-unknown = Código no pendiente
display-qr-alt = Código QR del enlace de inicio de sesión para el código { $code }
display-scan-or-open = Escanea el código QR con la cámara de tu teléfono o abre
display-then-enter = en tu teléfono e introduce
display-expires-in = Caduca en
display-check-again = Volver a comprobar

## Outcomes, shown in place when the phone decides
display-approved = Aprobado
display-approved-lead = Se ha aprobado el inicio de sesión. Este dispositivo está iniciando sesión.
display-denied = Inicio de sesión rechazado
display-denied-lead = El inicio de sesión se rechazó en el teléfono. Si fue un error, vuelve a empezar en este dispositivo para obtener un código nuevo.
display-expired = Este código ha caducado
display-expired-lead = Nadie lo aprobó a tiempo, así que ya no se puede usar. Vuelve a empezar en este dispositivo para obtener un código nuevo.
display-unknown = Este código no está esperando ningún inicio de sesión
display-unknown-lead = Usher no reconoce el código de la dirección de esta página: puede que caducara hace tiempo o que haya una letra equivocada. Vuelve a empezar en el dispositivo: mostrará un código nuevo y abrirá esta página con él.
