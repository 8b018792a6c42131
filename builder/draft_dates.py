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
from dataclasses import dataclass

from builder.draft_text import MONTH_PATTERN, MONTHS
from builder.model import FuzzyDate

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
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
    date: FuzzyDate
    note: str | None = None  # why the editor should double-check this one


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
            rf"(?P<mdy>\b(?P<m1>{MONTH_PATTERN})\.? (?P<d1>\d{{1,2}})\b"
            rf"(?: and (?P<d1b>\d{{1,2}})\b)?(?:,? (?P<y1>{YEAR}))?)",
            rf"(?P<dmy>\b(?P<d2>\d{{1,2}}) (?P<m2>{MONTH_PATTERN})\b(?:\.(?= \d))?"
            rf"(?:,? (?P<y2>{YEAR}))?)",
            rf"(?P<part>\b(?P<p1>(?i:early|mid|late))[- ](?P<m3>{MONTH_PATTERN})\b)",
            r"(?P<season>\b(?:(?P<p2>early|mid|late)[- ]|(?:in the|last|this) )"
            r"(?P<s>spring|summer|autumn|fall|winter)\b)",
            rf"(?P<month>\b(?i:in|since|until|from|by) (?P<m4>{MONTH_PATTERN})\b"
            r"(?P<ly> last year)?)",
            r"(?P<weekday>\b(?P<w>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b)",
            r"(?P<year>\b(?i:in|since|until|from|by) (?P<yy>(?:19|20)\d\d)\b)",
            r"(?P<lastmonth>\b(?i:last month)\b)",
            r"(?P<weekago>\b(?i:(?:a|one) week ago)\b)",
            r"(?P<yearstart>\b(?i:(?:the )?(?:start|beginning) of (?:this|the) year)\b)",
            r"(?P<lastweek>\b(?i:last week)\b)",
            r"(?P<nextweek>\b(?i:next week)\b)",
            r"(?P<weekend>\b(?i:over the weekend)\b)",
            r"(?P<today>\b(?i:today)\b)",
            r"(?P<yesterday>\b(?i:yesterday)\b)",
        )
    )
)


def find_date_expressions(sentence: str, published: dt.date) -> list[DateExpression]:
    """Every date expression in the sentence that can be resolved, in order."""
    found = []
    for match in DATE_PATTERN.finditer(sentence):
        resolved = resolve_match(match, sentence, published)
        if resolved is not None:
            date, note = resolved
            found.append(DateExpression(match.start(), match.end(), match.group(0), date, note))
        if resolved is not None and match["d1b"]:  # "November 26 and 27": the second day too
            second = FuzzyDate(resolved[0].year, resolved[0].month, int(match["d1b"]))
            found.append(DateExpression(match.start(), match.end(), match.group(0), second))
    return found


def resolve_match(
    match: re.Match[str], sentence: str, published: dt.date
) -> tuple[FuzzyDate, str | None] | None:
    """The date and a review note for one match, or None for an impossible date."""
    kind = match.lastgroup
    try:
        if kind == "mdy" or kind == "dmy":
            month = MONTHS[(match["m1"] or match["m2"]).lower()]
            day = int(match["d1"] or match["d2"])
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
        year, month = resolve_month(MONTHS[match["m4"].lower()], published, bool(match["ly"]))
        return FuzzyDate(year, month), None
    if kind == "weekday":
        future = bool(FUTURE_MARKERS.search(clause_before(sentence, match.start())))
        note = "the sentence speaks of the future: the next such day was taken" if future else None
        return day_of(resolve_weekday(match["w"], published, future)), note
    if kind == "year":
        return FuzzyDate(int(match["yy"])), None
    if kind == "lastmonth":
        return FuzzyDate(*previous_month(published)), None
    return resolve_relative_day(kind, published)


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
    weeks["weekago"] = (-7, "about a week before")
    if kind in weeks:
        days, words = weeks[kind]
        week = published + dt.timedelta(days=days)
        label = f"{words} {published.day} {published.strftime('%B')}"
        return FuzzyDate(week.year, week.month, None, label), None
    days = {"today": 0, "yesterday": -1}[kind or "today"]
    return day_of(published + dt.timedelta(days=days)), None
