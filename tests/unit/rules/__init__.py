"""Unit tests of the judging rules, one file per rule module."""
