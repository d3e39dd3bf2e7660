"""Pure domain code: entities, scoring, matching, lifecycle, analytics. No I/O."""
