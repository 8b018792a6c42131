"""Names in a seed that may be actors the archive lacks, for `draft`.

Input: the seed text (without its title).
Output: capitalised names, in first-seen order, that look like people, organisations, states
or groups, not like headlines, places, titles, nationalities or page furniture.

Rules, each a reason a capitalised run is NOT offered:
- it stands on a headline or caption line (most words capitalised, no full stop), or is page
  furniture ("Breaking News"), or glues two words ("YeranianLarry"), or is all capitals with
  a space (a dateline: "NEW YORK");
- it is only a title ("Special Adviser"); titles are cut off a name ("Foreign Minister
  Cavusoglu" -> "Cavusoglu");
- it ends in a nationality ("South Sudanese", "Syrian Kurdish") or is a people ("Kurds");
- it is a place: most of its occurrences follow "in", "at", "near", "from", "of", ...;
- it is one word with no sign of acting: not an acronym ("UNMISS"), not followed by
  "said", "told", "urged", ..., not preceded by "according to", and not just the last name
  of someone already listed.
"""

from __future__ import annotations

import re

from builder.draft.text import find_capitalised_names

# fmt: off
TITLE_WORDS = frozenset((
    "special", "adviser", "advisor", "secretary", "general", "under-secretary-general",
    "secretary-general", "president", "vice", "prime", "minister", "foreign", "defence",
    "defense", "deputy", "spokesman", "spokeswoman", "spokesperson", "representative",
    "humanitarian", "affairs", "chief", "coordinator", "emergency", "relief", "envoy",
    "ambassador", "acting", "director", "head", "commander", "lt", "gen", "col", "maj",
    "sgt", "capt", "mr", "mrs", "ms", "dr", "senior", "official", "officials", "senator",
    "sen", "rep", "governor", "mayor", "king", "queen", "prince", "sheikh", "colonel",
    "major", "lieutenant", "captain", "sergeant", "high", "commissioner", "under-secretary",
    "first", "executive", "permanent", "assistant", "state", "of", "the", "for", "to",
))
FURNITURE = frozenset((
    "breaking news", "accessibility links", "special report", "related", "listen", "photo",
    "share", "comments", "more news", "read more", "advertisement", "image", "video",
))
PEOPLES = frozenset((
    "kurd", "kurds", "turk", "turks", "arab", "arabs", "sunni", "sunnis", "shia", "shiite",
    "shiites", "alawite", "alawites", "jew", "jews", "christians", "muslims", "yazidis",
))
STARTERS = frozenset((
    "inside", "outside", "despite", "across", "amid", "among", "under", "over", "about",
    "meanwhile", "also", "still", "yet", "however", "today", "yesterday", "now", "then",
    "there", "here", "so", "just", "only", "even", "once", "while", "although", "though",
    "thousands", "hundreds", "dozens", "millions", "tens", "scores", "several", "few", "did",
    "do", "does", "is", "are", "was", "were", "can", "could", "will", "would", "should", "has",
    "have", "had", "may", "might", "must", "i",
))
TRAILING_DATES = frozenset((
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january",
    "february", "march", "april", "may", "june", "july", "august", "september", "october",
    "november", "december",
))
ORGANISATION_WORDS = frozenset((
    "army", "council", "party", "ministry", "department", "command", "organization",
    "organisation", "agency", "fund", "mission", "committee", "group", "front", "forces",
    "news", "tv", "service", "university", "union", "office", "program", "programme",
    "coalition", "police", "court", "bank", "institute", "commission", "association",
    "network", "observatory", "radio", "times", "post", "press", "crescent", "cross",
    "brigade", "brigades", "movement", "government", "nations", "alliance", "guard",
))
# fmt: on
ACTING_AFTER = re.compile(
    r"^(?:'s|’s)?(?:\s+of\s+(?:the\s+)?[A-Z][\w.’'-]*(?:\s+[A-Z][\w.’'-]*)*)?"
    r"\s*(?:\([A-Z]+\)\s*)?,?\s*(?:said|says|told|reported|reports|announced|"
    r"claimed|claims|warned|added|urged|called|denied|confirmed|accused|believes|stated|"
    r"noted|expressed|emphasized|emphasised|condemned|spokesman|spokeswoman|spokesperson|"
    r"officials?|chief|leader|forces|troops|government|has said|had said)\b"
)
ACTING_BEFORE = re.compile(
    r"(?:according to|citing|told|spokesman for|spokeswoman for|head of|leader of|chief of)"
    r"\s+(?:the\s+)?$",
    re.I,
)
LOCATIVE_BEFORE = re.compile(
    r"\b(?:in|at|near|from|to|into|inside|outside|across|toward|towards|around|of|via|"
    r"between|through|throughout|fled|flee|leave|left|reach|reached|entered|entering)"
    r"\s+(?:the\s+)?$",
    re.I,
)


def headline_lines(text: str) -> set[int]:
    """Start offsets of lines that are headlines, captions or bylines: no full stop at the
    end, and most words capitalised."""
    starts = set()
    for line in re.finditer(r"[^\n]+", text):
        words = re.findall(r"[A-Za-z][\w’'-]*", line.group(0))
        content = [
            w
            for w in words
            if w.lower() not in {"of", "the", "in", "to", "a", "and", "for", "on", "at", "as", "by"}
        ]
        if not content or line.group(0).rstrip().endswith((".", "”", '"', "?", "!")):
            continue
        capitalised = sum(1 for w in content if w[0].isupper())
        if capitalised / len(content) >= 0.6:
            starts.add(line.start())
    return starts


def strip_title(words: list[str]) -> list[str]:
    """Titles, and the affiliation before them, off a name: "Foreign Minister Mevlut
    Cavusoglu", "Turkish President Recep Tayyip Erdogan", "UNMISS Acting Spokesman Joseph
    Contreras" -> the person's name."""
    connectors = {"of", "the", "for", "to"}
    titles = [
        n
        for n, w in enumerate(words)
        if w.lower().strip(".,") in TITLE_WORDS and w.lower() not in connectors
    ]
    after_last = titles[-1] + 1 if titles else 0
    if titles and after_last < len(words) and "of" not in words[after_last:]:
        return words[after_last:]
    while words and words[0].lower().strip(".,") in TITLE_WORDS:
        words = words[1:]
    return words


def occurrences(text: str, name: str) -> list[re.Match[str]]:
    return list(re.finditer(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text))


def is_place(text: str, name: str) -> bool:
    found = occurrences(text, name)
    if not found:
        return False
    locative = sum(
        1
        for m in found
        if LOCATIVE_BEFORE.search(preceding(text, m.start()))
        and not re.match(r"[’']s\b", text[m.end() :])  # "in Putin's war": an actor
    )
    return locative * 2 >= len(found)


def acts(text: str, name: str) -> bool:
    """Some occurrence is followed by a verb of saying or acting, or follows "according to"."""
    return any(
        ACTING_AFTER.search(text[m.end() : m.end() + 40])
        or ACTING_BEFORE.search(preceding(text, m.start()))
        for m in occurrences(text, name)
    )


def looks_like_nationality(word: str) -> bool:
    return bool(re.search(r"(?:ese|ish|ian|ean|i)$", word)) or word.lower() in PEOPLES


def actor_candidates(text: str) -> list[str]:
    """Names in the text that may be actors, in first-seen order (see the module rules)."""
    headlines = headline_lines(text)
    kept: list[str] = []
    for name in find_capitalised_names(text):
        first = occurrences(text, name)
        if not first or all(line_start(text, m.start()) in headlines for m in first):
            continue
        candidate = clean_name(text, name)
        if candidate is None or candidate in kept:
            continue
        if " " not in candidate and any(candidate in k.split() for k in kept):
            continue  # the last name of someone already listed
        kept.append(candidate)
    return kept


def clean_name(text: str, name: str) -> str | None:
    """The name as an actor candidate, or None when a rule rejects it."""
    if name.lower() in FURNITURE or re.search(r"[a-z][A-Z]", name):
        return None
    if name.isupper() and " " in name:
        return None  # a dateline: "NEW YORK"
    words = [w.strip("'’\"“”") for w in name.split()]
    words[-1] = re.sub(r"-[a-z][\w-]*$", "", words[-1])  # "Islamic State-held"
    at = text.find(name)
    sentence_start = at <= 0 or re.search(r"(?:[.!?:\"“”•]\s*|\n)\s*$", preceding(text, at))
    if sentence_start and (
        words[0].lower() in STARTERS or re.search(r"(?:ing|ly|ed)$", words[0].lower())
    ):
        words = words[1:]
    if any(w.lower() in ORGANISATION_WORDS for w in words):
        return " ".join(words)  # "Defense Department": its title-like words are its name
    words = strip_title(words)
    if "of" in words:
        words = words[: words.index("of")]  # "Cavusoglu of Turkey": the person, not the state
    while words and words[-1].lower() in TRAILING_DATES | {"i"}:
        words = words[:-1]  # "Mosul Monday", "Did I"
    if not words:
        return None
    candidate = " ".join(words)
    last = words[-1].lower()
    if last not in ORGANISATION_WORDS and looks_like_nationality(words[-1]):
        return None
    if any(w.lower() in ORGANISATION_WORDS for w in words):
        return candidate
    if is_place(text, candidate):
        return None
    if len(words) == 1:
        acronym = candidate.isupper() and len(candidate) >= 2
        if not acronym and (re.search(r"-[a-z]", candidate) or not acts(text, candidate)):
            return None
    return candidate


def preceding(text: str, at: int, width: int = 40) -> str:
    """The few characters before offset `at`: enough for the patterns anchored at their end."""
    return text[max(at - width, 0) : at]


def line_start(text: str, at: int) -> int:
    return text.rfind("\n", 0, at) + 1
