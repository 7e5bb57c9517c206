"""Local emulators that the unmodified official SDKs talk to (see connectors/README.md)."""
