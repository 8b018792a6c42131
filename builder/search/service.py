"""Pagefind as a service: one `pagefind --service` process indexes pages it is sent through a
pipe and answers with the search bundle, so no page is written to a scratch folder for it to
read, and no bundle is written for us to read back.

Input: search documents (HTML) with the URL each is found at.
Output: the bundle's files (path inside pagefind/ -> bytes).

The protocol is the one Pagefind's own Python and Node wrappers speak: each message is a JSON
object, base64-encoded and ended by a comma, on the process's stdin; Pagefind handles them one
at a time, in order, and answers each likewise on its stdout. (The `pagefind` package's
PagefindIndex speaks it too, but polls for each answer after a tenth of a second's sleep: 100 s
for 1,000 pages.) The binary is the one `python -m pagefind` runs, the venv's.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO, Any

from pagefind.service import get_executable

INSTALL_HINT = "install it with pip install 'pagefind[bin]'"
MESSAGE_END = b","  # base64 never holds a comma
READ_SIZE = 1 << 16
STOP_SECONDS = 10


def pagefind_executable() -> Path:
    """The Pagefind binary `python -m pagefind` would run (the venv's, from `pagefind[bin]`)."""
    found = get_executable()
    if found is None:
        raise RuntimeError(f"could not find Pagefind; {INSTALL_HINT}")
    return found


def encode_request(message_id: int, payload: Mapping[str, Any]) -> bytes:
    """One request as Pagefind's service reads it."""
    request = {"message_id": message_id, "payload": payload}
    text = json.dumps(request, ensure_ascii=False, separators=(",", ":"))
    return base64.b64encode(text.encode()) + MESSAGE_END


def decode_response(message: bytes) -> dict[str, Any]:
    """One answer, without its comma: {"message_id": ..., "payload": {"type": ...}}."""
    response: dict[str, Any] = json.loads(base64.b64decode(message))
    return response


class PagefindService:
    """A running `pagefind --service` process: `send` queues requests, `receive` reads the
    answers in the order they were sent."""

    def __init__(self, process: subprocess.Popen[bytes], errors: IO[bytes]) -> None:
        self.process = process
        self.errors = errors
        self.sent = 0
        self.received = 0
        self.pending = bytearray()

    def send(self, payload: Mapping[str, Any]) -> None:
        assert self.process.stdin is not None
        self.sent += 1
        try:
            self.process.stdin.write(encode_request(self.sent, payload))
        except BrokenPipeError:
            raise self.stopped() from None

    def receive(self, expected: str) -> dict[str, Any]:
        """The payload of the next answer, which must be of type `expected`."""
        assert self.process.stdin is not None and self.process.stdout is not None
        try:
            self.process.stdin.flush()
        except BrokenPipeError:
            raise self.stopped() from None
        end = self.pending.find(MESSAGE_END)
        while end < 0:
            chunk = os.read(self.process.stdout.fileno(), READ_SIZE)
            if not chunk:
                raise self.stopped()
            start = len(self.pending)
            self.pending += chunk
            end = self.pending.find(MESSAGE_END, start)
        response = decode_response(bytes(self.pending[:end]))
        del self.pending[: end + 1]
        self.received += 1
        payload: dict[str, Any] = response["payload"]
        if payload.get("type") != expected or response.get("message_id") != self.received:
            message = payload.get("message", payload.get("type"))
            raise RuntimeError(f"Pagefind could not index: {message}")
        return payload

    def stopped(self) -> RuntimeError:
        """The error for a Pagefind that stopped answering, with what it said."""
        code = self.process.wait()
        self.errors.seek(0)
        said = self.errors.read().decode(errors="replace").strip()
        return RuntimeError(f"Pagefind stopped with exit code {code}:\n{said}")


@contextmanager
def start_service() -> Iterator[PagefindService]:
    """A Pagefind service process for the block; stopped when the block ends."""
    with tempfile.TemporaryFile() as errors:
        try:
            process = subprocess.Popen(
                [pagefind_executable(), "--service"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=errors,
            )
        except OSError as error:
            raise RuntimeError(f"could not start Pagefind ({error}); {INSTALL_HINT}") from error
        try:
            yield PagefindService(process, errors)
        finally:
            stop(process)


def stop(process: subprocess.Popen[bytes]) -> None:
    """Close Pagefind's stdin, on which it exits, and wait for it (kill it if it hangs)."""
    assert process.stdin is not None and process.stdout is not None
    process.stdout.close()
    with suppress(BrokenPipeError):  # it stopped already
        process.stdin.close()
    try:
        process.wait(timeout=STOP_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def index_documents(
    documents: Iterable[tuple[str, bytes]], config: Mapping[str, Any]
) -> dict[str, bytes]:
    """The search bundle (file name inside pagefind/ -> bytes) of the (url, HTML) documents,
    from one Pagefind service indexing them with `config` (its NewIndex options)."""
    with start_service() as service:
        service.send({"type": "NewIndex", "config": dict(config)})
        index_id = service.receive("NewIndex")["index_id"]
        count = 0
        # All pages are sent before any answer is read: Pagefind reads its stdin on a thread
        # of its own, so it parses one page while this process prepares the next.
        for url, html in documents:
            add = {"type": "AddFile", "index_id": index_id, "url": url, "file_path": None}
            service.send({**add, "file_contents": html.decode()})
            count += 1
        for _ in range(count):
            service.receive("IndexedFile")
        service.send({"type": "GetFiles", "index_id": index_id})
        files = service.receive("GetFiles")["files"]
    return {file["path"]: base64.b64decode(file["content"]) for file in files}
