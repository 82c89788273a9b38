## صفحة تسجيل الدخول (/login)
signin-title = تسجيل الدخول
signin-purpose-app = سجّل الدخول للمتابعة إلى <strong><bdi>{ $app }</bdi></strong>.
signin-purpose-device = سجّل الدخول لربط جهاز بـ<strong><bdi>{ $app }</bdi></strong>.
signin-purpose-other-browser = سجّل الدخول للمتابعة إلى <strong><bdi>{ $app }</bdi></strong> على شاشتك الأخرى.
signin-purpose-account = سجّل الدخول إلى حسابك.
signin-purpose-device-code = سجّل الدخول لربط جهاز.
signin-step-up = يطلب منك هذا التطبيق التأكيد باستخدام مفتاح مرور أو رمز صالح لمرة واحدة.
signin-passkey-button = تسجيل الدخول باستخدام مفتاح مرور
signin-or = أو
signin-or-password = أو استخدم كلمة المرور
signin-username = اسم المستخدم
signin-password = كلمة المرور
signin-submit = تسجيل الدخول
signin-wrong-credentials = اسم المستخدم أو كلمة المرور غير صحيحة.

## «تسجيل الدخول باستخدام رمز QR» في صفحة تسجيل الدخول
signin-qr-button = تسجيل الدخول باستخدام رمز QR
signin-qr-button-hint = امسح رمزًا بهاتف سجّلت الدخول عليه من قبل.

## الخطوة الثانية (/login/otp)
signin-otp-title = التحقق بخطوتين
signin-otp-lead = أدخل الرمز المكوّن من 6 أرقام من تطبيق المصادقة.
signin-otp-recovery-lead = أدخل أحد رموز الاسترداد. يصلح كل رمز لمرة واحدة فقط.
signin-otp-code = الرمز
signin-otp-recovery-code = رمز الاسترداد
signin-otp-use-app = استخدام تطبيق المصادقة
signin-otp-use-recovery = استخدام رمز استرداد
signin-otp-wrong-code = هذا الرمز غير صحيح. أدخل الرمز الذي يعرضه تطبيقك الآن.
signin-continue = متابعة

## تسجيل الدخول باستخدام رمز QR (/login/qr)
signin-qr-title = تسجيل الدخول باستخدام رمز QR
signin-qr-lead = امسح هذا الرمز بهاتف سجّلت الدخول عليه للمتابعة إلى <strong><bdi>{ $app }</bdi></strong>.
signin-qr-step-scan = وجّه كاميرا هاتفك نحو الرمز وافتح الرابط.
signin-qr-step-compare = تأكّد من أن هاتفك يعرض الرمز <strong class="code"><bdi>{ $code }</bdi></strong>.
signin-qr-step-approve = وافِق، وستتابع هذه الصفحة تلقائيًا.
signin-qr-noscript = بعد موافقتك على هاتفك، ستتابع هذه الصفحة خلال ثوانٍ. وإن لم يحدث ذلك، <a href="{ $href }">فتحقّق مرة أخرى</a>.
signin-qr-expired-title = انتهت صلاحية رمز QR هذا
signin-qr-expired-text = يصلح رمز تسجيل الدخول لبضع دقائق فقط، ولا يمكن استخدام رمز منتهي الصلاحية مرة أخرى. احصل على رمز جديد وحاول مرة أخرى.
signin-qr-denied-title = رُفض تسجيل الدخول
signin-qr-denied-text = رُفض تسجيل الدخول على الهاتف. لا يمكن استخدام هذا الرمز مرة أخرى.
signin-qr-new-code = عرض رمز جديد
signin-qr-password-instead = تسجيل الدخول بكلمة المرور بدلًا من ذلك

## رمز QR والوقت المتبقي (يظهر أيضًا على شاشة التلفزيون)
signin-qr-image-alt = رمز QR لرابط تسجيل الدخول الخاص بالرمز { $code }
signin-qr-expires-in = تنتهي الصلاحية خلال <bdi><span data-clock>{ $clock }</span></bdi>
signin-qr-no-camera = لا توجد كاميرا؟ افتح <strong><bdi>{ $uri }</bdi></strong> على هاتفك وأدخل الرمز.

## رموز خاطئة كثيرة جدًا
signin-locked-out-title = رموز خاطئة كثيرة جدًا
signin-locked-out-text = لحماية حسابات الناس، أُوقف إدخال الرموز مؤقتًا { $scope ->
    [session] في هذا المتصفح
    [server] للجميع لبعض الوقت
   *[network] على شبكتك
}. وحتى ذلك الحين لن يُقبل أي رمز، ولا حتى الرمز الصحيح.
signin-locked-out-wait = عُد وحاول مرة أخرى بعد انقضاء المدة المتبقية: <strong>{ $wait }</strong>. وفي الأثناء، تحقّق من الرمز على جهازك: إذا انتهت صلاحيته، فابدأ من جديد على الجهاز للحصول على رمز جديد.

## تسجيل الخروج بطلب من تطبيق (/oauth2/logout)
signin-logout-title = تسجيل الخروج
signin-logout-heading = هل تريد تسجيل الخروج من Usher؟
signin-logout-asked-by = طلب <strong><bdi>{ $app }</bdi></strong> تسجيل خروجك.
signin-logout-asked-by-unknown = طلب أحد التطبيقات تسجيل خروجك.
signin-logout-button = تسجيل الخروج
signin-logout-stay = البقاء مسجّلًا للدخول

## العودة إلى التطبيق
signin-returning-title = جارٍ المتابعة
signin-returning-to = جارٍ العودة إلى <bdi>{ $app }</bdi>
signin-returning-to-unknown = جارٍ العودة إلى التطبيق
signin-returning-hint = إذا لم يحدث شيء، فاضغط «متابعة».

## موافقة تطبيق ويب
signin-consent-title = السماح بالوصول
signin-consent-heading = يريد <strong><bdi>{ $app }</bdi></strong> تسجيل دخولك باسم <strong><bdi>{ $user }</bdi></strong>
signin-consent-return-to = ستعود بعد ذلك إلى <span class="code-inline"><bdi>{ $host }</bdi></span>.
signin-consent-access = سيتمكّن هذا التطبيق من
signin-consent-allow = سماح
signin-consent-deny = رفض
signin-consent-withdraw = يمكنك سحب هذا الإذن لاحقًا من <a href="/account/consents">صفحة حسابك</a>.

## روابط تسجيل دخول غير صالحة
signin-error-malformed-link = رابط تسجيل الدخول غير سليم التنسيق.
signin-error-repeated-parameter = يكرّر رابط تسجيل الدخول أحد المعاملات أو يحتوي على أحرف غير مسموح بها.
signin-error-no-client-id = لم يعرّف التطبيق بنفسه (client_id مفقود).
signin-error-unknown-client = هذا التطبيق غير مسجّل هنا.
signin-error-unregistered-redirect = طلب التطبيق توجيهك إلى عنوان لم يسجّله.
signin-error-request-expired = انتهت صلاحية عملية تسجيل الدخول هذه. ارجع إلى التطبيق وابدأ من جديد.
signin-error-bad-logout-link = رابط تسجيل الخروج غير صالح.

## مفاتيح المرور
signin-passkey-signed-out = لقد سُجّل خروجك. سجّل الدخول مرة أخرى ثم أعد المحاولة.
signin-passkey-unavailable = مفاتيح المرور غير متاحة على هذا الخادم.
signin-passkey-too-slow = استغرق ذلك وقتًا طويلًا. يُرجى المحاولة مرة أخرى.
signin-passkey-unknown = مفتاح المرور هذا غير مسجّل هنا. ربما تمت إزالته.
signin-passkey-not-verified = تعذّر التحقق من مفتاح المرور. افتح قفله ببصمة الإصبع أو الوجه أو رقم التعريف الشخصي (PIN) وحاول مرة أخرى.
signin-passkey-already-registered = مفتاح المرور هذا مسجّل من قبل.
signin-passkey-inactive = لا يمكن لهذا الحساب تسجيل الدخول.
signin-passkey-server-error = حدث خطأ من جهتنا. يُرجى المحاولة مرة أخرى بعد قليل.
signin-passkey-reconfirm = أكّد هويتك أولًا: أدخل كلمة المرور مرة أخرى.
signin-passkey-none-yet = لا يوجد مفتاح مرور لهذا الحساب بعد.
signin-passkey-page-expired = انتهت صلاحية هذه الصفحة. أعد تحميلها وحاول مرة أخرى.
signin-passkey-unreadable = تعذّرت قراءة استجابة مفتاح المرور. يُرجى المحاولة مرة أخرى.
signin-passkey-not-used = لم يُستخدم مفتاح المرور. حاول مرة أخرى أو استخدم كلمة المرور.
signin-passkey-failed = حدث خطأ ما. يُرجى المحاولة مرة أخرى.
