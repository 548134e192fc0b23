"""Photo files, served by content hash with long-lived cache headers."""
