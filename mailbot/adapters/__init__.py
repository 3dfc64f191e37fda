"""I/O at the edges: IMAP, SMTP, the SQL register and the file store."""
