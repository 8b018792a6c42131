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
import io
import json
import multiprocessing
import os
import tempfile
import unicodedata
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFont

from builder.derive.figures import describe_claim
from builder.index import Archive
from builder.model import Article, Site

# Bump when the drawing changes, so that cached cards are drawn anew.
GENERATOR_VERSION = "og-2"
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


def render_og_images(archive: Archive, project_dir: Path, jobs: int = 1) -> dict[str, bytes]:
    """Every card as PNG bytes, drawn only when the cache does not hold it already; by
    `jobs` processes when there are many to draw (15 ms of CPU a card: 10,000 fact sheets
    would otherwise add minutes to a first build)."""
    cache_dir = og_cache_dir(project_dir)
    cards = archive_cards(archive)
    missing = sorted(
        {card for card in cards.values() if not cached_path(card, cache_dir).is_file()},
        key=card_key,
    )
    if jobs > 1 and len(missing) >= PARALLEL_FROM:
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            drawn = pool.map(draw_card, missing, chunksize=16)
        for card, png in zip(missing, drawn, strict=True):
            store(png, cached_path(card, cache_dir))
    return {path: card_png(card, cache_dir) for path, card in cards.items()}


def cached_path(card: Card, cache_dir: Path) -> Path:
    return cache_dir / f"{card_key(card)}.png"


def card_key(card: Card) -> str:
    """A hash of everything the image shows and of the drawing code's version."""
    shown = json.dumps([GENERATOR_VERSION, asdict(card)], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(shown.encode()).hexdigest()


def card_png(card: Card, cache_dir: Path) -> bytes:
    """The card from the cache, or drawn and then cached."""
    cached = cached_path(card, cache_dir)
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
        # Written aside, then renamed: a concurrent build never reads half a file.
        with tempfile.NamedTemporaryFile(dir=cached.parent, suffix=".tmp", delete=False) as file:
            file.write(png)
        os.replace(file.name, cached)
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
    """The card as a palette PNG: each colour is drawn as a coverage layer, and a pixel's
    coverage picks one of `LEVELS` blends of that colour into the background. A palette image
    compresses in a tenth of the time of an RGB one (3 ms against 40), and to half the size."""
    width = WIDTH - 2 * MARGIN
    layers = {colour: Image.new("L", (WIDTH, HEIGHT), 0) for colour in COLOURS}
    ink, muted, accent = (ImageDraw.Draw(layers[colour]) for colour in COLOURS)
    accent.rectangle((0, 0, 16, HEIGHT), fill=255)
    for line in wrap(card.kicker.upper(), 28, width, 1):
        accent.text((MARGIN, MARGIN), line, font=font(28), fill=255)
    y = HEADLINE_Y
    size, lines = headline_layout(card)
    for line in lines:
        # A stroke of the text's own colour: the bundled font has no bold face.
        ink.text((MARGIN, y), line, font=font(size), fill=255, stroke_width=1, stroke_fill=255)
        y += line_height(size)
    y += 24
    # What does not fit above the rule is cut with "…", never drawn over it.
    for text, size, step in (
        (card.detail, DETAIL_SIZE, DETAIL_LINE),
        (card.note, NOTE_SIZE, NOTE_LINE),
    ):
        room = max(0, (RULE_Y - 16 - y) // step)
        for line in wrap(text, size, width, min(2, room)) if room else ():
            muted.text((MARGIN, y), line, font=font(size), fill=255)
            y += step
    muted.line((MARGIN, RULE_Y, WIDTH - MARGIN, RULE_Y), fill=255, width=2)
    for line in wrap(card.footer, 30, width, 1):
        ink.text((MARGIN, HEIGHT - MARGIN - 24), line, font=font(30), fill=255)
    # Each layer's coverage becomes its palette indexes; the layers never overlap, so the
    # largest index of the three is the pixel's.
    image = ImageChops.lighter(
        ImageChops.lighter(
            layers[INK].point(INDEX_TABLES[0]), layers[MUTED].point(INDEX_TABLES[1])
        ),
        layers[ACCENT].point(INDEX_TABLES[2]),
    )
    image.putpalette(PALETTE)  # "L" becomes "P": the values are now palette indexes
    output = io.BytesIO()
    image.save(output, format="PNG", compress_level=1)  # level 6 takes 20 times as long
    return output.getvalue()


def blend(colour: tuple[int, int, int], coverage: float) -> list[int]:
    return [round(b + (c - b) * coverage) for b, c in zip(BACKGROUND, colour, strict=True)]


COLOURS = (INK, MUTED, ACCENT)  # drawn in this order; the card's texts never overlap
LEVELS = 85  # blends per colour: 1 + 3 * 85 = 256 palette entries
# Per colour: coverage 0..255 -> its palette index (0, the background, for no coverage).
INDEX_TABLES = tuple(
    [0] + [1 + n * LEVELS + v * LEVELS // 256 for v in range(1, 256)] for n in range(len(COLOURS))
)
PALETTE = [
    *BACKGROUND,
    *(
        v
        for colour in COLOURS
        for level in range(1, LEVELS + 1)
        for v in blend(colour, level / LEVELS)
    ),
]
