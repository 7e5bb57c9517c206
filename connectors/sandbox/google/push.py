"""Drive push notifications as the sandbox sends them: header-only POSTs to channel addresses.

Contract: `PushSender.send(channel, state)` POSTs one notification to `channel.address`
with Drive's headers (``X-Goog-Channel-ID``, ``X-Goog-Channel-Token`` when the channel has
one, ``X-Goog-Channel-Expiration`` as an RFC 1123 date, ``X-Goog-Resource-ID``,
``X-Goog-Resource-URI``, ``X-Goog-Resource-State``, ``X-Goog-Message-Number`` counting
from 1 per channel) and no body, once (Drive retries failures with back-off; the sandbox
records them instead). `broadcast` sends ``change`` to every channel that is neither
stopped nor expired and returns when all deliveries finished; `schedule` sends in the
background (the ``sync`` message after ``changes.watch``). Every attempt is recorded in
`deliveries`. `aclose` waits briefly for background sends, then closes the HTTP session.
"""

from __future__ import annotations

import asyncio
import email.utils
from dataclasses import dataclass

import aiohttp

from connectors.sandbox.google.world import DriveChannel, GoogleWorld

__all__ = ["PushDelivery", "PushSender"]


@dataclass(frozen=True)
class PushDelivery:
    channel_id: str
    address: str
    state: str
    message_number: int
    status: int | None
    error: str | None = None


class PushSender:
    def __init__(self, world: GoogleWorld, timeout_s: float) -> None:
        self._world = world
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)
        self._session: aiohttp.ClientSession | None = None
        self._tasks: set[asyncio.Task[PushDelivery]] = set()
        self.deliveries: list[PushDelivery] = []

    async def open(self) -> None:
        self._session = aiohttp.ClientSession(timeout=self._timeout)

    def headers(self, channel: DriveChannel, state: str) -> dict[str, str]:
        channel.messages_sent += 1
        headers = {
            "X-Goog-Channel-ID": channel.id,
            "X-Goog-Channel-Expiration": email.utils.format_datetime(
                channel.expiration, usegmt=True
            ),
            "X-Goog-Resource-ID": channel.resource_id,
            "X-Goog-Resource-URI": channel.resource_uri,
            "X-Goog-Resource-State": state,
            "X-Goog-Message-Number": str(channel.messages_sent),
        }
        if channel.token is not None:
            headers["X-Goog-Channel-Token"] = channel.token
        return headers

    async def send(self, channel: DriveChannel, state: str) -> PushDelivery:
        if self._session is None:
            raise RuntimeError("PushSender is not open")
        headers = self.headers(channel, state)
        number = channel.messages_sent
        try:
            async with self._session.post(channel.address, headers=headers, data=b"") as resp:
                await resp.read()
                delivery = PushDelivery(channel.id, channel.address, state, number, resp.status)
        except (aiohttp.ClientError, TimeoutError) as exc:
            error = f"{type(exc).__name__}: {exc}"
            delivery = PushDelivery(channel.id, channel.address, state, number, None, error)
        self.deliveries.append(delivery)
        return delivery

    def schedule(self, channel: DriveChannel, state: str) -> None:
        task = asyncio.get_running_loop().create_task(self.send(channel, state))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def broadcast(self, state: str = "change") -> list[PushDelivery]:
        channels = self._world.active_channels()
        return list(await asyncio.gather(*(self.send(c, state) for c in channels)))

    async def drain(self) -> None:
        """Wait for background notifications (the `sync` messages) to finish."""
        if self._tasks:
            await asyncio.wait(set(self._tasks))

    async def aclose(self) -> None:
        if self._tasks:
            _, pending = await asyncio.wait(set(self._tasks), timeout=self._timeout.total)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
        if self._session is not None:
            await self._session.close()
            self._session = None
