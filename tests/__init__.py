"""Pingshen tests."""
