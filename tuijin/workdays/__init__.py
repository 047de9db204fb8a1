"""工作日历: the shared Chinese working-day calendar (statutory holidays, 调休 make-up workdays, office overrides)."""
