"""Locating quotes in seeds: only whitespace and quote-mark style are forgiven."""

from __future__ import annotations

import pytest

from builder.validate.provenance import (
    FULL_SCAN_CHARACTERS,
    find_quote,
    fold,
    locate_quote,
    nearest_passage,
)

SEED = "Lavrov said:\n“Those who refuse to leave  nicely will be destroyed,” he told reporters.\n"


@pytest.mark.parametrize(
    "quote",
    [
        "Those who refuse to leave  nicely will be destroyed",  # verbatim
        'said: "Those who refuse',  # straight quotes, a newline folded into a space
        "  Those who refuse to leave\tnicely  ",  # surrounding and inner whitespace
    ],
)
def test_forgiven_differences_still_find_the_seed_span(quote: str) -> None:
    passage, _ = locate_quote(quote, "s.txt", SEED)
    assert passage is not None
    assert SEED[passage.start : passage.end] == passage.text
    assert passage.text.split() == quote.replace('"', "“").split()


@pytest.mark.parametrize(
    "quote",
    ["Those who refuse to leave nicely will be Destroyed", "Those who refuse to leave nicely."],
)
def test_any_other_difference_fails_and_names_the_nearest_passage(quote: str) -> None:
    passage, nearest = locate_quote(quote, "s.txt", SEED)
    assert passage is None
    assert nearest.startswith("“Those who refuse to leave  nicely will be destroyed,”")


def test_regex_characters_in_a_quote_are_literal() -> None:
    seed = "Aid (in fighting) fell 50%+ [sic].\n"
    passage, _ = locate_quote("Aid  (in fighting) fell 50%+ [sic].", "s.txt", seed)
    assert passage is not None and passage.start == 0
    assert locate_quote("Aid (in fighting) fell 50% [sic].", "s.txt", seed)[0] is None


def test_every_occurrence_is_found_in_seed_order_whatever_its_quote_marks() -> None:
    seed = "He said 'no'. Later: ‘no’. Then 'no' again."
    found = find_quote("'no'", "s.txt", seed)
    assert [seed[p.start : p.end] for p in found] == ["'no'", "‘no’", "'no'"]
    assert found[0].start < found[1].start < found[2].start


def test_the_nearest_passage_in_a_large_seed_is_found_around_the_rarest_words() -> None:
    filler = "The city was quiet and the people waited for news of the convoy. " * 40_000
    planted = "Rebels said 4,000 fighters withdrew from Sheikh Saeed overnight."
    seed = filler + planted + " " + filler  # about 5 MB, past FULL_SCAN_CHARACTERS
    assert len(seed) > FULL_SCAN_CHARACTERS
    nearest = nearest_passage(fold("Rebels said 5,000 fighters withdrew from Sheikh Saeed"), seed)
    assert nearest == planted


def test_spans_after_many_folded_whitespace_runs_are_the_seed_own() -> None:
    seed = 'One  two\n\n three\u00a0“four”\tfive.  One two three "four" five.'
    found = find_quote('two three "four" five', "s.txt", seed)
    assert [seed[p.start : p.end] for p in found] == [
        "two\n\n three\u00a0“four”\tfive",
        'two three "four" five',
    ]
    assert all(p.text == seed[p.start : p.end] for p in found)
