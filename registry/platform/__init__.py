"""What every request stands on: database set-up, caches, security headers, logs, health, backups, templating."""
