"""The certificates' QR symbols without segno's per-symbol work: byte mode, one error-correction
level, one pinned mask (see qr.py), which is all a run of certificates draws.

A run's payloads have one or two lengths, so one or two symbol shapes (version, level, mask). Per
shape, once (ISO/IEC 18004:2015 §6.3, §7.7-7.10): the function patterns, the format and version
information, and the order in which the data modules are filled, each with its mask bit. Per
payload there remain the data codewords (§7.4), Reed-Solomon over GF(256) (§7.5.2: a byte-wise
division done on Python integers, one product table per generator), the interleaving (§7.6) and the
placement by the precomputed order: about 0.2 ms, where segno takes about 5 ms (bench/README.md).

segno stays the reference: qr.py compares the first symbol of each shape with segno's and uses
segno for that shape whenever they differ. The tables of error-correction blocks are segno's.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from itertools import zip_longest
from operator import itemgetter

from segno import consts

ALPHANUMERIC = frozenset(consts.ALPHANUMERIC_CHARS.decode("ascii"))
LEVELS = {"l": (consts.ERROR_LEVEL_L, 0b01), "m": (consts.ERROR_LEVEL_M, 0b00),
          "q": (consts.ERROR_LEVEL_Q, 0b11), "h": (consts.ERROR_LEVEL_H, 0b10)}  # segno's constant, format bits
MASKS = (  # §7.8.2, Table 10: whether the module at (row, column) is inverted
    lambda r, c: (r + c) % 2 == 0,
    lambda r, c: r % 2 == 0,
    lambda r, c: c % 3 == 0,
    lambda r, c: (r + c) % 3 == 0,
    lambda r, c: (r // 2 + c // 3) % 2 == 0,
    lambda r, c: (r * c) % 2 + (r * c) % 3 == 0,
    lambda r, c: ((r * c) % 2 + (r * c) % 3) % 2 == 0,
    lambda r, c: ((r + c) % 2 + (r * c) % 3) % 2 == 0,
)
REMAINDER_BITS = {**dict.fromkeys(range(2, 7), 7), **dict.fromkeys((*range(14, 21), *range(28, 35)), 3),
                  **dict.fromkeys(range(21, 28), 4)}  # §7.6, Table 1: modules left after the last codeword

Put = Callable[[int, int, int], None]  # draws a function module: row, column, 1 dark / 0 light


def byte_mode_data(content: str) -> bytes | None:
    """The bytes segno would encode in byte mode, or None when segno would pick another mode
    (numeric, alphanumeric) or encoding (Kanji, UTF-8) for this content: those go to segno."""
    if not content.isascii() or set(content) <= ALPHANUMERIC:  # digits are alphanumeric too
        return None
    return content.encode("ascii")


@cache
def shape(version: int, level: str, mask: int) -> Shape:
    return Shape(version, level, mask)


def version_for(length: int, level: str) -> int | None:
    """The smallest version whose data capacity holds `length` bytes in byte mode (§7.4.5)."""
    segno_level = LEVELS[level][0]
    for version in range(1, 41):
        needed = 4 + (8 if version < 10 else 16) + 8 * length  # mode, character count, data
        if needed <= 8 * _data_codewords(version, segno_level):
            return version
    return None


def symbol_rows(content: str, level: str, mask: int) -> tuple[Shape, list[str]] | None:
    """The symbol's rows as '0'/'1' strings (1 dark) and its shape, or None when this content is
    not one for the fast path (see byte_mode_data) or fits no version."""
    data = byte_mode_data(content)
    version = None if data is None else version_for(len(data), level)
    if data is None or version is None:
        return None
    symbol = shape(version, level, mask)
    return symbol, symbol.rows(data)


def _data_codewords(version: int, segno_level: int) -> int:
    return sum(block.num_blocks * block.num_data for block in consts.ECC[version][segno_level])


class Shape:
    """One (version, level, mask): where the data goes and what the rest of the symbol is."""

    def __init__(self, version: int, level: str, mask: int) -> None:
        self.version, self.level, self.mask = version, level, mask
        segno_level, format_level = LEVELS[level]
        size = self.size = 17 + 4 * version
        dark: list[list[int]] = [[0] * size for _ in range(size)]
        function = [[False] * size for _ in range(size)]

        def put(row: int, column: int, value: int) -> None:
            dark[row][column], function[row][column] = value, True

        _function_patterns(put, version, size)
        _format_information(put, size, format_level << 3 | mask)
        if version >= 7:
            _version_information(put, size, version)
        order = _placement_order(function, size)
        # the blocks (§7.5.1, Table 9): (data codewords, error-correction codewords) per block
        self.blocks = [(block.num_data, block.num_total - block.num_data)
                       for block in consts.ECC[version][segno_level] for _ in range(block.num_blocks)]
        self.data_capacity = sum(data for data, _ in self.blocks)
        self.count_bits = 8 if version < 10 else 16
        self.remainder = REMAINDER_BITS.get(version, 0)
        self.bits = len(order)  # codeword bits + remainder bits
        assert self.bits == 8 * sum(data + ec for data, ec in self.blocks) + self.remainder
        rule = MASKS[mask]
        self.mask_bits = int("".join("1" if rule(r, c) else "0" for r, c in order), 2)
        # raster position -> index into (data bits + function modules' values), so that one
        # itemgetter call draws the whole symbol
        where = {place: i for i, place in enumerate(order)}
        self.constants = "".join(str(dark[r][c]) for r in range(size) for c in range(size) if function[r][c])
        picks: list[int] = []
        next_constant = self.bits
        for r in range(size):
            for c in range(size):
                if function[r][c]:
                    picks.append(next_constant)
                    next_constant += 1
                else:
                    picks.append(where[(r, c)])
        self._pick = itemgetter(*picks)
        self._generators = {ec: _generator_table(ec) for _, ec in self.blocks}

    def rows(self, data: bytes) -> list[str]:
        message = self._message(self._codewords(data))
        value = (int.from_bytes(message, "big") << self.remainder) ^ self.mask_bits
        modules = "".join(self._pick(format(value, f"0{self.bits}b") + self.constants))
        size = self.size
        return [modules[i:i + size] for i in range(0, size * size, size)]

    def _codewords(self, data: bytes) -> bytes:
        """§7.4: mode indicator, character count, data, terminator, bit padding, pad codewords."""
        length = len(data)
        bits = 4 + self.count_bits + 8 * length
        capacity = 8 * self.data_capacity
        if bits > capacity:
            raise ValueError(f"{length} bytes do not fit version {self.version}-{self.level.upper()}")
        value = (0b0100 << self.count_bits | length) << 8 * length | int.from_bytes(data, "big")
        terminator = min(4, capacity - bits)
        value <<= terminator
        bits += terminator
        # segno (as of 1.6) pads with a whole zero byte when the stream already ends on a codeword
        # boundary, and drops that byte when the data fills the symbol; done the same here so the
        # symbols are segno's (a reader stops at the terminator either way)
        padding = 8 - bits % 8
        head = (value << padding).to_bytes((bits + padding) // 8, "big")[:self.data_capacity]
        pads = self.data_capacity - len(head)
        return head + (b"\xec\x11" * (pads // 2 + 1))[:pads]

    def _message(self, codewords: bytes) -> bytes:
        """§7.5-7.6: the data split into blocks, each block's error correction, both interleaved."""
        data_blocks: list[bytes] = []
        ec_blocks: list[bytes] = []
        start = 0
        for size, ec in self.blocks:
            block = codewords[start:start + size]
            start += size
            data_blocks.append(block)
            ec_blocks.append(_remainder(block, self._generators[ec], ec))
        return bytes(byte for column in zip_longest(*data_blocks) for byte in column if byte is not None) + \
            bytes(byte for column in zip(*ec_blocks) for byte in column)


# ---- Reed-Solomon over GF(256), x^8 + x^4 + x^3 + x^2 + 1 (§7.5.2) ---------------------------------


def _gf_tables() -> tuple[list[int], list[int]]:
    exp, log, value = [0] * 512, [0] * 256, 1
    for power in range(255):
        exp[power], log[value] = value, power
        value <<= 1
        if value & 0x100:
            value ^= 0x11D
    for power in range(255, 512):
        exp[power] = exp[power - 255]
    return exp, log


EXP, LOG = _gf_tables()


def _multiply(a: int, b: int) -> int:
    return 0 if a == 0 or b == 0 else EXP[LOG[a] + LOG[b]]


@cache
def _generator_table(degree: int) -> tuple[int, ...]:
    """For each byte f: f times the generator polynomial's coefficients after the leading 1, as one
    integer, so one division step is a shift and one XOR."""
    generator = [1]
    for power in range(degree):  # (x - a^0)(x - a^1)...(x - a^(degree-1))
        root, product = EXP[power], [0] * (len(generator) + 1)
        for i, coefficient in enumerate(generator):
            product[i] ^= coefficient
            product[i + 1] ^= _multiply(coefficient, root)
        generator = product
    tail = generator[1:]
    return tuple(int.from_bytes(bytes(_multiply(f, c) for c in tail), "big") for f in range(256))


def _remainder(block: bytes, table: tuple[int, ...], degree: int) -> bytes:
    """The error-correction codewords: block * x^degree modulo the generator."""
    shift, keep, remainder = 8 * (degree - 1), (1 << 8 * degree) - 1, 0
    for byte in block:
        remainder = ((remainder << 8) & keep) ^ table[byte ^ (remainder >> shift)]
    return remainder.to_bytes(degree, "big")


# ---- what every symbol of a shape has -----------------------------------------------------------


def _function_patterns(put: Put, version: int, size: int) -> None:
    """Finder patterns with their separators (§6.3.3), timing patterns (§6.3.5), alignment patterns
    (§6.3.6), and the dark module beside the lower-left finder (§7.9.1)."""
    for i in range(size):
        put(6, i, int(i % 2 == 0))
        put(i, 6, int(i % 2 == 0))
    for top, left in ((0, 0), (0, size - 7), (size - 7, 0)):
        for dr in range(-1, 8):
            for dc in range(-1, 8):
                r, c = top + dr, left + dc
                if 0 <= r < size and 0 <= c < size:
                    ring = max(abs(dr - 3), abs(dc - 3))  # 0-3 inside the pattern, 4 the separator
                    put(r, c, int(ring != 2 and ring != 4))
    centres = _alignment_centres(version, size)
    last = len(centres) - 1
    for i, row in enumerate(centres):
        for j, column in enumerate(centres):
            if (i, j) in ((0, 0), (0, last), (last, 0)):  # under a finder pattern
                continue
            for dr in range(-2, 3):
                for dc in range(-2, 3):
                    put(row + dr, column + dc, int(max(abs(dr), abs(dc)) != 1))
    put(size - 8, 8, 1)


def _alignment_centres(version: int, size: int) -> list[int]:
    """§6.3.6, Annex E: evenly spaced from the far side, the first at 6, steps of an even size."""
    if version == 1:
        return []
    count = version // 7 + 2
    step = (version * 8 + count * 3 + 5) // (count * 4 - 4) * 2
    return [6, *reversed([size - 7 - i * step for i in range(count - 1)])]


def _format_information(put: Put, size: int, data: int) -> None:
    """§7.9: the level and mask with a (15,5) BCH code, XOR 101010000010010, drawn twice."""
    remainder = data
    for _ in range(10):
        remainder = (remainder << 1) ^ ((remainder >> 9) * 0x537)
    bits = (data << 10 | remainder) ^ 0x5412
    bit = [(bits >> i) & 1 for i in range(15)]  # bit[0] the least significant
    for i in range(6):
        put(i, 8, bit[i])
    put(7, 8, bit[6])
    put(8, 8, bit[7])
    put(8, 7, bit[8])
    for i in range(9, 15):
        put(8, 14 - i, bit[i])
    for i in range(8):
        put(8, size - 1 - i, bit[i])
    for i in range(8, 15):
        put(size - 15 + i, 8, bit[i])


def _version_information(put: Put, size: int, version: int) -> None:
    """§7.10: versions 7 and up, the version with an (18,6) Golay code, in two 6x3 blocks."""
    remainder = version
    for _ in range(12):
        remainder = (remainder << 1) ^ ((remainder >> 11) * 0x1F25)
    bits = version << 12 | remainder
    for i in range(18):
        a, b, value = size - 11 + i % 3, i // 3, (bits >> i) & 1
        put(b, a, value)
        put(a, b, value)


def _placement_order(function: list[list[bool]], size: int) -> list[tuple[int, int]]:
    """§7.7.3: two-module columns from the right, upwards then downwards, skipping the vertical
    timing pattern's column and every function module."""
    order: list[tuple[int, int]] = []
    for right in range(size - 1, 0, -2):
        if right <= 6:
            right -= 1
        upwards = (right + 1) & 2 == 0
        for vertical in range(size):
            row = size - 1 - vertical if upwards else vertical
            for column in (right, right - 1):
                if not function[row][column]:
                    order.append((row, column))
    return order
