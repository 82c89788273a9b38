# The frame of every page, and words several pages share.

language-switcher = Language
language-switcher-hint = Choose the language of these pages

## Durations. "ago-*" say how long ago; "remaining-*" how much time is left.
ago-less-than-minute = less than a minute ago
ago-minutes = { $n ->
    [one] { $n } minute ago
   *[other] { $n } minutes ago
}
ago-hours = { $n ->
    [one] { $n } hour ago
   *[other] { $n } hours ago
}
ago-days = { $n ->
    [one] { $n } day ago
   *[other] { $n } days ago
}
remaining-less-than-minute = less than a minute
remaining-minutes = { $n ->
    [one] { $n } minute
   *[other] { $n } minutes
}
remaining-hours = { $n ->
    [one] { $n } hour
   *[other] { $n } hours
}
remaining-days = { $n ->
    [one] { $n } day
   *[other] { $n } days
}
never = never

## Dates: $day, $month (a name below), $month-number, $year, $time (24-hour, UTC).
date-time = { $day } { $month } { $year }, { $time } UTC
month-1 = Jan
month-2 = Feb
month-3 = Mar
month-4 = Apr
month-5 = May
month-6 = Jun
month-7 = Jul
month-8 = Aug
month-9 = Sep
month-10 = Oct
month-11 = Nov
month-12 = Dec
