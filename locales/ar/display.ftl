display-title-waiting = سجّل الدخول على هذا الجهاز
display-title-expired = انتهت صلاحية الرمز
display-title-unknown = الرمز ليس قيد الانتظار
display-qr-alt = رمز QR لرابط تسجيل الدخول للرمز { $code }
display-scan-or-open = امسح رمز QR بكاميرا هاتفك، أو افتح
display-then-enter = على هاتفك وأدخل
display-expires-in = ينتهي خلال
display-check-again = تحقّق مرة أخرى

## Outcomes, shown in place when the phone decides
display-approved = تمت الموافقة
display-approved-lead = تمت الموافقة على تسجيل الدخول. يجري الآن تسجيل دخول هذا الجهاز.
display-denied = رُفض تسجيل الدخول
display-denied-lead = رُفض تسجيل الدخول على الهاتف. إذا كان ذلك عن طريق الخطأ، فابدأ من جديد على هذا الجهاز للحصول على رمز جديد.
display-expired = انتهت صلاحية هذا الرمز
display-expired-lead = لم يوافق عليه أحد في الوقت المحدد، لذا لم يعد من الممكن استخدامه. ابدأ من جديد على هذا الجهاز للحصول على رمز جديد.
display-unknown = هذا الرمز لا ينتظر تسجيل دخول
display-unknown-lead = لا يعرف Usher الرمز الموجود في عنوان هذه الصفحة: ربما انتهت صلاحيته منذ مدة، أو أن أحد الأحرف خاطئ. ابدأ من جديد على الجهاز: سيعرض رمزًا جديدًا ويفتح هذه الصفحة له.
