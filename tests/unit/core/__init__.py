"""Unit tests of mailbot.core."""
