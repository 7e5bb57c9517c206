"""A scripted, stdlib-only stub of the OpenAI chat-completions protocol.

Contract:

- ``OpenAIStub`` is a ``ThreadingHTTPServer`` on ``127.0.0.1`` (port 0: the OS picks a
  free port) served from a background thread; use it as a context manager, or call
  ``start()`` / ``close()``. ``base_url`` is ``http://127.0.0.1:<port>/v1``, ready for
  ``openai.AsyncOpenAI(base_url=...)`` or ``ChatOpenAI(base_url=...)``.
- ``POST /v1/chat/completions`` answers with the next scripted behaviour (FIFO):
  - ``Reply(payload)`` (or a bare dict/str passed to ``script``): when the request has
    ``tools`` (function calling), the assistant message calls the forced tool
    (``tool_choice.function.name``, else the first tool) with ``payload`` as its
    arguments; when it has ``response_format``, or has neither, ``payload`` is the
    message ``content`` (dicts are JSON-encoded; strings are sent verbatim, which lets a
    test send malformed JSON);
  - ``HttpError(status, message)``: that HTTP status with an OpenAI-style error body;
  - ``Delay(seconds, then)``: sleep, then behave as ``then`` (default: an empty JSON
    object). Closing the stub wakes sleeping handlers, which then drop the connection,
    so a test that provoked a client timeout never waits for the delay to run out.
  With the script exhausted, the stub answers HTTP 500 "stub script exhausted".
- ``GET /v1/models`` lists one model, ``stub-model``.
- Every chat-completions request body is recorded, in arrival order, in ``requests``.

Connections are closed after each response (HTTP/1.0), so closing the stub never waits
on an idle keep-alive connection; ``close()`` joins every handler thread.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from collections import deque
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

__all__ = ["Behaviour", "Delay", "HttpError", "OpenAIStub", "Reply", "openai_stub"]

STUB_MODEL = "stub-model"


@dataclass(frozen=True)
class Reply:
    """Answer 200 with ``payload`` as tool-call arguments or as message content."""

    payload: Mapping[str, Any] | str


@dataclass(frozen=True)
class HttpError:
    """Answer with an HTTP error status and an OpenAI-style error body."""

    status: int = 500
    message: str = "stub: internal server error"


@dataclass(frozen=True)
class Delay:
    """Sleep ``seconds`` (interruptible by ``close()``), then behave as ``then``."""

    seconds: float
    then: Reply | HttpError | None = None


Behaviour = Reply | HttpError | Delay
"""One scripted answer."""


class _Server(ThreadingHTTPServer):
    daemon_threads = False  # close() joins the handler threads: nothing outlives a test
    block_on_close = True

    def __init__(self, stub: OpenAIStub) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.stub = stub

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that timed out and hung up is expected; keep test output quiet.
        if not isinstance(sys.exc_info()[1], OSError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.0"
    timeout = 10.0  # a client that never sends its request cannot block close() for long

    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_GET(self) -> None:
        if self.path.rstrip("/") == "/v1/models":
            model = {"id": STUB_MODEL, "object": "model", "created": 0, "owned_by": "stub"}
            self._send_json(200, {"object": "list", "data": [model]})
        else:
            self._send_error(404, f"stub: no route GET {self.path}")

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if self.path.rstrip("/") != "/v1/chat/completions":
            self._send_error(404, f"stub: no route POST {self.path}")
            return
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            self._send_error(400, "stub: request body is not JSON")
            return
        stub = self.server.stub
        behaviour = stub._record_and_pop(body)
        while isinstance(behaviour, Delay):
            if stub._closing.wait(behaviour.seconds):
                return  # the stub is closing: drop the connection without answering
            behaviour = behaviour.then if behaviour.then is not None else Reply({})
        if behaviour is None:
            self._send_error(500, "stub script exhausted")
        elif isinstance(behaviour, HttpError):
            self._send_error(behaviour.status, behaviour.message)
        elif body.get("stream"):
            self._send_error(400, "stub: streaming is not supported")
        else:
            self._send_json(200, _completion(body, behaviour.payload))

    def _send_error(self, status: int, message: str) -> None:
        error = {"message": message, "type": "server_error", "param": None, "code": None}
        self._send_json(status, {"error": error})

    def _send_json(self, status: int, payload: Mapping[str, Any]) -> None:
        data = json.dumps(payload).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except OSError:  # the client gave up (e.g. timed out) before the answer
            pass


def _completion(body: Mapping[str, Any], payload: Mapping[str, Any] | str) -> dict[str, Any]:
    text = payload if isinstance(payload, str) else json.dumps(payload)
    message: dict[str, Any] = {"role": "assistant", "content": text, "refusal": None}
    finish_reason = "stop"
    tools = body.get("tools") or []
    if tools:
        choice = body.get("tool_choice")
        name = None
        if isinstance(choice, Mapping):
            name = (choice.get("function") or {}).get("name")
        if name is None:
            name = tools[0]["function"]["name"]
        call = {
            "id": "call_stub_1",
            "type": "function",
            "function": {"name": name, "arguments": text},
        }
        message = {"role": "assistant", "content": None, "refusal": None, "tool_calls": [call]}
        finish_reason = "tool_calls"
    prompt_tokens = len(json.dumps(body.get("messages", []))) // 4
    completion_tokens = max(1, len(text) // 4)
    return {
        "id": "chatcmpl-stub",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body.get("model", STUB_MODEL),
        "choices": [
            {"index": 0, "message": message, "finish_reason": finish_reason, "logprobs": None}
        ],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }


class OpenAIStub:
    """A scripted OpenAI-compatible server on 127.0.0.1 (see the module docstring)."""

    def __init__(self, *behaviours: Behaviour | Mapping[str, Any] | str) -> None:
        self.requests: list[dict[str, Any]] = []
        """Bodies of the chat-completions requests received, in arrival order."""
        self._script: deque[Behaviour] = deque()
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self.script(*behaviours)

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>/v1``; only valid once started."""
        if self._server is None:
            raise RuntimeError("the stub is not running")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    def script(self, *behaviours: Behaviour | Mapping[str, Any] | str) -> None:
        """Append behaviours to the queue; a dict or str means ``Reply(it)``."""
        with self._lock:
            for b in behaviours:
                self._script.append(b if isinstance(b, Reply | HttpError | Delay) else Reply(b))

    @property
    def pending(self) -> int:
        """How many scripted behaviours have not been used yet."""
        with self._lock:
            return len(self._script)

    def start(self) -> OpenAIStub:
        if self._server is None:
            self._server = _Server(self)
            self._thread = threading.Thread(
                target=self._server.serve_forever,
                kwargs={"poll_interval": 0.05},
                name="openai-stub",
                daemon=True,
            )
            self._thread.start()
        return self

    def close(self) -> None:
        """Stop serving, wake delayed handlers, join every thread, close the socket."""
        if self._server is None:
            return
        self._closing.set()
        self._server.shutdown()
        self._server.server_close()  # joins the handler threads (block_on_close)
        if self._thread is not None:
            self._thread.join()
        self._server = None
        self._thread = None

    def _record_and_pop(self, body: dict[str, Any]) -> Behaviour | None:
        with self._lock:
            self.requests.append(body)
            return self._script.popleft() if self._script else None

    def __enter__(self) -> OpenAIStub:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


@contextmanager
def openai_stub(*behaviours: Behaviour | Mapping[str, Any] | str) -> Iterator[OpenAIStub]:
    """A running ``OpenAIStub`` scripted with ``behaviours``; closed on exit.

    Wire it as a pytest fixture with, e.g.::

        @pytest.fixture
        def stub() -> Iterator[OpenAIStub]:
            with openai_stub() as s:
                yield s
    """
    with OpenAIStub(*behaviours) as stub:
        yield stub
