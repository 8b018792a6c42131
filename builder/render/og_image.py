"""Share images: one 1200x630 PNG card per fact sheet and per metric page, and one for the
rest of the site, for `og:image` and Twitter cards.

Input: the `Archive`, and the project folder whose cache holds images already drawn.
Output: {"og/<kind>/<name>.png": bytes}, placed in the site like any other file.

A card shows text only: a kicker, the headline (a fact sheet's title, a metric's latest
figure), a line of detail and the archive's title. It is drawn with Pillow and its bundled
font (no browser, nothing to download), and cached under a hash of what it shows and of
`GENERATOR_VERSION`, so an image is drawn once and reused until its text changes.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import struct
import unicodedata
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from PIL import Image, ImageDraw, ImageFont

from builder.derive.figures import describe_claim
from builder.index import Archive
from builder.model import Article, Site

if TYPE_CHECKING:  # not importable at run time
    from PIL._imaging import ImagingCore

# Bump when the drawing changes, so that cached cards are drawn anew.
GENERATOR_VERSION = "og-4"
WIDTH, HEIGHT = 1200, 630
MARGIN = 72
SITE_IMAGE = "og/site.png"
HEADLINE_Y = MARGIN + 64
RULE_Y = HEIGHT - MARGIN - 44  # the rule above the archive's title
DETAIL_SIZE, DETAIL_LINE = 34, 46
NOTE_SIZE, NOTE_LINE = 28, 38
# Light card, dark text, the site's accent as a band on the left: legible as a thumbnail.
BACKGROUND = (250, 250, 247)
INK = (26, 26, 26)
MUTED = (85, 85, 85)
ACCENT = (160, 40, 30)
PARALLEL_FROM = 64  # cards to draw before it pays to start processes


@dataclass(frozen=True)
class Card:
    kicker: str  # "Fact sheet · ABC News · 4 December 2016"
    headline: str  # the title, or a metric's latest figure
    detail: str  # a line or two: a key figure, or the metric's name
    note: str  # smaller: where the figure comes from
    footer: str  # the archive's title
    alt: str  # what the image shows, in words, for og:image:alt


# ---- where ---------------------------------------------------------------------------------


def og_cache_dir(project_dir: Path) -> Path:
    """Where drawn cards are kept between builds (the integrator may move it)."""
    return project_dir / ".factsheets-cache" / "og"


def article_image(slug: str) -> str:
    return f"og/articles/{slug}.png"


def metric_image(metric_id: str) -> str:
    return f"og/figures/{metric_id}.png"


# ---- what ----------------------------------------------------------------------------------


def article_card(archive: Archive, article: Article) -> Card:
    """The fact sheet's title, with its first figure as the key figure."""
    kicker = f"Fact sheet · {article.outlet} · {article.published.human()}"
    detail = ""
    if article.figures:
        figure = article.figures[0]
        claim = describe_claim(archive, figure)
        label = archive.metrics[figure.metric_id].label
        detail = f"Key figure: {claim.value_text}, {label[:1].lower()}{label[1:]}"
    alt = f"{kicker}. {article.title}." + (f" {detail}." if detail else "")
    return Card(kicker, article.title, detail, "", archive.site.title, alt)


def metric_card(archive: Archive, metric_id: str) -> Card:
    """The metric's latest figure (by as-of date), its name, and whose figure it is."""
    metric = archive.metrics[metric_id]
    figures = archive.figures_by_metric.get(metric_id, ())
    count = f"{len(figures)} claim{'' if len(figures) == 1 else 's'}"
    if not figures:
        return Card("Figures", metric.label, count, "", archive.site.title, metric.label)
    claim = describe_claim(archive, figures[-1])
    source = (
        f"according to {claim.claimant_name}"
        if claim.claimant_name
        else f"stated by {claim.outlet}"
    )
    note = f"Latest claim, as of {claim.as_of_text}, {source} · {count} in the archive"
    alt = f"{metric.label}: {claim.value_text}. {note}."
    return Card("Figures", claim.value_text, metric.label, note, archive.site.title, alt)


def site_card(site: Site) -> Card:
    host = site.base_url.split("://", 1)[-1].rstrip("/")
    return Card("Fact-sheet archive", site.title, site.description, "", host, site.title)


def site_image_alt(site: Site) -> str:
    return site_card(site).alt


def archive_cards(archive: Archive) -> dict[str, Card]:
    """Every card of the site, by its path in the site."""
    cards = {SITE_IMAGE: site_card(archive.site)}
    for article in archive.articles:
        cards[article_image(article.slug)] = article_card(archive, article)
    for metric_id in archive.metrics:  # a metric without claims has a page too
        cards[metric_image(metric_id)] = metric_card(archive, metric_id)
    return cards


# ---- drawing and the cache -----------------------------------------------------------------


def render_og_images(archive: Archive, project_dir: Path, jobs: int = 1) -> CardFiles:
    """Every card as PNG bytes, drawn only when the cache does not hold it already; by
    `jobs` processes when there are many to draw (about 3 ms of CPU a card: 10,000 fact
    sheets would otherwise add half a minute to a first build). Each card's key is worked
    out once, and the cache folder listed once (not a file looked up per card)."""
    cache_dir = og_cache_dir(project_dir)
    cards = archive_cards(archive)
    keys = {path: card_key(card) for path, card in cards.items()}
    stored = cached_names(cache_dir)
    # One card per key, in key order: a card several pages share is drawn once.
    missing = sorted(
        {
            keys[path]: card for path, card in cards.items() if f"{keys[path]}.png" not in stored
        }.items()
    )
    if jobs > 1 and len(missing) >= PARALLEL_FROM:
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            drawn = pool.imap(draw_card, [card for _, card in missing], chunksize=16)
            for (key, _), png in zip(missing, drawn, strict=True):  # kept as they come
                store(png, cache_dir / f"{key}.png")
    return CardFiles(cards, keys, cache_dir)


def cached_names(cache_dir: Path) -> frozenset[str]:
    """The names of the files in the card cache (none when there is no cache yet)."""
    try:
        return frozenset(os.listdir(cache_dir))
    except OSError:
        return frozenset()


class CardFiles(Mapping[str, bytes]):
    """The cards by output path, each read from the cache (or drawn) only when asked for:
    10,000 fact sheets have some 200 MB of cards, too much to hold at once."""

    def __init__(self, cards: Mapping[str, Card], keys: Mapping[str, str], cache_dir: Path) -> None:
        self.cards = cards
        self.card_keys = keys  # output path -> `card_key` of its card
        self.cache_dir = cache_dir

    def __getitem__(self, path: str) -> bytes:
        return keyed_card_png(self.cards[path], self.card_keys[path], self.cache_dir)

    def __iter__(self) -> Iterator[str]:
        return iter(self.cards)

    def __len__(self) -> int:
        return len(self.cards)


def cached_path(card: Card, cache_dir: Path) -> Path:
    return cache_dir / f"{card_key(card)}.png"


def card_key(card: Card) -> str:
    """A hash of everything the image shows and of the drawing code's version."""
    # The repr of the fields (strings, in their order; vars() is astuple() without its deep
    # copying) tells every field apart, whatever it holds.
    shown = repr((GENERATOR_VERSION, *vars(card).values()))
    return hashlib.blake2b(shown.encode(), digest_size=20).hexdigest()


def card_png(card: Card, cache_dir: Path) -> bytes:
    """The card from the cache, or drawn and then cached."""
    return keyed_card_png(card, card_key(card), cache_dir)


def keyed_card_png(card: Card, key: str, cache_dir: Path) -> bytes:
    """`card_png` of a card whose `card_key` is `key`."""
    cached = cache_dir / f"{key}.png"
    try:
        return cached.read_bytes()
    except OSError:
        pass
    png = draw_card(card)
    store(png, cached)
    return png


def store(png: bytes, cached: Path) -> None:
    """Keep a drawn card; a cache that cannot be written only costs the next build the
    drawing."""
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        # Written aside, then renamed: a concurrent build never reads half a file. The
        # process id keeps builds apart (NamedTemporaryFile took as long as a quarter card).
        aside = cached.with_name(f"{cached.name}.{os.getpid()}.tmp")
        aside.write_bytes(png)
        os.replace(aside, cached)
    except OSError:
        pass


@cache
def font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """Pillow's bundled font (Aileron), so that every machine draws the same card."""
    return ImageFont.load_default(size=size)


# Stand-ins for common characters the bundled font lacks.
STAND_INS = {"–": "-", "—": "-", "‐": "-", "−": "-", "€": "EUR", "\u00a0": " "}


@cache
def has_glyph(char: str) -> bool:
    """Whether the bundled font draws `char` (it covers basic Latin, not even "é")."""
    face = font(34)
    return char.isspace() or bytes(face.getmask(char)) != bytes(face.getmask("\uffff"))


def drawable(text: str) -> str:
    """The text in characters the font has: a stand-in, or the letter without its accent
    ("é" -> "e"), or nothing. A broad font (Noto Sans, OFL) would lift this limit."""
    chars = []
    for char in text:
        if not has_glyph(char):
            base = unicodedata.normalize("NFKD", char)
            char = STAND_INS.get(char) or "".join(c for c in base if has_glyph(c))
        chars.append(char)
    return "".join(chars)


@cache
def text_length(text: str, size: int) -> float:
    return float(font(size).getlength(text))


def wrap(text: str, size: int, width: int, max_lines: int) -> list[str]:
    """Greedy word wrap to `width` pixels; the last line ends in "…" when text is left.
    A line's length is the sum of its words' and spaces' (each measured once per size:
    measuring every candidate line was most of the drawing time)."""
    space = text_length(" ", size)
    lines: list[str] = []
    words = drawable(text).split()
    while words and len(lines) < max_lines:
        line, length = words[0], text_length(words[0], size)
        words.pop(0)
        while words and length + space + text_length(words[0], size) <= width:
            length += space + text_length(words[0], size)
            line = f"{line} {words.pop(0)}"
        lines.append(line)
    if words:
        last = lines[-1]
        while last and text_length(last + " …", size) > width:
            last = last.rsplit(" ", 1)[0] if " " in last else last[:-1]
        lines[-1] = last + " …"
    return lines


def headline_layout(card: Card) -> tuple[int, list[str]]:
    """The largest headline size (of a few) at which the headline fits in three lines and
    leaves room below for the detail and the note in full; else the smallest."""
    width = WIDTH - 2 * MARGIN
    below = (
        len(wrap(card.detail, DETAIL_SIZE, width, 2)) * DETAIL_LINE
        + len(wrap(card.note, NOTE_SIZE, width, 2)) * NOTE_LINE
    )
    room = RULE_Y - HEADLINE_Y - 24 - 16
    if len(wrap(card.headline, 120, width, 2)) == 1:  # a figure: as large as fits one line
        return 120, wrap(card.headline, 120, width, 1)
    for size in (84, 72, 60, 52):
        lines = wrap(card.headline, size, width, 3)
        if not lines[-1].endswith("…") and len(lines) * line_height(size) + below <= room:
            return size, lines
    return 52, wrap(card.headline, 52, width, 3)


def line_height(size: int) -> int:
    return round(size * 1.2)


def draw_card(card: Card) -> bytes:
    """The card as a 16-colour palette PNG. Each glyph is rasterised once per process and then
    stamped (`stamp`); the background, band, rule and footer are drawn once (`card_base`) and
    copied. Four bits a pixel halve what zlib reads: compressing is most of a card's time, and
    only the rows the text was stamped on are compressed per card (`palette_png`)."""
    width = WIDTH - 2 * MARGIN
    image = card_base(card.footer).copy()
    stamped: list[tuple[int, int]] = []  # the rows each line was stamped on
    for line in wrap(card.kicker.upper(), 28, width, 1):
        stamped.append(stamp(image, line, (MARGIN, MARGIN), 28, ACCENT_RAMP))
    y = HEADLINE_Y
    size, lines = headline_layout(card)
    for line in lines:
        stamped.append(stamp(image, line, (MARGIN, y), size, INK_RAMP, bold=True))
        y += line_height(size)
    y += 24
    # What does not fit above the rule is cut with "…", never drawn over it.
    for text, size, step in (
        (card.detail, DETAIL_SIZE, DETAIL_LINE),
        (card.note, NOTE_SIZE, NOTE_LINE),
    ):
        room = max(0, (RULE_Y - 16 - y) // step)
        for line in wrap(text, size, width, min(2, room)) if room else ():
            stamped.append(stamp(image, line, (MARGIN, y), size, MUTED_RAMP))
            y += step
    rows = [span for span in stamped if span[1] > span[0]]
    top = min((first for first, _ in rows), default=0)
    bottom = max((end for _, end in rows), default=0)
    return palette_png(image, card.footer, top, bottom)


def palette_png(indexes: Image.Image, footer: str, top: int, bottom: int) -> bytes:
    """The card's palette indexes (0 to 15, `card_base(footer)`'s width, different from it
    in rows `top` to `bottom` only) as a 4-bit palette PNG, written here rather than by
    Pillow, which tries five filters on every row of a 4-bit image: filters do not help flat
    colour, and they took a third of the time. zlib at level 1 matching runs only (Z_RLE) is
    most of what is left. The rows above and below the text are the base's: compressed (and
    summed) once per process, and joined in (`base_rows`)."""
    head, tail = base_rows(footer, 0, top), base_rows(footer, bottom, HEIGHT, last=True)
    text = packed_rows(indexes, top, bottom)
    text_sum = adler32_joined(head.adler, zlib.adler32(text), len(text))
    checksum = adler32_joined(text_sum, tail.adler, tail.length)
    header = struct.pack(">IIBBBBB", WIDTH, HEIGHT, 4, 3, 0, 0, 0)  # 4 bits, palette
    idat = (ZLIB_HEADER, head.deflated, deflated_rows(text), tail.deflated)
    return PNG_SIGNATURE + b"".join(
        (
            png_chunk(b"IHDR", header),
            png_chunk(b"PLTE", bytes(PALETTE)),
            png_chunk(b"IDAT", b"".join((*idat, struct.pack(">I", checksum)))),
            png_chunk(b"IEND", b""),
        )
    )


def packed_rows(indexes: Image.Image, top: int, bottom: int) -> bytes:
    """Rows `top` to `bottom` of the card as PNG scanlines: each a filter byte 0 ("none")
    and the row's 1,200 pixels two a byte."""
    if bottom <= top:
        return b""
    band = indexes.crop((0, top, WIDTH + 2, bottom))
    band.putpalette(PALETTE)  # "L" becomes "P": the values are palette indexes
    # Each row ends in two blank pixels, a byte 0 when packed: moved to the front, that byte
    # starts the next row as PNG's "no filter" (joining rows in Python cost a tenth of a card).
    packed = band.tobytes("raw", "P;4")  # two pixels a byte (Pillow's PNG packer)
    return b"\0" + packed[:-1]


@dataclass(frozen=True)
class DeflatedRows:
    deflated: bytes  # raw deflate, ending on a full flush (or, the last rows, the final block)
    adler: int  # zlib.adler32 of the rows
    length: int  # of the rows, in bytes


@cache
def base_rows(footer: str, top: int, bottom: int, last: bool = False) -> DeflatedRows:
    """Rows `top` to `bottom` of `card_base(footer)`, compressed (a few hundred of these
    per process: the text of a card starts and ends on one of few rows)."""
    rows = packed_rows(card_base(footer), top, bottom)
    return DeflatedRows(deflated_rows(rows, last), zlib.adler32(rows), len(rows))


def adler32_joined(first: int, second: int, length: int) -> int:
    """The Adler-32 of two byte strings joined, from theirs and the second's length (zlib's
    `adler32_combine`)."""
    remainder = length % ADLER_BASE
    low = (first & 0xFFFF) + (second & 0xFFFF) + ADLER_BASE - 1
    high = remainder * (first & 0xFFFF) + (first >> 16) + (second >> 16) + ADLER_BASE - remainder
    return ((high % ADLER_BASE) << 16) | (low % ADLER_BASE)


def deflated_rows(rows: bytes, last: bool = False) -> bytes:
    """`rows` (scanlines) as raw deflate at level 1 matching runs only (Z_RLE), ending on a
    full flush, or as the stream's final block when `last`. Rows like a card's first (the
    band and the background) are many: runs of them are compressed once per process and
    length (`deflated_run`) and joined in, each piece ending on a full flush so that no
    piece refers back into another."""
    compressor = zlib.compressobj(1, zlib.DEFLATED, -15, 9, zlib.Z_RLE)  # raw deflate
    blank = blank_row()
    stride = len(blank)
    pieces: list[bytes] = []
    done = 0  # rows[:done] are in pieces
    for at, run in blank_runs(rows, blank):
        pieces += (compressor.compress(rows[done:at]), compressor.flush(zlib.Z_FULL_FLUSH))
        pieces.append(deflated_run(blank, (run - at) // stride))
        done = run
    pieces.append(compressor.compress(rows[done:]))
    pieces.append(compressor.flush(zlib.Z_FINISH if last else zlib.Z_FULL_FLUSH))
    return b"".join(pieces)


def blank_runs(rows: bytes, blank: bytes) -> Iterator[tuple[int, int]]:
    """The runs of at least `MIN_RUN_ROWS` rows equal to `blank` (each row as long as
    it), as (first, end) offsets: the rows with text are skipped by `bytes.find`, not
    compared one by one."""
    stride = len(blank)
    at = rows.find(blank)
    while at >= 0:
        if at % stride:  # a match across two rows: look again from the next row
            at = rows.find(blank, at + stride - at % stride)
            continue
        run = at + stride
        while rows.startswith(blank, run):
            run += stride
        if run - at >= MIN_RUN_ROWS * stride:
            yield at, run
        at = rows.find(blank, run)


@cache
def deflated_run(row: bytes, count: int) -> bytes:
    """`count` copies of `row`, raw deflate ending on a full flush (byte-aligned, history
    cleared): a piece that can go between any two such pieces."""
    compressor = zlib.compressobj(1, zlib.DEFLATED, -15, 9, zlib.Z_RLE)
    return compressor.compress(row * count) + compressor.flush(zlib.Z_FULL_FLUSH)


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


@cache
def blank_row() -> bytes:
    """The scanline of a row without text: the band and the background."""
    return packed_rows(card_base(""), 0, 1)


@cache
def card_base(footer: str) -> Image.Image:
    """What every card with this footer shares (all but the site's): the background, the
    accent band, the rule and the footer, as palette indexes."""
    # Two blank pixels right of each row (see palette_png), never drawn on.
    image = Image.new("L", (WIDTH + 2, HEIGHT), 0)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 16, HEIGHT), fill=ACCENT_RAMP[255])
    draw.line((MARGIN, RULE_Y, WIDTH - MARGIN, RULE_Y), fill=MUTED_RAMP[255], width=2)
    for line in wrap(footer, 30, WIDTH - 2 * MARGIN, 1):
        stamp(image, line, (MARGIN, HEIGHT - MARGIN - 24), 30, INK_RAMP)
    return image


@dataclass(frozen=True)
class Glyph:
    coverage: ImagingCore  # Pillow's core image, "L", 0 to 255 (its wrapper costs)
    left: int  # where `coverage` starts, from the pen's position on the ascender line
    top: int
    width: int
    height: int


@cache
def glyph(char: str, size: int, bold: bool) -> Glyph:
    """One character, rasterised by FreeType once per process (rasterising every line anew
    was a third of a card's time). Bold is a stroke of the text's own colour: the bundled
    font has no bold face."""
    stroke = 1 if bold else 0
    left, top, right, bottom = (int(v) for v in font(size).getbbox(char, stroke_width=stroke))
    width, height = max(0, right - left), max(0, bottom - top)
    coverage = Image.new("L", (width, height), 0)
    ImageDraw.Draw(coverage).text(
        (-left, -top), char, font=font(size), fill=255, stroke_width=stroke, stroke_fill=255
    )
    return Glyph(coverage.im, left, top, width, height)


@cache
def kerning(pair: str, size: int) -> float:
    """How much closer (or further) the font sets two characters than their advances say."""
    return text_length(pair, size) - text_length(pair[0], size) - text_length(pair[1], size)


def pen_positions(text: str, size: int) -> list[int]:
    """Each character's pen position, in whole pixels, as FreeType lays out the line."""
    positions, pen, previous = [], 0.0, ""
    for char in text:
        if previous:
            pen += kerning(previous + char, size)
        positions.append(round(pen))
        pen += text_length(char, size)
        previous = char
    return positions


def stamp(
    image: Image.Image,
    text: str,
    origin: tuple[int, int],
    size: int,
    ramp: bytes,
    bold: bool = False,
) -> tuple[int, int]:
    """Draws `text` into the index image, its ascender line's left end at `origin`: the
    glyphs' coverage is composed in a box around the line, turned into the colour's palette
    indexes by `ramp` and merged into the card. Merging keeps the larger index, so pixels of
    other lines stay as they are (lines of different colours never touch). Pillow's core
    operations are called directly: per glyph, Image.paste's checks cost more than pasting.
    The rows drawn on, first and past the last (none: both 0)."""
    placed = [
        (shape, x + shape.left, shape.top)
        for char, x in zip(text, pen_positions(text, size), strict=True)
        if (shape := glyph(char, size, bold)).width
    ]
    if not placed:
        return (0, 0)
    left = min(x for _, x, _ in placed)
    top = min(y for _, _, y in placed)
    right = max(x + shape.width for shape, x, _ in placed)
    bottom = max(y + shape.height for shape, _, y in placed)
    coverage = Image.new("L", (right - left, bottom - top), 0).im
    for shape, x, y in placed:
        x, y = x - left, y - top
        # 255 laid over the line by the glyph's coverage, as Pillow composes text
        coverage.paste(255, (x, y, x + shape.width, y + shape.height), shape.coverage)
    box = (origin[0] + left, origin[1] + top, origin[0] + right, origin[1] + bottom)
    card = image.im
    card.paste(card.crop(box).chop_lighter(coverage.point(ramp, None)), box)
    return (box[1], box[3])


def blend(colour: tuple[int, int, int], coverage: float) -> list[int]:
    return [round(b + (c - b) * coverage) for b, c in zip(BACKGROUND, colour, strict=True)]


def ramp(first: int, levels: int, strength: float = 1.0) -> bytes:
    """Coverage 0..255 -> palette index: 0 (the background) for none, else one of `levels`
    blends of a colour, which are at indexes `first` on."""
    indexes = [round(coverage * strength * levels / 255) for coverage in range(256)]
    return bytes(first + level - 1 if level else 0 for level in indexes)


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
ZLIB_HEADER = b"\x78\x01"  # deflate, 32 KB window, fastest level
MIN_RUN_ROWS = 8  # shorter runs of blank rows are not worth a flush
ADLER_BASE = 65521  # the largest prime below 2**16
# 16 colours, so 4 bits a pixel: the background, 10 blends of ink and 5 of the accent. Muted
# text is ink at less coverage (MUTED lies between the background and ink).
INK_LEVELS, ACCENT_LEVELS = 10, 5
MUTED_SHARE = (BACKGROUND[0] - MUTED[0]) / (BACKGROUND[0] - INK[0])
INK_RAMP = ramp(1, INK_LEVELS)
MUTED_RAMP = ramp(1, INK_LEVELS, MUTED_SHARE)
ACCENT_RAMP = ramp(1 + INK_LEVELS, ACCENT_LEVELS)
PALETTE = [
    *BACKGROUND,
    *(v for level in range(1, INK_LEVELS + 1) for v in blend(INK, level / INK_LEVELS)),
    *(v for level in range(1, ACCENT_LEVELS + 1) for v in blend(ACCENT, level / ACCENT_LEVELS)),
]
