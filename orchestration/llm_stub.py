"""A local stand-in for an LLM: a deterministic server speaking the OpenAI protocol.

Contract: `LocalLLM` serves `POST /v1/chat/completions` and `GET /v1/models` on
127.0.0.1 from a background thread (a context manager; `base_url` ends in `/v1`). It
answers the engine's narration requests (`agents.llm`): it reads the items from the user
message and returns, for each, a shorter rewrite of its draft, the text up to the first
colon and space, else the draft unchanged, so every number it cites is one the draft cites and the
engine's faithfulness check accepts it. With `tools` in the request it answers with a
call of the forced tool, with `response_format` as JSON content. It lets the demo and a
developer exercise the whole LLM path with no network and no model. `mediaplan llm-stub`
serves it until Ctrl-C and prints the environment that points the engine at it.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

__all__ = ["MODEL", "LocalLLM", "register", "rewrite"]

MODEL = "mediaplan-local-stub"


def rewrite(draft: str) -> str:
    """The stub's "editing": the draft's first clause, which carries its main claim."""
    head, sep, _ = draft.partition(": ")  # channel ids contain a bare colon
    return f"{head.strip()}." if sep and len(head) > 20 else draft


def _answer(body: dict[str, Any]) -> dict[str, Any]:
    user = next((m["content"] for m in body.get("messages", []) if m.get("role") == "user"), "")
    start = user.find("{")
    items = json.loads(user[start:]).get("items", []) if start >= 0 else []
    payload = {"texts": {item["id"]: rewrite(item["draft"]) for item in items}}
    message: dict[str, Any] = {"role": "assistant", "content": None}
    tools = body.get("tools") or []
    if tools:
        forced = (body.get("tool_choice") or {}).get("function", {}).get("name")
        name = forced or tools[0]["function"]["name"]
        message["tool_calls"] = [
            {
                "id": "call_0",
                "type": "function",
                "function": {"name": name, "arguments": json.dumps(payload)},
            }
        ]
    else:
        message["content"] = json.dumps(payload)
    return {
        "id": "chatcmpl-local",
        "object": "chat.completion",
        "created": 0,
        "model": body.get("model", MODEL),
        "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
    }


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _send(self, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        if self.path.rstrip("/").endswith("/models"):
            self._send(200, {"object": "list", "data": [{"id": MODEL, "object": "model"}]})
        else:
            self._send(404, {"error": {"message": f"no route {self.path}"}})

    def do_POST(self) -> None:
        if not self.path.rstrip("/").endswith("/chat/completions"):
            self._send(404, {"error": {"message": f"no route {self.path}"}})
            return
        length = int(self.headers.get("Content-Length") or 0)
        try:
            body = json.loads(self.rfile.read(length) or b"{}")
            self._send(200, _answer(body))
        except (ValueError, KeyError, TypeError) as exc:
            self._send(400, {"error": {"message": f"cannot read the request: {exc}"}})


class LocalLLM:
    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._server = ThreadingHTTPServer((host, port), _Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    def env(self) -> dict[str, str]:
        """The variables that point the engine at this server."""
        return {"MEDIAPLAN_LLM_BASE_URL": self.base_url, "MEDIAPLAN_LLM_MODEL": MODEL}

    def start(self) -> LocalLLM:
        self._thread.start()
        return self

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> LocalLLM:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _serve(args: argparse.Namespace) -> int:
    with LocalLLM(port=args.port) as llm:
        for key, value in llm.env().items():
            print(f"export {key}={value}", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "llm-stub", help="serve a deterministic local stand-in for an OpenAI-compatible LLM"
    )
    p.add_argument("--port", type=int, default=8011)
    p.set_defaults(func=_serve)
