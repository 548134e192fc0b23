"""The read-only JSON API under /api/v1/: open data for journalists and other sites."""
from registry.web.api import catalogue, conditional, docs, entries, views  # noqa: F401  (routes register on import)
