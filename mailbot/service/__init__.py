"""Use cases: poll the mailbox, deliver replies, answer staff questions. No library calls here."""
