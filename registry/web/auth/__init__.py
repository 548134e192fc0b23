"""Signing in and out, the user's password, and their notices."""
