"""Probes for the process manager and the load balancer: /healthz (alive) and /readyz (can serve)."""
