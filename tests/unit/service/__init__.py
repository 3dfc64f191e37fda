"""Unit tests of mailbot.service that need no ports."""
