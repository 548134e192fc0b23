"""Entries (people, collectives, initiatives), their photos, awards, replications, import and export."""
