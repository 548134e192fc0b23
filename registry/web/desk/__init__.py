"""The working user's desk: what needs their action, by role."""
