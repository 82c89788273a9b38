language-switcher = Sprache
language-switcher-hint = Sprache dieser Seiten wählen

ago-less-than-minute = vor weniger als einer Minute
ago-minutes = { $n ->
    [one] vor { $n } Minute
   *[other] vor { $n } Minuten
}
ago-hours = { $n ->
    [one] vor { $n } Stunde
   *[other] vor { $n } Stunden
}
ago-days = { $n ->
    [one] vor { $n } Tag
   *[other] vor { $n } Tagen
}
remaining-less-than-minute = weniger als eine Minute
remaining-minutes = { $n ->
    [one] { $n } Minute
   *[other] { $n } Minuten
}
remaining-hours = { $n ->
    [one] { $n } Stunde
   *[other] { $n } Stunden
}
remaining-days = { $n ->
    [one] { $n } Tag
   *[other] { $n } Tage
}
never = nie

date-time = { $day }. { $month } { $year }, { $time } UTC
month-1 = Jan.
month-2 = Feb.
month-3 = März
month-4 = Apr.
month-5 = Mai
month-6 = Juni
month-7 = Juli
month-8 = Aug.
month-9 = Sept.
month-10 = Okt.
month-11 = Nov.
month-12 = Dez.
