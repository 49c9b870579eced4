"""Use cases: functions ``verb_noun(session, ...)`` that never commit and return frozen rows."""
