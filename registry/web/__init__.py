"""The web layer: one blueprint package per audience, each only views and forms."""
