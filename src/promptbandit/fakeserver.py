"""A small OpenAI-compatible chat server on 127.0.0.1 for tests and benchmarks.

It answers ``POST /v1/chat/completions`` after a configurable latency, deterministically from the request
(the same messages always get the same reply), and can inject faults at given rates: HTTP 429 with a
``Retry-After`` header, HTTP 500, a hang (no answer for `hang_s` seconds) and a 200 response whose body
is not JSON. Written on asyncio streams from the standard library so that it adds well under a
millisecond per request and can sustain hundreds of requests per second on one core.

Use it in-process (`FakeServer` as a context manager runs it in a background thread) or as a separate
process: ``python -m promptbandit.fakeserver --port 8765 --latency 0.2``.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import random
import re
import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

FAULTS = ("429", "500", "hang", "malformed")
_QUESTION = re.compile(r"What is (-?\d+) ([+\-\u00d7*]) (-?\d+)\?")


@dataclass(frozen=True)
class ServerSettings:
    """How the fake server behaves.

    Attributes:
        latency_s: seconds before every answer.
        faults: rate of each fault kind (keys from `FAULTS`), drawn per request.
        retry_after: value of the Retry-After header sent with 429 (seconds).
        hang_s: how long a hanging request waits before the connection is closed without an answer.
        seed: seeds the fault draws.
        status: answer every chat request with this HTTP error status instead (for error-path tests).
        body: answer every chat request with HTTP 200 and exactly these bytes (for malformed answers).
        echo_auth: a careless server: its error messages and replies repeat the request's Authorization header
            (for the test that a key never reaches a file, even when a server sends it back).
    """

    latency_s: float = 0.0
    faults: dict[str, float] = field(default_factory=dict)
    retry_after: float = 0.05
    hang_s: float = 2.0
    seed: int = 0
    status: int | None = None
    body: bytes | None = None
    echo_auth: bool = False


def reply_for(messages: list[dict[str, Any]]) -> str:
    """The deterministic answer to a chat request.

    An arithmetic question ("What is 37 + 48?") is answered right or wrong, with a chance of being right
    that depends on the system message, so different prefixes have visibly different rewards. Any other
    request gets a fixed short reply.

    >>> reply_for([{"role": "user", "content": "Reply with OK."}])
    'OK'
    """
    system = " ".join(str(m.get("content", "")) for m in messages if m.get("role") == "system")
    user = " ".join(str(m.get("content", "")) for m in messages if m.get("role") == "user")
    found = _QUESTION.search(user)
    if not found:
        return "OK"
    a, op, b = int(found.group(1)), found.group(2), int(found.group(3))
    value = a + b if op == "+" else a - b if op == "-" else a * b
    skill = 0.2 + 0.7 * (_hash(system) % 1000) / 1000
    right = (_hash(system + "\n" + user) % 10_000) / 10_000 < skill
    return str(value if right else value + 1 + _hash(user) % 9)


def _hash(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "big")


class FakeServer:
    """The server and its counters.

    Attributes:
        port: the bound port (chosen by the OS when 0 is given).
        counts: requests by outcome: ``ok``, ``bad_request`` and each fault kind.
        completion_tokens, prompt_tokens: usage reported in successful answers.
        authorizations: the distinct ``Authorization`` header values received.
    """

    def __init__(self, settings: ServerSettings | None = None, *, port: int = 0) -> None:
        self.settings = settings or ServerSettings()
        self.port = port
        self.counts: Counter[str] = Counter()
        self.prompt_tokens = 0
        self.completion_tokens = 0
        self.authorizations: set[str] = set()
        self._rng = random.Random(self.settings.seed)
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.Server | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def _draw_fault(self) -> str | None:
        with self._lock:
            roll = self._rng.random()
        edge = 0.0
        for kind in FAULTS:
            edge += self.settings.faults.get(kind, 0.0)
            if roll < edge:
                return kind
        return None

    async def serve(self) -> None:
        """Serve until cancelled."""
        self._server = await asyncio.start_server(self._connection, "127.0.0.1", self.port, backlog=1024)
        self.port = self._server.sockets[0].getsockname()[1]
        self._ready.set()
        async with self._server:
            await self._server.serve_forever()

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                method, path = (lines[0].split(" ") + ["", ""])[:2]
                headers = {k.strip().lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines[1:] if ln)}
                body = await reader.readexactly(int(headers.get("content-length", "0") or 0))
                self.authorizations.add(headers.get("authorization", ""))
                keep = await self._answer(method, path, body, writer, headers.get("authorization", ""))
                if not keep:
                    break
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    async def _answer(self, method: str, path: str, body: bytes, writer: asyncio.StreamWriter, auth: str = "") -> bool:
        echo = f" ({auth})" if self.settings.echo_auth else ""
        if method != "POST" or path != "/v1/chat/completions":
            self._count("bad_request")
            await _send(writer, 404, {"error": {"message": f"no route {method} {path}"}})
            return True
        if self.settings.status is not None:
            self._count(str(self.settings.status))
            await _send(writer, self.settings.status, {"error": {"message": f"forced status {self.settings.status}"}})
            return True
        if self.settings.body is not None:
            self._count("body")
            await _send_raw(writer, 200, self.settings.body, "application/json")
            return True
        fault = self._draw_fault()
        if self.settings.latency_s:
            await asyncio.sleep(self.settings.latency_s)
        if fault == "hang":
            self._count("hang")
            await asyncio.sleep(self.settings.hang_s)
            return False
        if fault == "429":
            self._count("429")
            await _send(writer, 429, {"error": {"message": "rate limited"}},
                        {"Retry-After": f"{self.settings.retry_after:g}"})
            return True
        if fault == "500":
            self._count("500")
            await _send(writer, 500, {"error": {"message": f"internal error{echo}"}})
            return True
        if fault == "malformed":
            self._count("malformed")
            await _send_raw(writer, 200, b'{"id": "x", "choices": [ {"mess', "application/json")
            return True
        try:
            request = json.loads(body)
            messages = request["messages"]
        except (ValueError, KeyError, TypeError):
            self._count("bad_request")
            await _send(writer, 400, {"error": {"message": "malformed request"}})
            return True
        text = reply_for(messages) + echo
        prompt_tokens = sum(len(str(m.get("content", ""))) for m in messages) // 4 + 4 * len(messages)
        completion_tokens = max(1, len(text) // 3)
        self._count("ok", prompt_tokens, completion_tokens)
        await _send(writer, 200, {
            "id": "chatcmpl-fake", "object": "chat.completion", "created": 0, "model": request.get("model", "fake"),
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                      "total_tokens": prompt_tokens + completion_tokens},
        })
        return True

    def _count(self, kind: str, prompt_tokens: int = 0, completion_tokens: int = 0) -> None:
        with self._lock:
            self.counts[kind] += 1
            self.prompt_tokens += prompt_tokens
            self.completion_tokens += completion_tokens

    def __enter__(self) -> FakeServer:
        def run() -> None:
            self._loop = asyncio.new_event_loop()
            task = self._loop.create_task(self.serve())
            try:
                self._loop.run_until_complete(task)
            except asyncio.CancelledError:
                pass
            finally:
                self._loop.close()

        self._thread = threading.Thread(target=run, name="fake-openai-server", daemon=True)
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("fake server did not start")
        return self

    def __exit__(self, *exc: object) -> None:
        if self._loop is not None:
            loop = self._loop

            def stop() -> None:
                for task in asyncio.all_tasks(loop):
                    task.cancel()

            loop.call_soon_threadsafe(stop)
        if self._thread is not None:
            self._thread.join(10)


async def _send(writer: asyncio.StreamWriter, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
    await _send_raw(writer, status, json.dumps(payload).encode("utf-8"), "application/json", headers)


async def _send_raw(writer: asyncio.StreamWriter, status: int, body: bytes, content_type: str,
                    headers: dict[str, str] | None = None) -> None:
    reason = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found", 429: "Too Many Requests",
              500: "Internal Server Error"}
    extra = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
    head = (f"HTTP/1.1 {status} {reason.get(status, 'Error')}\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: {len(body)}\r\n{extra}Connection: keep-alive\r\n\r\n")
    writer.write(head.encode("latin-1") + body)
    await writer.drain()


def main(argv: list[str] | None = None) -> None:
    """Run the server in the foreground; prints ``port <N>`` once it listens."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds per answer")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--retry-after", type=float, default=0.05)
    parser.add_argument("--hang", type=float, default=2.0, help="seconds a hanging request waits")
    for kind in FAULTS:
        parser.add_argument(f"--rate-{kind}", type=float, default=0.0, help=f"fraction of requests answered with {kind}")
    args = parser.parse_args(argv)
    faults = {kind: getattr(args, f"rate_{kind}") for kind in FAULTS}
    server = FakeServer(ServerSettings(args.latency, faults, args.retry_after, args.hang, args.seed), port=args.port)

    async def announce_and_serve() -> None:
        task = asyncio.ensure_future(server.serve())
        while not server._ready.is_set():
            await asyncio.sleep(0.01)
        print(f"port {server.port}", flush=True)
        await task

    try:
        asyncio.run(announce_and_serve())
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
