"""PNG files of 8-bit images, written twice as fast as Pillow writes them (infer.py's outputs).

Pillow picks a filter for every row by trying all five (adaptive filtering), which costs more than the compression
at zlib level 1: 47 ms for a 1024x1024 RGB output against OpenCV's 25 ms (one-off timings on the Zen 4 EPYC of
docs/performance.md, whose folder-mode figures of python -m tools.peer_opencv include the write). Here every row
gets the "Up" filter (its difference from the row above, one numpy subtraction) and zlib level 1 with run-length
matching: 20 ms, and a file no larger than Pillow's for the photo measured. On more than one core an output is
compressed in pieces of PIECE_BYTES or more at once, as pigz does (_deflate): 1024x1024 RGB in 16-20 ms against
30-38 ms on one core of the slower Xeon VM of docs/performance.md (one-off). The file is a plain PNG (IHDR, one
IDAT, IEND) that any decoder reads back bit for bit (tests/test_outputs.py).
"""
import struct
import zlib

import numpy as np

from src import threads

SIGNATURE = b"\x89PNG\r\n\x1a\n"
COLOUR_TYPES = {1: 0, 2: 4, 3: 2, 4: 6}  # channels -> PNG colour type: gray, gray + alpha, RGB, RGBA
UP = 2  # the PNG filter type of "Up"
# the least filtered bytes a core compresses on its own: a 256x256 RGB output (196,864 bytes) took 2.4 ms on one core
# and 1.2 ms in two pieces on the Xeon VM of docs/performance.md (one-off), so pieces of 64 KiB still gain
PIECE_BYTES = 2 ** 16
ZLIB_HEADER = b"\x78\x01"  # deflate, 32 KiB window, "fastest" level: what zlib writes at level 1


def writes(pixels):
    """Whether write() takes these pixels: uint8, HxW or HxWxC with C of 1 to 4."""
    return pixels.dtype == np.uint8 and (pixels.ndim == 2 or (pixels.ndim == 3 and pixels.shape[2] in COLOUR_TYPES))


def _chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def write(pixels, file):
    """Write uint8 pixels (HxW, or HxWxC with C of 1 to 4: gray, gray + alpha, RGB, RGBA) as a PNG into the open
    binary `file`."""
    planes = pixels[..., None] if pixels.ndim == 2 else pixels
    height, width, channels = planes.shape
    rows = np.ascontiguousarray(planes).reshape(height, width * channels)
    filtered = np.empty((height, width * channels + 1), np.uint8)
    filtered[:, 0] = UP
    filtered[0, 1:] = rows[0]  # the row above the first is zeros
    np.subtract(rows[1:], rows[:-1], out=filtered[1:, 1:])  # modulo 256, as PNG's filter arithmetic
    data = _deflate(filtered, max(1, min(threads.usable_cores(), filtered.size // PIECE_BYTES)))
    header = struct.pack(">IIBBBBB", width, height, 8, COLOUR_TYPES[channels], 0, 0, 0)
    file.write(SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"IDAT", data) + _chunk(b"IEND", b""))


def _deflate(data, pieces):
    """The zlib stream of the bytes of `data` at level 1 with run-length matching, its `pieces` consecutive parts
    compressed at once on as many threads (zlib leaves the GIL): each part is a raw deflate stream of its own, all but
    the last ended by a sync flush (byte-aligned, not final), so that their concatenation is one valid stream, under
    zlib's header and the Adler-32 of the whole. Each part starts with no history, so the file grows by a few bytes
    per part."""
    view = memoryview(data).cast("B")
    if pieces == 1:
        compressor = zlib.compressobj(1, zlib.DEFLATED, 15, 8, zlib.Z_RLE)
        return compressor.compress(view) + compressor.flush()
    bounds = [len(view) * i // pieces for i in range(pieces + 1)]

    def part(i):
        compressor = zlib.compressobj(1, zlib.DEFLATED, -15, 8, zlib.Z_RLE)
        end = zlib.Z_FINISH if i == pieces - 1 else zlib.Z_SYNC_FLUSH
        return compressor.compress(view[bounds[i]:bounds[i + 1]]) + compressor.flush(end)

    parts = list(threads.pool(pieces).map(part, range(pieces)))
    return ZLIB_HEADER + b"".join(parts) + struct.pack(">I", zlib.adler32(view))
