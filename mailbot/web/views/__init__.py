"""One blueprint per page family: log, board, units, quarantine, users."""
