## Página de inicio de sesión (/login)
signin-title = Iniciar sesión
signin-purpose-app = Inicia sesión para continuar en <strong>{ $app }</strong>.
signin-purpose-device = Inicia sesión para conectar un dispositivo a <strong>{ $app }</strong>.
signin-purpose-other-browser = Inicia sesión para continuar en <strong>{ $app }</strong> en tu otra pantalla.
signin-purpose-account = Inicia sesión en tu cuenta.
signin-purpose-device-code = Inicia sesión para conectar un dispositivo.
signin-step-up = Esta aplicación te pide que confirmes con una llave de acceso o un código de un solo uso.
signin-passkey-button = Iniciar sesión con una llave de acceso
signin-or = o
signin-or-password = o usa tu contraseña
signin-username = Nombre de usuario
signin-password = Contraseña
signin-submit = Iniciar sesión
signin-wrong-credentials = El nombre de usuario o la contraseña no son correctos.

## «Iniciar sesión con código QR» en la página de inicio de sesión
signin-qr-button = Iniciar sesión con código QR
signin-qr-button-hint = Escanea un código con un teléfono en el que ya hayas iniciado sesión.

## Segundo paso (/login/otp)
signin-otp-title = Verificación en dos pasos
signin-otp-lead = Introduce el código de 6 dígitos de tu aplicación de autenticación.
signin-otp-recovery-lead = Introduce uno de tus códigos de recuperación. Cada código solo funciona una vez.
signin-otp-code = Código
signin-otp-recovery-code = Código de recuperación
signin-otp-use-app = Usar tu aplicación de autenticación
signin-otp-use-recovery = Usar un código de recuperación
signin-otp-wrong-code = Ese código no es correcto. Introduce el código que muestra ahora tu aplicación.
signin-continue = Continuar

## Inicio de sesión con código QR (/login/qr)
signin-qr-title = Iniciar sesión con código QR
signin-qr-lead = Escanea este código con un teléfono en el que hayas iniciado sesión para continuar en <strong>{ $app }</strong>.
signin-qr-step-scan = Apunta la cámara del teléfono al código y abre el enlace.
signin-qr-step-compare = Comprueba que tu teléfono muestra el código <strong class="code">{ $code }</strong>.
signin-qr-step-approve = Apruébalo. Esta página continuará sola.
signin-qr-noscript = Cuando lo apruebes en tu teléfono, esta página continuará en unos segundos. Si no lo hace, <a href="{ $href }">vuelve a comprobarlo</a>.
signin-qr-expired-title = Este código QR ha caducado
signin-qr-expired-text = Un código de inicio de sesión solo sirve durante unos minutos y un código caducado no se puede volver a usar. Obtén un código nuevo para intentarlo otra vez.
signin-qr-denied-title = Inicio de sesión rechazado
signin-qr-denied-text = El inicio de sesión se ha rechazado en el teléfono. Este código no se puede volver a usar.
signin-qr-new-code = Mostrar un código nuevo
signin-qr-password-instead = Iniciar sesión con contraseña

## Código QR con el tiempo restante (también en la pantalla de TV)
signin-qr-image-alt = Código QR del enlace de inicio de sesión para el código { $code }
signin-qr-expires-in = Caduca en <span data-clock>{ $clock }</span>
signin-qr-no-camera = ¿No tienes cámara? Abre <strong>{ $uri }</strong> en tu teléfono e introduce el código.

## Demasiados códigos incorrectos
signin-locked-out-title = Demasiados códigos incorrectos
signin-locked-out-text = Para proteger las cuentas, la introducción de códigos está en pausa { $scope ->
    [session] en este navegador
    [server] para todos durante un momento
   *[network] para tu red
}. Hasta entonces no se acepta ningún código, ni siquiera el correcto.
signin-locked-out-wait = Vuelve a intentarlo dentro de <strong>{ $wait }</strong>. Mientras tanto, comprueba el código en tu dispositivo: si ha caducado, empieza de nuevo allí para obtener uno nuevo.

## Cierre de sesión solicitado por una aplicación (/oauth2/logout)
signin-logout-title = Cerrar sesión
signin-logout-heading = ¿Cerrar sesión en Usher?
signin-logout-asked-by = <strong>{ $app }</strong> ha pedido cerrar tu sesión.
signin-logout-asked-by-unknown = Una aplicación ha pedido cerrar tu sesión.
signin-logout-button = Cerrar sesión
signin-logout-stay = Mantener la sesión iniciada

## Volver a la aplicación
signin-returning-title = Continuando
signin-returning-to = Volviendo a { $app }
signin-returning-to-unknown = Volviendo a la aplicación
signin-returning-hint = Si no pasa nada, pulsa «Continuar».

## Consentimiento de una aplicación web
signin-consent-title = Permitir acceso
signin-consent-heading = <strong>{ $app }</strong> quiere que inicies sesión como <strong>{ $user }</strong>
signin-consent-return-to = Después volverás a <span class="code-inline">{ $host }</span>.
signin-consent-access = Esta aplicación podrá
signin-consent-allow = Permitir
signin-consent-deny = Denegar
signin-consent-withdraw = Puedes retirar este permiso más adelante en <a href="/account/consents">la página de tu cuenta</a>.

## Enlaces de inicio de sesión no válidos
signin-error-malformed-link = El enlace de inicio de sesión no tiene un formato válido.
signin-error-repeated-parameter = El enlace de inicio de sesión repite un parámetro o contiene caracteres no permitidos.
signin-error-no-client-id = La aplicación no ha indicado quién es (falta client_id).
signin-error-unknown-client = Esta aplicación no está registrada aquí.
signin-error-unregistered-redirect = La aplicación ha pedido enviarte a una dirección que no tiene registrada.
signin-error-request-expired = Este inicio de sesión ha caducado. Vuelve a la aplicación y empieza de nuevo.
signin-error-bad-logout-link = El enlace para cerrar sesión no es válido.

## Llaves de acceso
signin-passkey-signed-out = Tu sesión se ha cerrado. Vuelve a iniciar sesión e inténtalo otra vez.
signin-passkey-unavailable = Las llaves de acceso no están disponibles en este servidor.
signin-passkey-too-slow = Ha tardado demasiado. Inténtalo de nuevo.
signin-passkey-unknown = Esta llave de acceso no está registrada aquí. Puede que se haya eliminado.
signin-passkey-not-verified = No se ha podido verificar tu llave de acceso. Desbloquéala con tu huella, tu cara o tu PIN e inténtalo de nuevo.
signin-passkey-already-registered = Esta llave de acceso ya está registrada.
signin-passkey-inactive = Esta cuenta no puede iniciar sesión.
signin-passkey-server-error = Algo ha fallado por nuestra parte. Inténtalo de nuevo en un momento.
signin-passkey-reconfirm = Primero confirma que eres tú: vuelve a introducir tu contraseña.
signin-passkey-none-yet = Esta cuenta aún no tiene ninguna llave de acceso.
signin-passkey-page-expired = Esta página ha caducado. Vuelve a cargarla e inténtalo de nuevo.
signin-passkey-unreadable = No se ha podido leer la respuesta de la llave de acceso. Inténtalo de nuevo.
signin-passkey-not-used = No se ha usado la llave de acceso. Inténtalo de nuevo o usa tu contraseña.
signin-passkey-failed = Algo ha fallado. Inténtalo de nuevo.
