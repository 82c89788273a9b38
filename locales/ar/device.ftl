## /device: entering the code
device-title = ربط جهاز
device-check-match = تحقق من أن هذا الرمز يطابق الرمز الظاهر على جهازك.
device-check-match-hint = لا تتابع إلا إذا كنت ترى الرمز نفسه على التلفزيون أو الجهاز الآن.
device-enter-code = أدخل الرمز الظاهر على التلفزيون أو الجهاز.
device-code-label = الرمز
device-continue = متابعة
device-code-invalid = هذا الرمز غير صالح. تحقق من الرمز الظاهر على جهازك.
device-code-warning = لا تُدخل إلا رمزًا ظاهرًا على جهاز أمامك. لا تُدخل أبدًا رمزًا أرسله إليك شخص ما.

## /device/consent
device-consent-title = الموافقة على تسجيل الدخول
device-consent-heading = يريد <strong>{ $app }</strong> تسجيل الدخول باسم <strong>{ $user }</strong>
device-consent-lead = لا توافق إلا إذا كنت قد بدأت هذا بنفسك على جهازك الآن.
device-browser-sign-in = <strong>يؤدي هذا إلى تسجيل دخول متصفح ويب باسمك</strong>: المتصفح الذي يعرض هذا الرمز. سيتابع إلى { $app } ويمكنه استخدام حسابك.
device-browser-sign-in-hint = لا توافق إلا إذا كان ذلك المتصفح أمامك الآن. لا توافق أبدًا على رمز أرسله إليك شخص ما.
device-signed-in-as = تم تسجيل الدخول باسم <strong>{ $user }</strong>. لست أنت؟
device-sign-out = تسجيل الخروج

## The question: what the app may do, and the device asking
device-access-heading = سيتمكن من:
device-access-heading-app = سيتمكن { $app } من:
device-scope-openid = التأكد من أنك أنت (معرّف حسابك)
device-scope-profile = الاطلاع على اسمك واسم المستخدم
device-scope-email = الاطلاع على عنوان بريدك الإلكتروني
device-scope-offline-access = البقاء مسجَّل الدخول إلى أن تسجّل خروجه
device-scope-other = صلاحيات وصول أخرى
device-asking-heading = الجهاز الذي يطلب الدخول
device-reported-heading = بحسب ما أفاد به الجهاز
device-reported-note = اختار الجهاز هذه الكلمات بنفسه: يمكن لأي جهاز أن يسمّي نفسه بأي اسم، لذا تحقق من أنه الجهاز الذي أمامك.
device-observed-heading = ما رصده Usher
device-fact-name = الاسم
device-fact-model = الطراز
device-fact-system = النظام
device-fact-app-version = إصدار التطبيق
device-fact-software = البرنامج
device-fact-ip = عنوان IP
device-network-different = شبكة مختلفة عن شبكتك
device-network-same = الشبكة نفسها التي تستخدمها
device-fact-app = التطبيق
device-fact-asked = وقت الطلب
device-fact-code = الرمز
device-fact-expires = ينتهي خلال
device-expired-notice = انتهت صلاحية هذا الرمز. ابدأ من جديد على جهازك للحصول على رمز جديد، ثم أدخله هنا.
device-network-warning = <strong>يأتي هذا الطلب من شبكة مختلفة عن شبكتك.</strong> لا توافق إلا على جهاز موجود أمامك.
device-network-warning-hint = إذا أرسل إليك شخص ما هذا الرمز أو طلب منك إدخاله، فارفض: وإلا فسيتمكن من الدخول إلى حسابك.

## Approve and Deny, and the proof an approval needs
device-approve = موافقة
device-deny = رفض
device-approve-passkey = الموافقة باستخدام مفتاح المرور
device-approve-passkey-instead = الموافقة باستخدام مفتاح المرور بدلًا من ذلك
device-in-front = الجهاز أمامي، وقد بدأت هذا بنفسي
device-passkey-unsupported = لا يمكن لهذا المتصفح استخدام مفاتيح المرور هنا. وافق من هاتف أو متصفح يحتوي على مفتاح المرور الخاص بك.
device-refused-heading = تتطلب الموافقة خطوة إضافية
device-security-link = افتح صفحة الأمان
device-refused-no-passkey = تتطلب هذه الموافقة مفتاح مرور، وليس لدى هذا الحساب أي مفتاح بعد. أضف مفتاح مرور من صفحة الأمان (الحساب، ثم الأمان)، ثم حاول مرة أخرى.
device-refused-no-second-factor = يتطلب هذا التطبيق عاملًا ثانيًا للموافقة، وليس لدى هذا الحساب أي عامل ثانٍ بعد. أضف مفتاح مرور أو تطبيق مصادقة من صفحة الأمان (الحساب، ثم الأمان)، ثم حاول مرة أخرى.
device-proof-heading = أكّد هويتك
device-proof-passkey = للموافقة، أكّد باستخدام مفتاح المرور: سيطلب منك هاتفك بصمة الإصبع أو الوجه أو رمز PIN.
device-proof-password = سجّلت الدخول منذ مدة. للموافقة، أدخل كلمة المرور مرة أخرى.
device-proof-otp = يتطلب هذا التطبيق عاملًا ثانيًا. للموافقة، أدخل رمزًا من تطبيق المصادقة.
device-password-label = كلمة المرور
device-otp-label = رمز من تطبيق المصادقة (أو رمز استرداد)
device-wrong-password = كلمة المرور هذه غير صحيحة. أدخل كلمة مرور هذا الحساب.
device-password-missing = أدخل كلمة المرور للموافقة.
device-passkey-missing = أكّد باستخدام مفتاح المرور للموافقة.
device-otp-missing = أدخل رمزًا من تطبيق المصادقة (أو رمز استرداد) للموافقة.
device-wrong-otp = هذا الرمز غير صحيح. أدخل الرمز الحالي من تطبيق المصادقة.
device-in-front-missing = يأتي هذا الطلب من شبكة مختلفة. للموافقة عليه رغم ذلك، حدّد أولًا «الجهاز أمامي».
device-password-locked = محاولات كثيرة جدًا بكلمة مرور خاطئة. لحماية حسابك، أُوقفت الموافقة بكلمة المرور مؤقتًا: حاول مرة أخرى بعد { $wait }. لا يزال بإمكانك الرفض.
device-otp-locked = محاولات كثيرة جدًا برمز خاطئ. لحماية حسابك، أُوقفت الموافقة بالرمز مؤقتًا: حاول مرة أخرى بعد { $wait }. لا يزال بإمكانك الرفض.

## After a decision that was already made
device-already-approved-title = تمت الموافقة مسبقًا
device-already-approved-text = لقد وافقت على هذا الطلب من قبل، لذا فالجهاز مسجَّل الدخول. لتسجيل خروجه، افتح «أجهزتك».
device-already-denied-title = تم الرفض مسبقًا
device-already-denied-text = لقد رفضت هذا الطلب من قبل، لذا لم يُسجَّل دخول الجهاز. لتسجيل دخوله، ابدأ من جديد على الجهاز.
device-your-devices = أجهزتك
device-another-code = إدخال رمز آخر

## The pairing code page
device-pair-title = رمز الإقران
device-pair-heading = امسح هذا الرمز من التطبيق
device-pair-lead = يضيف رمز QR هذا جهازًا جديدًا إلى حسابك. افتح على ذلك الجهاز التطبيق الذي تريد تسجيل الدخول إليه، واختر تسجيل الدخول باستخدام رمز، ثم امسحه هناك.
