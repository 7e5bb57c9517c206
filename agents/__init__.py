"""mediaplan planning engine."""
