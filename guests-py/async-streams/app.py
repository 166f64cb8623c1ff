"""The async-streams world (`guests/async-streams/wit`) in Python, built with
componentize-py: the Rust guest's behaviour from a second toolchain, so hosts are tested
against streams and futures another language's runtime reads and writes."""

import base64

import wit_world
from wit_world import exports
from componentize_py_async_support import spawn
from componentize_py_async_support.futures import FutureReader
from componentize_py_async_support.streams import ByteStreamReader, StreamReader

# How much of an input stream one read asks for.
CHUNK = 64 * 1024
# Writers of futures that must never resolve: a dropped writer would resolve its future
# with the default value.
_never_written = []


class Streams(exports.Streams):
    async def encode_base64(self, input: ByteStreamReader) -> ByteStreamReader:
        writer, reader = wit_world.byte_stream()

        async def encode() -> None:
            with input, writer:
                pending = b""
                while not input.writer_dropped:
                    pending += await input.read(CHUNK)
                    whole = len(pending) // 3 * 3
                    if whole:
                        await writer.write_all(base64.b64encode(pending[:whole]))
                        if writer.reader_dropped:
                            return
                        pending = pending[whole:]
                if pending:
                    await writer.write_all(base64.b64encode(pending))

        spawn(encode())
        return reader

    async def count_bytes(self, input: ByteStreamReader) -> int:
        total = 0
        with input:
            while not input.writer_dropped:
                total += len(await input.read(CHUNK))
        return total

    async def split_lines(self, text: str) -> StreamReader[str]:
        writer, reader = wit_world.string_stream()

        async def write() -> None:
            with writer:
                await writer.write_all(text.split("\n"))

        spawn(write())
        return reader

    async def range(self, start: int, count: int) -> StreamReader[int]:
        writer, reader = wit_world.u32_stream()
        end = min(start + count, 0xFFFF_FFFF)

        async def write() -> None:
            with writer:
                for batch in range(start, end, 1000):
                    await writer.write_all(list(range(batch, min(batch + 1000, end))))
                    if writer.reader_dropped:
                        return

        spawn(write())
        return reader

    async def join(self, parts: StreamReader[str], separator: str) -> str:
        items = []
        with parts:
            while not parts.writer_dropped:
                items += await parts.read(1000)
        return separator.join(items)

    async def enumerate(self, items: list[str]) -> StreamReader[tuple[int, str]]:
        writer, reader = wit_world.tuple2_u32_string_stream()

        async def write() -> None:
            with writer:
                await writer.write_all(list(enumerate(items)))

        spawn(write())
        return reader

    async def resolve_later(self, value: str) -> FutureReader[str]:
        writer, reader = wit_world.string_future(lambda: "")
        spawn(writer.write(value))
        return reader

    async def await_future(self, f: FutureReader[int]) -> int:
        with f:
            return (await f.read() + 1) & 0xFFFF_FFFF

    async def stalled(self) -> int:
        writer, reader = wit_world.u32_future(lambda: 0)
        _never_written.append(writer)
        with reader:
            return await reader.read()
