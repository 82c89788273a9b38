## /device: entering the code
device-title = Conectar un dispositivo
device-check-match = Comprueba que este código coincide con el de tu dispositivo.
device-check-match-hint = Continúa solo si ves ese mismo código en tu televisor o dispositivo ahora mismo.
device-enter-code = Introduce el código que aparece en tu televisor o dispositivo.
device-code-label = Código
device-continue = Continuar
device-code-invalid = Ese código no es válido. Comprueba el código de tu dispositivo.
device-code-warning = Introduce solo un código que aparezca en un dispositivo que tengas delante. Nunca introduzcas un código que te haya enviado otra persona.

## /device/consent
device-consent-title = Aprobar inicio de sesión
device-consent-heading = <strong>{ $app }</strong> quiere iniciar sesión como <strong>{ $user }</strong>
device-consent-lead = Aprueba solo si acabas de iniciar esto tú en tu propio dispositivo.
device-browser-sign-in = <strong>Esto inicia sesión con tu cuenta en un navegador web</strong>: el que muestra este código. Continuará a { $app } y podrá usar tu cuenta.
device-browser-sign-in-hint = Aprueba solo si tienes ese navegador delante ahora mismo. Nunca apruebes un código que te haya enviado otra persona.
device-signed-in-as = Has iniciado sesión como <strong>{ $user }</strong>. ¿No eres tú?
device-sign-out = Cerrar sesión

## The question: what the app may do, and the device asking
device-access-heading = Podrá:
device-access-heading-app = { $app } podrá:
device-scope-openid = Confirmar que eres tú (el ID de tu cuenta)
device-scope-profile = Ver tu nombre y tu nombre de usuario
device-scope-email = Ver tu dirección de correo electrónico
device-scope-offline-access = Mantener la sesión iniciada hasta que la cierres
device-scope-other = Otros accesos
device-asking-heading = El dispositivo que lo solicita
device-reported-heading = Según el dispositivo
device-reported-note = El propio dispositivo eligió estas palabras: cualquier dispositivo puede llamarse como quiera, así que comprueba que es el que tienes delante.
device-observed-heading = Según Usher
device-fact-name = Nombre
device-fact-model = Modelo
device-fact-system = Sistema
device-fact-app-version = Versión de la app
device-fact-software = Software
device-fact-ip = Dirección IP
device-network-different = una red distinta de la tuya
device-network-same = la misma red que tú
device-fact-app = App
device-fact-asked = Solicitado
device-fact-code = Código
device-fact-expires = Caduca en
device-expired-notice = Este código ha caducado. Vuelve a empezar en tu dispositivo para obtener un código nuevo y luego introdúcelo aquí.
device-network-warning = <strong>Esta solicitud viene de una red distinta de la tuya.</strong> Aprueba solo un dispositivo que tengas delante.
device-network-warning-hint = Si alguien te ha enviado este código o te ha pedido que lo introduzcas, recházalo: esa persona entraría en tu cuenta.

## Approve and Deny, and the proof an approval needs
device-approve = Aprobar
device-deny = Rechazar
device-approve-passkey = Aprobar con llave de acceso
device-approve-passkey-instead = Aprobar con llave de acceso en su lugar
device-in-front = Tengo el dispositivo delante y he iniciado esto yo
device-passkey-unsupported = Este navegador no puede usar llaves de acceso aquí. Aprueba desde un teléfono o navegador que tenga tu llave de acceso.
device-refused-heading = Para aprobar falta un paso más
device-security-link = Abrir tu página de seguridad
device-refused-no-passkey = Para aprobar esto se necesita una llave de acceso, y esta cuenta aún no tiene ninguna. Añade una llave de acceso en tu página de seguridad (Cuenta y luego Seguridad) y vuelve a intentarlo.
device-refused-no-second-factor = Esta app requiere un segundo factor para aprobar, y esta cuenta aún no tiene ninguno. Añade una llave de acceso o una app de autenticación en tu página de seguridad (Cuenta y luego Seguridad) y vuelve a intentarlo.
device-proof-heading = Confirma que eres tú
device-proof-passkey = Para aprobar, confirma con tu llave de acceso: tu teléfono te pedirá la huella, la cara o el PIN.
device-proof-password = Iniciaste sesión hace un rato. Para aprobar, vuelve a introducir tu contraseña.
device-proof-otp = Esta app requiere un segundo factor. Para aprobar, introduce un código de tu app de autenticación.
device-password-label = Contraseña
device-otp-label = Código de tu app de autenticación (o un código de recuperación)
device-wrong-password = Esa contraseña no es correcta. Introduce la contraseña de esta cuenta.
device-password-missing = Introduce tu contraseña para aprobar.
device-passkey-missing = Confirma con tu llave de acceso para aprobar.
device-otp-missing = Introduce un código de tu app de autenticación (o un código de recuperación) para aprobar.
device-wrong-otp = Ese código no es correcto. Introduce el código actual de tu app de autenticación.
device-in-front-missing = Esta solicitud viene de una red distinta. Para aprobarla de todos modos, marca primero «Tengo el dispositivo delante».
device-password-locked = Demasiadas contraseñas incorrectas. Para proteger tu cuenta, la aprobación con contraseña está en pausa: vuelve a intentarlo en { $wait }. Aún puedes rechazarla.
device-otp-locked = Demasiados códigos incorrectos. Para proteger tu cuenta, la aprobación con código está en pausa: vuelve a intentarlo en { $wait }. Aún puedes rechazarla.

## After a decision that was already made
device-already-approved-title = Ya aprobada
device-already-approved-text = Ya aprobaste esta solicitud, así que el dispositivo tiene la sesión iniciada. Para cerrarla, abre Tus dispositivos.
device-already-denied-title = Ya rechazada
device-already-denied-text = Ya rechazaste esta solicitud, así que el dispositivo no ha iniciado sesión. Para iniciarla, vuelve a empezar en el dispositivo.
device-your-devices = Tus dispositivos
device-another-code = Introducir otro código

## The pairing code page
device-pair-title = Código de vinculación
device-pair-heading = Escanea este código desde la app
device-pair-lead = Este código QR añade un dispositivo nuevo a tu cuenta. En ese dispositivo, abre la app en la que quieres iniciar sesión, elige iniciar sesión con un código y escanéalo ahí.
