"""Sharing: every page has Open Graph and Twitter card meta; every share card it names
exists in the site as a 1200x630 PNG of at most 200 KB; cards are cached by what they show."""

from __future__ import annotations

import io
import zlib
from pathlib import Path

import pytest
from PIL import Image

from builder.build import BuildReport
from builder.render import og_image
from builder.render.og_image import Card, card_key, card_png, draw_card
from tests.htmlparse import parse_page
from tests.sample_archive import make_archive

MAX_IMAGE_BYTES = 200_000
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff"
CARD = Card("Fact sheet · ABC News", "A title", "Key figure: 52%", "", "Archive", "alt text")


def meta_content(page: object, attribute: str, name: str) -> str:
    element = page.find("meta", **{attribute: name})  # type: ignore[attr-defined]
    assert element is not None, name
    return str(element.get("content"))


def test_every_page_has_og_and_twitter_meta_naming_an_image_in_the_site(
    built_site: Path, build_report: BuildReport
) -> None:
    base = build_report.archive.site.base_url
    pages = sorted(built_site.rglob("*.html"))
    assert len(pages) > 30
    for path in pages:
        page = parse_page(path)
        image = meta_content(page, "property", "og:image")
        assert image.startswith(base) and image == meta_content(page, "name", "twitter:image")
        assert meta_content(page, "property", "og:image:width") == "1200"
        assert meta_content(page, "property", "og:image:height") == "630"
        assert meta_content(page, "property", "og:image:alt")
        assert meta_content(page, "name", "twitter:card") == "summary_large_image"
        assert meta_content(page, "name", "twitter:title")
        assert meta_content(page, "name", "twitter:description")
        assert (built_site / image.removeprefix(base)).is_file(), (path, image)


def test_fact_sheets_and_metric_pages_have_cards_of_their_own(
    built_site: Path, build_report: BuildReport
) -> None:
    archive = build_report.archive
    base = archive.site.base_url
    for article in archive.articles:
        page = parse_page(built_site / archive.url_article(article.slug) / "index.html")
        image = meta_content(page, "property", "og:image")
        assert image == base + og_image.article_image(article.slug)
        assert article.title in meta_content(page, "property", "og:image:alt")
    for metric_id, metric in archive.metrics.items():
        page = parse_page(built_site / archive.url_metric(metric_id) / "index.html")
        assert meta_content(page, "property", "og:image") == base + og_image.metric_image(metric_id)
        assert metric.label in meta_content(page, "property", "og:image:alt")
    home = parse_page(built_site / "index.html")
    assert meta_content(home, "property", "og:image") == base + og_image.SITE_IMAGE


def test_every_card_is_a_small_png_of_1200_by_630(built_site: Path) -> None:
    cards = sorted((built_site / "og").rglob("*"))
    files = [card for card in cards if card.is_file()]
    assert len(files) > 10
    for card in files:
        content = card.read_bytes()
        assert content.startswith(PNG_MAGIC) or content.startswith(JPEG_MAGIC), card
        assert len(content) <= MAX_IMAGE_BYTES, (card, len(content))
        with Image.open(io.BytesIO(content)) as image:
            assert image.format in ("PNG", "JPEG") and image.size == (1200, 630), card


def test_a_card_shows_its_text_in_ink_on_the_background_beside_the_accent_band() -> None:
    with Image.open(io.BytesIO(draw_card(CARD))) as image:
        assert image.mode == "P"  # 16 colours, drawn as palette indexes
        pixels = image.convert("RGB")
    assert pixels.getpixel((8, 300)) == og_image.ACCENT
    assert pixels.getpixel((600, 20)) == og_image.BACKGROUND
    headline = pixels.crop((og_image.MARGIN, og_image.HEADLINE_Y, 600, og_image.HEADLINE_Y + 100))
    colours = {colour for _, colour in headline.getcolors() or ()}
    assert og_image.INK in colours and og_image.BACKGROUND in colours
    assert len(colours) > 5  # the glyphs' edges are smoothed, not jagged


def test_a_card_is_a_valid_png_to_a_strict_reader() -> None:
    """The PNG is written by hand (og_image.palette_png): every chunk's CRC and the zlib
    stream's checksum must hold, and the stream must hold every row, each unfiltered."""
    png = draw_card(CARD)
    assert png.startswith(PNG_MAGIC)
    at, chunks = len(PNG_MAGIC), []
    while at < len(png):
        length = int.from_bytes(png[at : at + 4], "big")
        kind, data = png[at + 4 : at + 8], png[at + 8 : at + 8 + length]
        assert zlib.crc32(kind + data) == int.from_bytes(png[at + 8 + length : at + 12 + length])
        chunks.append((kind, data))
        at += 12 + length
    assert [kind for kind, _ in chunks] == [b"IHDR", b"PLTE", b"IDAT", b"IEND"]
    rows = zlib.decompress(chunks[2][1])  # checks the Adler-32 at the end
    stride = 1 + 1200 // 2  # a filter byte, then two pixels a byte
    assert len(rows) == 630 * stride
    assert {rows[row * stride] for row in range(630)} == {0}


def test_a_card_is_drawn_the_same_every_time() -> None:
    assert draw_card(CARD) == draw_card(CARD)


def test_a_cached_card_is_reused_and_a_changed_one_drawn(tmp_path: Path) -> None:
    first = card_png(CARD, tmp_path)
    cached = tmp_path / f"{card_key(CARD)}.png"
    assert cached.read_bytes() == first
    cached.write_bytes(b"planted")  # stands in for a card drawn by an earlier build
    assert card_png(CARD, tmp_path) == b"planted"
    changed = Card(CARD.kicker, "Another title", CARD.detail, "", CARD.footer, CARD.alt)
    assert card_key(changed) != card_key(CARD)
    assert card_png(changed, tmp_path).startswith(PNG_MAGIC)


def test_a_cache_that_cannot_be_written_costs_only_time(tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    assert card_png(CARD, blocked / "og") == draw_card(CARD)


def test_characters_the_font_lacks_get_stand_ins() -> None:
    assert og_image.drawable("Café – Ürümqi") == "Cafe - Urumqi"


def test_cards_drawn_by_several_processes_are_the_same_and_cached(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive = make_archive()
    alone = og_image.render_og_images(archive, tmp_path / "one")
    monkeypatch.setattr(og_image, "PARALLEL_FROM", 1)
    together = og_image.render_og_images(archive, tmp_path / "two", jobs=2)
    assert together == alone and len(alone) == 1 + len(archive.articles) + len(archive.metrics)
    cached = sorted(og_image.og_cache_dir(tmp_path / "two").iterdir())
    assert len(cached) == len(set(og_image.archive_cards(archive).values()))


@pytest.mark.parametrize(
    "card",
    [
        CARD,
        Card("Figures", "12,000", "People killed", "Latest claim, as of 2016 · 3 claims", "A", ""),
        Card("K", " ".join(["A rather long headline"] * 12), "d " * 80, "n " * 80, "Footer", ""),
        Card("", "-", "", "", "", ""),  # a headline alone, no footer
    ],
)
def test_a_card_shows_the_pixels_it_was_drawn_with(
    card: Card, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only the rows the text was stamped on are compressed per card; the rows above and
    below come compressed from the base (og_image.base_rows). Decoded, the card is the image
    it was drawn on, row for row."""
    drawn: list[Image.Image] = []
    palette_png = og_image.palette_png

    def kept(indexes: Image.Image, footer: str, top: int, bottom: int) -> bytes:
        drawn.append(indexes.copy())
        return palette_png(indexes, footer, top, bottom)

    monkeypatch.setattr(og_image, "palette_png", kept)
    with Image.open(io.BytesIO(draw_card(card))) as image:
        shown = image.tobytes()
    assert shown == drawn[0].crop((0, 0, 1200, 630)).tobytes()


def test_joined_checksums_are_those_of_the_joined_bytes() -> None:
    parts = [b"", b"\x00", b"\xff" * 70_000, bytes(range(256)) * 9, b"card"]
    for first in parts:
        for second in parts:
            joined = og_image.adler32_joined(zlib.adler32(first), zlib.adler32(second), len(second))
            assert joined == zlib.adler32(first + second)


def test_cards_already_in_the_cache_are_not_drawn_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cache folder is listed once; a card whose file is there is read, not drawn."""
    archive = make_archive()
    monkeypatch.setattr(og_image, "PARALLEL_FROM", 1)
    first = dict(og_image.render_og_images(archive, tmp_path, jobs=2))
    monkeypatch.setattr(og_image, "draw_card", lambda card: pytest.fail(f"drawn: {card}"))
    again = og_image.render_og_images(archive, tmp_path, jobs=2)
    assert dict(again) == first


def test_blank_runs_are_the_runs_of_whole_blank_rows_long_enough_to_cut_out() -> None:
    blank, text = b"\0ab", b"\0xy"
    # A blank row's bytes also occur across two rows ("b" + "\0a" + ...): not a blank row.
    misaligned = b"\0xa" + b"b\0a" + b"b\0z"
    layout = [blank] * 3 + [text] + [blank] * og_image.MIN_RUN_ROWS + [misaligned]
    layout += [text] + [blank] * (og_image.MIN_RUN_ROWS - 1) + [text] + [blank] * 9
    rows = b"".join(layout)
    runs = list(og_image.blank_runs(rows, blank))
    stride = len(blank)
    first = 4 * stride
    last = len(rows) - 9 * stride
    assert runs == [(first, first + og_image.MIN_RUN_ROWS * stride), (last, len(rows))]
