"""Real loopback mail servers (Dovecot IMAP, aiosmtpd SMTP) for the test suite."""
