"""Matchers: inventory x vulnerability database -> vulnerability findings."""
