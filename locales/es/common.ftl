language-switcher = Idioma
language-switcher-hint = Elige el idioma de estas páginas

ago-less-than-minute = hace menos de un minuto
ago-minutes = { $n ->
    [one] hace { $n } minuto
   *[other] hace { $n } minutos
}
ago-hours = { $n ->
    [one] hace { $n } hora
   *[other] hace { $n } horas
}
ago-days = { $n ->
    [one] hace { $n } día
   *[other] hace { $n } días
}
remaining-less-than-minute = menos de un minuto
remaining-minutes = { $n ->
    [one] { $n } minuto
   *[other] { $n } minutos
}
remaining-hours = { $n ->
    [one] { $n } hora
   *[other] { $n } horas
}
remaining-days = { $n ->
    [one] { $n } día
   *[other] { $n } días
}
never = nunca

date-time = { $day } { $month } { $year }, { $time } UTC
month-1 = ene
month-2 = feb
month-3 = mar
month-4 = abr
month-5 = may
month-6 = jun
month-7 = jul
month-8 = ago
month-9 = sept
month-10 = oct
month-11 = nov
month-12 = dic
