"""Pytest fixtures over the test support code.

Register them for the whole suite with ``pytest_plugins = ["tests.support.fixtures"]`` in
the root ``conftest.py`` (or import the fixture names there).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.openai_stub import OpenAIStub, openai_stub

__all__ = ["openai_stub_server"]


@pytest.fixture
def openai_stub_server() -> Iterator[OpenAIStub]:
    """A running, empty-scripted ``OpenAIStub``; script it with ``.script(...)``."""
    with openai_stub() as stub:
        yield stub
