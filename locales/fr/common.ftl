language-switcher = Langue
language-switcher-hint = Choisir la langue de ces pages

ago-less-than-minute = il y a moins d’une minute
ago-minutes = { $n ->
    [one] il y a { $n } minute
   *[other] il y a { $n } minutes
}
ago-hours = { $n ->
    [one] il y a { $n } heure
   *[other] il y a { $n } heures
}
ago-days = { $n ->
    [one] il y a { $n } jour
   *[other] il y a { $n } jours
}
remaining-less-than-minute = moins d’une minute
remaining-minutes = { $n ->
    [one] { $n } minute
   *[other] { $n } minutes
}
remaining-hours = { $n ->
    [one] { $n } heure
   *[other] { $n } heures
}
remaining-days = { $n ->
    [one] { $n } jour
   *[other] { $n } jours
}
never = jamais

date-time = { $day } { $month } { $year }, { $time } UTC
month-1 = janv.
month-2 = févr.
month-3 = mars
month-4 = avr.
month-5 = mai
month-6 = juin
month-7 = juil.
month-8 = août
month-9 = sept.
month-10 = oct.
month-11 = nov.
month-12 = déc.
