msg-action-enter-code = Introducir un código
msg-action-sign-in-another = Iniciar sesión en otro dispositivo
msg-action-enter-another = Introducir otro código
msg-action-sign-in-device = Iniciar sesión en un dispositivo

msg-approved-other-browser-title = El otro navegador ha iniciado sesión
msg-approved-other-browser-text = El otro navegador ya ha iniciado sesión y continúa por su cuenta. Puedes cerrar esta página.
msg-approved-terminal-title = Sesión iniciada en el terminal
msg-approved-terminal-text = Tu terminal ha iniciado sesión. Puedes volver a él y cerrar esta página.
msg-approved-device-title = Sesión iniciada en el dispositivo
msg-approved-tv-text = Has iniciado sesión en tu televisor. Ya puedes volver a tu televisor.
msg-approved-device-text = Has iniciado sesión en tu dispositivo. Ya puedes volver a tu dispositivo.

msg-denied-title = Solicitud denegada
msg-denied-text = El dispositivo no ha iniciado sesión y no puede usar tu cuenta. Si no lo iniciaste tú, no tienes que hacer nada más. Si fue un error, vuelve a empezar en el dispositivo para obtener un código nuevo.

msg-signed-out-title = Sesión cerrada
msg-signed-out-text = Has cerrado sesión en Usher en este navegador.

msg-try-again-in = Vuelve a intentarlo dentro de <strong>{ $wait }</strong>.
msg-reference = Referencia:

error-action-your-devices = Tus dispositivos
error-action-enter-the-new-code = Introducir el código nuevo
error-action-enter-a-new-code = Introducir un código nuevo

error-form-title = Algo ha fallado con el formulario
error-form-text = No se ha podido leer el formulario. Vuelve atrás, recarga la página e inténtalo de nuevo.
error-csrf-title = El formulario ha caducado
error-csrf-text = La página estuvo abierta mucho tiempo o el formulario venía de otro sitio. No se ha cambiado nada. Vuelve a empezar desde la página anterior.
error-too-many-title = Demasiados intentos
error-too-many-text = Para proteger tu cuenta, el inicio de sesión está en pausa durante un rato. Nada de lo que escribas ahora funcionará, ni siquiera la contraseña o el código correctos.
error-expired-code-title = Código caducado
error-expired-code-text = Este código ha caducado: los códigos solo sirven durante unos minutos. En tu dispositivo, vuelve a iniciar sesión para obtener un código nuevo e introdúcelo aquí.
error-code-used-title = Código ya utilizado
error-code-used-text = Este código ya se ha utilizado, así que probablemente su dispositivo ya ha iniciado sesión: compruébalo en el dispositivo. Si todavía te pide iniciar sesión, vuelve a empezar en el dispositivo para obtener un código nuevo.
error-pairing-bound-title = Apruébalo en la otra pantalla
error-pairing-bound-text = Este dispositivo se está añadiendo desde un navegador con la sesión iniciada. Apruébalo en la página «Añadir un dispositivo» donde se mostró su código de vinculación.
error-not-waiting-title = Nada que aprobar
error-not-waiting-text = Esta solicitud ya no está esperando: ya se respondió o ha caducado. Comprueba tu dispositivo: si ha iniciado sesión, ya has terminado. Si no, vuelve a empezar en el dispositivo para obtener un código nuevo.
error-device-not-found-title = Dispositivo no encontrado
error-device-not-found-text = Este dispositivo no tiene sesión iniciada en tu cuenta. Puede que ya se haya cerrado su sesión.
error-not-found-title = Página no encontrada
error-not-found-text = No hay ninguna página en esta dirección. Comprueba la dirección que muestra tu dispositivo o introduce aquí el código del dispositivo.
error-bad-link-title = Este enlace de inicio de sesión no es válido
error-internal-title = Algo ha fallado
error-internal-text = Algo ha fallado por nuestra parte. No es culpa tuya. Vuelve a intentarlo en un momento; si sigue ocurriendo, comunica a tu administrador la referencia que aparece abajo.
