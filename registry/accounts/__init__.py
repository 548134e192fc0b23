"""Accounts: users, roles, passwords and sign-in attempts."""
