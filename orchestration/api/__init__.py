"""The HTTP API: `create_app(client)` returns the FastAPI app (see `app`)."""

from orchestration.api.app import create_app

__all__ = ["create_app"]
