"""A BPF ring buffer read straight from its memory map, in batches.

libbpf's ring_buffer__poll calls back into Python once per record through ctypes (several
µs each); mapping the buffer (as libbpf itself does) lets one wake-up drain every record
with plain slicing. Layout (kernel/bpf/ringbuf.c): page 0 the consumer position (ours to
write), page 1 the producer position, then the data pages mapped twice so a record that
wraps is still contiguous. Each record: u32 length (bit 31 busy, bit 30 discarded), u32
page offset, then the data, padded to 8 bytes."""

from __future__ import annotations

import mmap
import select
import struct
from collections.abc import Callable

BUSY = 1 << 31
DISCARDED = 1 << 30
HEADER = 8
_POS = struct.Struct("<Q")
_HDR = struct.Struct("<I")


class RingReader:
    def __init__(self, map_fd: int, size: int, on_sample: Callable[[bytes], None]) -> None:
        page = mmap.PAGESIZE
        self._consumer = mmap.mmap(map_fd, page, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE, offset=0)
        self._data = mmap.mmap(map_fd, page + 2 * size, mmap.MAP_SHARED, mmap.PROT_READ, offset=page)
        self._view = memoryview(self._data)
        self._page, self._mask = page, size - 1
        self._on_sample = on_sample
        self._poller = select.poll()
        self._poller.register(map_fd, select.POLLIN)

    def poll(self, timeout_ms: int) -> int:
        """Wait up to `timeout_ms` for data, then consume everything there; how many records."""
        if self._available() == 0 and timeout_ms > 0:
            self._poller.poll(timeout_ms)
        return self.drain()

    def drain(self) -> int:
        consumer = _POS.unpack_from(self._consumer, 0)[0]
        producer = _POS.unpack_from(self._data, 0)[0]
        count = 0
        view, base, mask = self._view, self._page, self._mask
        while consumer < producer:
            at = base + (consumer & mask)
            length = _HDR.unpack_from(view, at)[0]
            if length & BUSY:
                break  # still being written: the rest waits for the next poll
            size = length & ~(BUSY | DISCARDED)
            if not length & DISCARDED:
                self._on_sample(bytes(view[at + HEADER: at + HEADER + size]))
                count += 1
            consumer += (size + HEADER + 7) & ~7
            if count % 256 == 0:
                _POS.pack_into(self._consumer, 0, consumer)
            if consumer >= producer:
                producer = _POS.unpack_from(self._data, 0)[0]
        _POS.pack_into(self._consumer, 0, consumer)
        return count

    def _available(self) -> int:
        return int(_POS.unpack_from(self._data, 0)[0] - _POS.unpack_from(self._consumer, 0)[0])

    def close(self) -> None:
        self._view.release()
        self._data.close()
        self._consumer.close()
