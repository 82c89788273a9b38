language-switcher = اللغة
language-switcher-hint = اختر لغة هذه الصفحات

ago-less-than-minute = منذ أقل من دقيقة
ago-minutes = { $n ->
    [one] منذ دقيقة واحدة
    [two] منذ دقيقتين
    [few] منذ { $n } دقائق
   *[other] منذ { $n } دقيقة
}
ago-hours = { $n ->
    [one] منذ ساعة واحدة
    [two] منذ ساعتين
    [few] منذ { $n } ساعات
   *[other] منذ { $n } ساعة
}
ago-days = { $n ->
    [one] منذ يوم واحد
    [two] منذ يومين
    [few] منذ { $n } أيام
   *[other] منذ { $n } يوم
}
remaining-less-than-minute = أقل من دقيقة
remaining-minutes = { $n ->
    [one] دقيقة واحدة
    [two] دقيقتان
    [few] { $n } دقائق
   *[other] { $n } دقيقة
}
remaining-hours = { $n ->
    [one] ساعة واحدة
    [two] ساعتان
    [few] { $n } ساعات
   *[other] { $n } ساعة
}
remaining-days = { $n ->
    [one] يوم واحد
    [two] يومان
    [few] { $n } أيام
   *[other] { $n } يومًا
}
never = أبدًا

date-time = { $day } { $month } { $year }، { $time } UTC
month-1 = يناير
month-2 = فبراير
month-3 = مارس
month-4 = أبريل
month-5 = مايو
month-6 = يونيو
month-7 = يوليو
month-8 = أغسطس
month-9 = سبتمبر
month-10 = أكتوبر
month-11 = نوفمبر
month-12 = ديسمبر
