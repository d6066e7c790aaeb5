"""Framework integrations (each imports its framework lazily)."""
