"""English words the builder reads in seed texts and writes in URLs: month and weekday names,
number words, and slugs.

Shared by `draft` (which finds dates and numbers in a raw text), the coverage check (which
finds every number and date a seed states) and render (which makes place slugs)."""

from __future__ import annotations

import hashlib
import re
import unicodedata

MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
MONTH_PATTERN = "|".join(sorted((m.capitalize() for m in MONTHS), key=len, reverse=True))
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

# fmt: off
UNITS = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
    "eighteen", "nineteen",
)
TENS = ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
# fmt: on


def slugify(text: str, max_words: int = 8) -> str:
    """`assad-troops-have-taken-52-percent-of-rebel-held`: lower case, ASCII words, hyphens.

    Accented Latin letters lose their accents ("Alep: la bataille" and "Alép" alike); a title
    with no Latin letters at all ("正文", "Алеппо") gets a stable `article-<hash>` instead."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower().replace("'", ""))
    if words:
        return "-".join(words[:max_words])
    return "article-" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:8]
