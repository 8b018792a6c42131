"""Date expressions in a sentence, resolved against the publication date, for `draft`.

Input: one sentence and the article's publication date.
Output: `DateExpression`s in sentence order, each with a `FuzzyDate` and, where the guess
is shaky (a future weekday, a vague period), a note for the editor's review.

Rules: a weekday is the most recent such day on or before publication ("on Friday"), or the
next one when the sentence speaks of the future ("is set to ... on Monday"); a day and month
without a year take the publication year unless that lands well after publication; "last
month" and "in September" give a month; "mid-September" and "late summer" give a month with
the source's wording as label; "since 2012" gives a year.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from builder.draft.numbers import WORD_VALUES
from builder.english import MONTH_PATTERN, MONTHS, WEEKDAYS
from builder.model import FuzzyDate

SEASON_MONTHS = {"spring": 4, "summer": 7, "autumn": 10, "fall": 10, "winter": 1}
PART_SHIFT = {"early": -1, "mid": 0, "late": 1}
FUTURE_MARKERS = re.compile(
    r"\b(?:is|are) (?:set|due|scheduled|expected) to\b|\bwill\b|\bnext\b|\bplans? to\b", re.I
)


@dataclass(frozen=True)
class DateExpression:
    start: int  # offsets in the sentence
    end: int
    text: str
    date: FuzzyDate | None  # None: cannot be resolved from the text; left for the editor
    note: str | None = None  # why the editor should double-check this one
    period_start: FuzzyDate | None = None  # "in the past 72 hours": from when (date is the end)


def day_of(day: dt.date, label: str | None = None) -> FuzzyDate:
    return FuzzyDate(day.year, day.month, day.day, label)


def resolve_weekday(weekday: str, published: dt.date, future: bool = False) -> dt.date:
    """The most recent `weekday` on or before `published`, or the next one on or after it."""
    target = WEEKDAYS.index(weekday.lower())
    if future:
        return published + dt.timedelta(days=(target - published.weekday()) % 7)
    return published - dt.timedelta(days=(published.weekday() - target) % 7)


def resolve_day_month(day: int, month: int, year: int | None, published: dt.date) -> dt.date:
    """A stated day; without a year, the publication year, or the year before if that
    would put the day more than a month after publication (a December text citing January)."""
    if year is not None:
        return dt.date(year, month, day)
    candidate = dt.date(published.year, month, day)
    if candidate > published + dt.timedelta(days=31):
        candidate = dt.date(published.year - 1, month, day)
    return candidate


def resolve_month(month: int, published: dt.date, last_year: bool = False) -> tuple[int, int]:
    """(year, month) of a bare month name: this year's, unless it lies after publication."""
    year = published.year - 1 if last_year or month > published.month else published.year
    return year, month


def previous_month(published: dt.date) -> tuple[int, int]:
    first = published.replace(day=1) - dt.timedelta(days=1)
    return first.year, first.month


YEAR = r"(?:19|20)\d\d"
# One alternation per kind of expression; the group name says which resolver applies.
DATE_PATTERN = re.compile(
    "|".join(
        (
            r"(?P<pastn>\b(?i:in|over|during|within) the (?i:past|last) "
            r"(?P<pn>\w+) (?P<pu>(?i:hours|days|weeks))\b)",
            r"(?P<after>\b(?P<an>(?i:one|two|three|four|five|six|seven|a|\d{1,2})) "
            r"(?P<au>(?i:days?|weeks?)) (?P<ad>(?i:after|before))\b)",
            rf"(?P<mdy>\b(?P<m1>{MONTH_PATTERN})\.? (?P<d1>\d{{1,2}})(?:st|nd|rd|th)?\b"
            rf"(?:(?: and | to |-|–)(?P<d1b>\d{{1,2}})(?:st|nd|rd|th)?\b)?(?:,? (?P<y1>{YEAR}))?)",
            rf"(?P<dmy>\b(?:(?P<d2a>\d{{1,2}})(?:st|nd|rd|th)?(?: and | to |-|–))?"
            rf"(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?(?: of)? (?P<m2>{MONTH_PATTERN})\b(?:\.(?= \d))?"
            rf"(?:,? (?P<y2>{YEAR}))?)",
            rf"(?P<part>\b(?P<p1>(?i:early|mid|late))[- ](?P<m3>{MONTH_PATTERN})\b)",
            r"(?P<season>\b(?:(?P<p2>early|mid|late)[- ]|(?:in the|last|this) )"
            r"(?P<s>spring|summer|autumn|fall|winter)\b)",
            rf"(?P<month>\b(?i:in|since|until|from|by) (?P<m4>{MONTH_PATTERN})\b(?!\.? \d{{1,2}}\b)"
            rf"(?:,? (?:of )?(?P<y4>{YEAR})\b)?(?P<ly> last year)?)",
            rf"(?P<monthyear>\b(?P<m5>{MONTH_PATTERN}),? (?:of )?(?P<y5>{YEAR})\b)",
            r"(?P<weekday>\b(?P<w>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b)",
            r"(?P<year>\b(?i:in|since|until|from|by) (?P<yy>(?:19|20)\d\d)\b)",
            r"(?P<lastmonth>\b(?i:last month)\b)",
            r"(?P<ago>\b(?P<gn>(?i:a|an|one|two|three|four|five|six|seven|eight|nine|ten|"
            r"eleven|twelve|\d{1,3})) (?P<gu>(?i:days?|weeks?|months?|years?)) (?i:ago)\b)",
            r"(?P<daybefore>\b(?i:the day before yesterday)\b)",
            r"(?P<yearstart>\b(?i:(?:the )?(?:start|beginning) of (?:this|the) year)\b)",
            r"(?P<lastweek>\b(?i:last week)\b)",
            r"(?P<nextweek>\b(?i:next week)\b)",
            r"(?P<weekend>\b(?i:over the weekend)\b)",
            r"(?P<today>\b(?i:today|tonight|this morning|this afternoon|this evening)\b)",
            r"(?P<tomorrow>\b(?i:tomorrow)\b)",
            r"(?P<yesterday>\b(?i:yesterday)\b)",
        )
    )
)


SPEECH_BEFORE = re.compile(r"\b(?:said|says|told|recalled|recounted|added)\b", re.I)
# Relative to the moment of speaking: inside a quotation (or, for "ago" and "the day before
# yesterday", in reported speech) they count from when the speaker spoke, which the text may
# not give. Such dates are left unresolved rather than counted from publication.
SPEAKER_RELATIVE = frozenset(("today", "yesterday", "tomorrow", "daybefore", "ago", "lastweek",
                              "nextweek", "lastmonth", "weekend"))  # fmt: skip


def count_of(word: str) -> int | None:
    """ "72" -> 72, "four" -> 4, "a" -> 1; None for anything else."""
    word = word.lower()
    if word.isdigit():
        return int(word)
    return int(WORD_VALUES[word]) if word in WORD_VALUES else None


def find_date_expressions(
    sentence: str, published: dt.date, quoted: Sequence[tuple[int, int]] = ()
) -> list[DateExpression]:
    """Every date expression in the sentence, in order; those that cannot be resolved have
    no date and a note. `quoted`: the sentence's spans inside quotation marks."""
    found: list[DateExpression] = []
    for match in DATE_PATTERN.finditer(sentence):
        kind = match.lastgroup
        in_quote = any(start <= match.start() < end for start, end in quoted)
        reported = kind in {"ago", "daybefore"} and bool(
            SPEECH_BEFORE.search(sentence[: match.start()])
        )
        if kind in SPEAKER_RELATIVE and (in_quote or reported):
            if kind == "ago" and (match["gu"] or "").lower().startswith("year"):
                pass  # "four years ago": the moment of speaking hardly matters
            else:
                why = "relative to when the speaker spoke, which the text does not date"
                found.append(DateExpression(match.start(), match.end(), match.group(0), None, why))
                continue
        if kind == "after":
            found.append(resolve_after(match, sentence, published))
            continue
        resolved = resolve_match(match, sentence, published)
        if resolved is None:
            continue
        date, note = resolved
        period_start = None
        if kind == "pastn":
            period_start = resolve_past(match, published)
        found.append(
            DateExpression(match.start(), match.end(), match.group(0), date, note, period_start)
        )
        second_day = match["d1b"] or (match["d2"] if match["d2a"] else None)
        if second_day and date is not None:  # "November 26 and 27", "3-4 December"
            try:
                second = dt.date(date.year, date.month or 1, int(second_day))
            except ValueError:
                continue
            found.append(DateExpression(match.start(), match.end(), match.group(0), day_of(second)))
    return found


def resolve_past(match: re.Match[str], published: dt.date) -> FuzzyDate | None:
    """ "in the past 72 hours" -> the day 3 days before publication (the period's start)."""
    count = count_of(match["pn"])
    if count is None:
        return None
    unit = match["pu"].lower()
    days = -(-count // 24) if unit == "hours" else count * (7 if unit == "weeks" else 1)
    return day_of(published - dt.timedelta(days=days))


def resolve_after(match: re.Match[str], sentence: str, published: dt.date) -> DateExpression:
    """ "one day after the December 11 vote": the date that follows, moved; when the text
    dates the reference event nowhere in the sentence, left unresolved for the editor."""
    count = count_of(match["an"]) or 0
    days = count * (7 if match["au"].lower().startswith("week") else 1)
    days = -days if match["ad"].lower() == "before" else days
    later = [
        e
        for e in find_date_expressions(sentence[match.end() :], published)
        if e.date is not None and e.date.is_exact and e.start <= 40
    ]
    text = match.group(0)
    if not later or later[0].date is None:
        note = f"{text!r} a dated event the text does not date here: find its date"
        return DateExpression(match.start(), match.end(), text, None, note)
    reference = later[0].date
    assert reference.month is not None and reference.day is not None
    day = dt.date(reference.year, reference.month, reference.day) + dt.timedelta(days=days)
    note = f"{text!r} {later[0].text!r}"
    return DateExpression(match.start(), match.end() + later[0].end, text, day_of(day), note)


def resolve_match(
    match: re.Match[str], sentence: str, published: dt.date
) -> tuple[FuzzyDate, str | None] | None:
    """The date and a review note for one match, or None for an impossible date."""
    kind = match.lastgroup
    try:
        if kind == "mdy" or kind == "dmy":
            month = MONTHS[(match["m1"] or match["m2"]).lower()]
            day = int(match["d1"] or match["d2a"] or match["d2"])
            year = match["y1"] or match["y2"]
            return day_of(
                resolve_day_month(day, month, int(year) if year else None, published)
            ), None
    except ValueError:
        return None
    if kind == "part":
        year, month = resolve_month(MONTHS[match["m3"].lower()], published)
        return FuzzyDate(year, month, None, match.group(0)), None
    if kind == "season":
        middle = SEASON_MONTHS[match["s"].lower()]
        month = middle + PART_SHIFT.get((match["p2"] or "mid").lower(), 0)
        year, month = resolve_month(month, published)
        return FuzzyDate(year, month, None, match.group(0).strip(" -")), "a season: month guessed"
    if kind == "month":
        month = MONTHS[match["m4"].lower()]
        if match["y4"]:  # "since June of 2015": the stated year, never the publication's
            return FuzzyDate(int(match["y4"]), month), None
        year, month = resolve_month(month, published, bool(match["ly"]))
        return FuzzyDate(year, month), None
    if kind == "monthyear":
        return FuzzyDate(int(match["y5"]), MONTHS[match["m5"].lower()]), None
    if kind == "weekday":
        future = bool(FUTURE_MARKERS.search(clause_before(sentence, match.start())))
        note = "the sentence speaks of the future: the next such day was taken" if future else None
        return day_of(resolve_weekday(match["w"], published, future)), note
    if kind == "year":
        return FuzzyDate(int(match["yy"])), None
    if kind == "lastmonth":
        return FuzzyDate(*previous_month(published)), None
    if kind == "ago":
        return resolve_ago(match, published)
    if kind == "pastn":
        note = f"a period: {match.group(0)!r} up to publication"
        return day_of(published), note
    return resolve_relative_day(kind, published)


def resolve_ago(match: re.Match[str], published: dt.date) -> tuple[FuzzyDate, str | None] | None:
    """ "four years ago" -> the year; "two months ago" -> the month; "40 days ago" -> the day."""
    count = count_of(match["gn"])
    if count is None:
        return None
    unit = match["gu"].lower().rstrip("s")
    if unit == "year":
        return FuzzyDate(published.year - count), None
    if unit == "month":
        total = published.year * 12 + published.month - 1 - count
        return FuzzyDate(total // 12, total % 12 + 1), None
    days = count * (7 if unit == "week" else 1)
    day = published - dt.timedelta(days=days)
    if unit == "week":
        span = re.sub(r"(?i)\s+ago$", "", match.group(0)).lower()
        label = f"about {span} before {published.day} {published.strftime('%B')}"
        return FuzzyDate(day.year, day.month, None, label), None
    return day_of(day), f"counted back from publication: {match.group(0)!r}"


def clause_before(sentence: str, at: int) -> str:
    """The words of the clause that leads up to offset `at` (back to a comma, "and", "but")."""
    parts = re.split(r"[,;:]|\band\b|\bbut\b", sentence[:at])
    return parts[-1]


def resolve_relative_day(kind: str | None, published: dt.date) -> tuple[FuzzyDate, str | None]:
    """ "today", "a week ago", "last week", ...: counted from publication.

    "last week" and "next week" name no day, so they give the month with a label saying
    which week ("the week before 4 December"), rather than a day that looks exact.
    """
    if kind == "weekend":
        # The weekend ends on Sunday: a count "over the weekend" stands as of then.
        return day_of(resolve_weekday("sunday", published)), "'over the weekend': Sunday taken"
    if kind == "yearstart":
        return FuzzyDate(published.year, 1, None, f"the start of {published.year}"), None
    weeks = {"lastweek": (-7, "the week before"), "nextweek": (7, "the week after")}
    if kind in weeks:
        days, words = weeks[kind]
        week = published + dt.timedelta(days=days)
        label = f"{words} {published.day} {published.strftime('%B')}"
        return FuzzyDate(week.year, week.month, None, label), None
    days = {"today": 0, "yesterday": -1, "tomorrow": 1, "daybefore": -2}[kind or "today"]
    return day_of(published + dt.timedelta(days=days)), None
