"""Migration scripts, one module per revision (Alembic skips this file)."""
