language-switcher = 言語
language-switcher-hint = このページの言語を選択

ago-less-than-minute = 1分以内
ago-minutes = { $n }分前
ago-hours = { $n }時間前
ago-days = { $n }日前
remaining-less-than-minute = 1分未満
remaining-minutes = { $n }分
remaining-hours = { $n }時間
remaining-days = { $n }日
never = なし

date-time = { $year }年{ $month-number }月{ $day }日 { $time } UTC
month-1 = 1月
month-2 = 2月
month-3 = 3月
month-4 = 4月
month-5 = 5月
month-6 = 6月
month-7 = 7月
month-8 = 8月
month-9 = 9月
month-10 = 10月
month-11 = 11月
month-12 = 12月
