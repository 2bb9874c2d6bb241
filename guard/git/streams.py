"""A large file's text in several readings (guard.git.text) from one pass over its pieces.

Loaded only for a file over max-file-size: the commit hook's clean path never imports it.
"""

from __future__ import annotations

from collections import deque

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing on the commit hook's path
if TYPE_CHECKING:
    import codecs
    from collections.abc import Iterator


class Stream:
    """One reading's text of a large file, piece by piece. Several readings share one pass over the
    pieces: the one that needs more reads the next piece for all, and the others keep it until they
    take it (`backlog`, in characters). Advancing the one with the most backlog bounds the memory."""

    def __init__(self, fan: Fan | None, source: Iterator[str] | None = None) -> None:
        self._fan = fan
        self._source = source
        self.queue: deque[str] = deque()
        self.backlog = 0

    def __iter__(self) -> Stream:
        return self

    def __next__(self) -> str:
        if self._source is not None:
            return next(self._source)
        while not self.queue:
            if self._fan is None or not self._fan.pull():
                raise StopIteration
        text = self.queue.popleft()
        self.backlog -= len(text)
        return text


class Fan:
    """Pieces read once, decoded in every reading: `decoders[i]` after skipping `skips[i]` bytes."""

    def __init__(
        self, decoders: list[codecs.IncrementalDecoder], skips: list[int], first: bytes, rest: Iterator[bytes]
    ) -> None:
        self.decoders = decoders
        self.streams = [Stream(self) for _ in decoders]
        self.rest = rest
        self.ended = False
        for stream, decoder, skip in zip(self.streams, self.decoders, skips, strict=True):
            stream.queue.append(decoder.decode(first[skip:], False))
            stream.backlog += len(stream.queue[-1])

    def pull(self) -> bool:
        if self.ended:
            return False
        piece = next(self.rest, None)
        self.ended = piece is None
        for stream, decoder in zip(self.streams, self.decoders, strict=True):
            text = decoder.decode(piece or b'', self.ended)
            stream.queue.append(text)
            stream.backlog += len(text)
        return True
