// store suite: pending
