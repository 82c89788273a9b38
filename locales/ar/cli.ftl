# ‏`usher device`، عميل الأجهزة في الطرفية. الأسطر بجانب رمز QR لا تتجاوز 44 عمودًا.

## أثناء انتظار الجهاز.
cli-scan = امسح رمز QR بهاتفك،
cli-or-open = أو افتح
cli-and-enter = وأدخل الرمز { $code }
cli-phone-open = افتح على هاتفك { $uri }
cli-larger-terminal = (تعرض نافذة طرفية أكبر رمز QR لمسحه بدلًا من ذلك.)
cli-code-expires = تنتهي صلاحية الرمز بعد { $duration } (في { $time }).
cli-request-expires = تنتهي صلاحية الطلب بعد { $duration } (في { $time }).
cli-pairing-approve =
    وافق على هذا الجهاز في المتصفح الذي عرض رمز الاقتران
    (صفحة «إضافة جهاز» في Usher).
cli-waiting = بانتظار الموافقة على الهاتف… (المتبقي { $time })
cli-seconds = { $n ->
    [zero] { $n } ثانية
    [one] ثانية واحدة
    [two] ثانيتين
    [few] { $n } ثوانٍ
    [many] { $n } ثانية
   *[other] { $n } ثانية
}
cli-minutes = { $n ->
    [zero] { $n } دقيقة
    [one] دقيقة واحدة
    [two] دقيقتين
    [few] { $n } دقائق
    [many] { $n } دقيقة
   *[other] { $n } دقيقة
}
cli-minutes-seconds = { $m } د { $s } ث

## النتائج.
cli-signed-in = تم تسجيل الدخول.
cli-denied = تم رفض الطلب على الهاتف.
cli-expired = انتهت صلاحية الرمز؛ شغّل الأمر مرة أخرى.
cli-live-closed = أُغلقت القناة المباشرة؛ سيتم الاستعلام الدوري بدلًا من ذلك.
cli-live-failed = تعطّلت القناة المباشرة ({ $error })؛ سيتم الاستعلام الدوري بدلًا من ذلك.
cli-no-live-channel = لا يوفّر المزوّد قناة مباشرة؛ سيتم الاستعلام الدوري بدلًا من ذلك.

## الرموز المستلمة.
cli-id-token = رمز الهوية
cli-access-token = رمز الوصول
cli-claims = مطالبات { $label } ({ $status }):
cli-signature-verified = تم التحقق من التوقيع
cli-not-verified = لم يتم التحقق: { $reason }
cli-not-jwt = { $label }: ليس JWT ({ $reason })
cli-no-id-token = لا يوجد رمز هوية (اطلب النطاق `openid`).
cli-scope = النطاق:
cli-scope-not-stated = (غير مذكور: كما طُلب)
cli-expires-in = ينتهي بعد:
cli-not-stated = (غير مذكور)
cli-refresh-token = رمز التحديث:
cli-refresh-issued = صادر
cli-refresh-not-issued = غير صادر

## الأخطاء.
cli-http-client-failed = تعذّر إنشاء عميل HTTP
cli-no-device-endpoint = لا يعلن المزوّد عن device_authorization_endpoint
cli-unreachable = تعذّر الوصول إلى { $url }
cli-server-unreachable = تعذّر الوصول إلى الخادم
cli-retrying = تعذّر الوصول إلى الخادم ({ $error })؛ جارٍ إعادة المحاولة
cli-authorization-refused = رُفض تفويض الجهاز: { $reason }
cli-token-failed = فشل طلب الرمز: { $reason }
cli-answered = ردّ { $url } بـ { $reason }
cli-bad-answer = استجابة غير صالحة من { $url }
cli-read-failed = تعذّرت قراءة الاستجابة
cli-unexpected-response = استجابة غير متوقعة ({ $status })
cli-unexpected-answer = إجابة غير متوقعة
cli-live-broke = انقطعت القناة المباشرة
cli-qr-failed = تعذّر إنشاء رمز QR
cli-no-jwks = لا يوفّر المزوّد jwks_uri
cli-malformed-header = ترويسة JWT غير سليمة
cli-unknown-kid = لا يوجد مفتاح بالمعرّف kid «{ $kid }»
cli-no-kid = لا يحدد الرمز أي مفتاح (kid)
cli-unusable-key = مفتاح غير صالح للاستخدام في JWKS
