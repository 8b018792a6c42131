"""Small hand-made archives for derive and render tests, built from model objects directly.

`make_archive()` gives two articles about one city: an event both report (with different
dates), an approximate date, overlapping and disagreeing figures, a projection, two related
metrics, actors with a part-of chain, and quotes. Tests pass overrides to vary one thing.
"""

from __future__ import annotations

from collections.abc import Sequence

from builder.index import Archive, build_archive
from builder.model import (
    Actor,
    Article,
    Event,
    Figure,
    FuzzyDate,
    Metric,
    MetricRelation,
    Passage,
    Qualifier,
    Quote,
    Site,
    SourceRef,
)

REF = SourceRef("content/test.yaml", 1)

SEED_A = (
    "Troops took Hanano on Saturday, officials said.\n\n"
    "Russia said troops held more than 52 percent of the east. "
    "The UN said 100,000 to 200,000 people were trapped. "
    "Lavrov said: Those who refuse to leave will be destroyed.\n"
)
SEED_B = (
    "Government forces captured Hanano on Sunday.\n\n"
    "About 275,000 people remain trapped, the UN said. "
    "The army expects to hold 60 percent soon. "
    "The siege began in late summer.\n"
)

SITE = Site("Test archive", "A test archive.", "en", "https://example.org/archive/", REF)


def passage(seed_name: str, seed_text: str, text: str) -> Passage:
    start = seed_text.index(text)
    return Passage(seed_name, start, start + len(text), text)


def fuzzy(iso: str, label: str | None = None) -> FuzzyDate:
    parts = [int(p) for p in iso.split("-")]
    return FuzzyDate(*parts, label=label)  # type: ignore[arg-type]


def figure(
    slug: str,
    n: int,
    seed: tuple[str, str],
    text: str,
    metric_id: str,
    low: float,
    high: float,
    qualifier: Qualifier,
    as_of: str,
    claimant_id: str | None,
    projected: bool = False,
) -> Figure:
    return Figure(
        figure_id=f"{slug}-fig-{n}",
        article_slug=slug,
        metric_id=metric_id,
        low=low,
        high=high,
        qualifier=qualifier,
        as_of=fuzzy(as_of),
        claimant_id=claimant_id,
        projected=projected,
        note=None,
        passage=passage(*seed, text),
        source=REF,
    )


def default_metrics() -> list[Metric]:
    return [
        Metric(
            "east-share",
            "Government share of east Aleppo",
            "percent",
            "",
            "east Aleppo",
            REF,
            related=(MetricRelation("city-share", compare=False),),
        ),
        Metric(
            "city-share",
            "Government share of the whole city",
            "percent",
            "",
            "the whole city",
            REF,
            related=(MetricRelation("east-share", compare=False),),
        ),
        Metric("trapped", "Civilians trapped", "people", "", "east Aleppo", REF),
    ]


def default_actors() -> list[Actor]:
    return [
        Actor("russia", "Russia", "state", ("Russian",), (), "A **state**.", REF),
        Actor(
            "lavrov", "Sergei Lavrov", "person", ("Lavrov",), ("russia",), "Foreign minister.", REF
        ),
        Actor("un", "United Nations", "organisation", ("UN",), (), "", REF),
        Actor("army", "Syrian army", "armed-group", ("troops", "Government forces"), (), "", REF),
    ]


def default_articles(extra_figures: Sequence[Figure] = ()) -> list[Article]:
    seed_a = ("a.txt", SEED_A)
    seed_b = ("b.txt", SEED_B)
    events_a = (
        Event(
            "hanano",
            "alpha",
            fuzzy("2016-11-26"),
            "Troops take Hanano",
            ("army",),
            passage(*seed_a, "Troops took Hanano on Saturday"),
            REF,
        ),
    )
    events_b = (
        Event(
            "hanano",
            "beta",
            fuzzy("2016-11-27"),
            "Forces capture Hanano",
            ("army", "russia"),
            passage(*seed_b, "Government forces captured Hanano on Sunday"),
            REF,
        ),
        Event(
            "siege",
            "beta",
            fuzzy("2016-08", "late summer"),
            "Siege begins",
            ("army",),
            passage(*seed_b, "The siege began in late summer"),
            REF,
        ),
    )
    figures_a = (
        figure(
            "alpha",
            1,
            seed_a,
            "more than 52 percent",
            "east-share",
            52,
            52,
            "more-than",
            "2016-12-04",
            "russia",
        ),
        figure(
            "alpha",
            2,
            seed_a,
            "100,000 to 200,000 people",
            "trapped",
            100000,
            200000,
            "exact",
            "2016-12-02",
            "un",
        ),
    )
    figures_b = (
        figure(
            "beta",
            1,
            seed_b,
            "About 275,000 people",
            "trapped",
            275000,
            275000,
            "about",
            "2016-11-27",
            "un",
        ),
        figure(
            "beta",
            2,
            seed_b,
            "60 percent",
            "east-share",
            60,
            60,
            "exact",
            "2016-11-28",
            "army",
            projected=True,
        ),
        *extra_figures,
    )
    quotes_a = (
        Quote(
            "alpha-quote-1",
            "alpha",
            "lavrov",
            passage(*seed_a, "Those who refuse to leave will be destroyed"),
            REF,
        ),
    )
    return [
        Article(
            "alpha",
            "Alpha report",
            "ABC News",
            fuzzy("2016-12-04"),
            "a.txt",
            SEED_A.encode(),
            "Summary *alpha*.",
            events_a,
            figures_a,
            quotes_a,
            REF,
        ),
        Article(
            "beta",
            "Beta report",
            "Al Jazeera",
            fuzzy("2016-11-28"),
            "b.txt",
            SEED_B.encode(),
            "Summary beta.",
            events_b,
            figures_b,
            (),
            REF,
        ),
    ]


def make_archive(
    articles: Sequence[Article] | None = None,
    metrics: Sequence[Metric] | None = None,
    actors: Sequence[Actor] | None = None,
) -> Archive:
    return build_archive(
        SITE,
        default_metrics() if metrics is None else metrics,
        default_actors() if actors is None else actors,
        default_articles() if articles is None else articles,
    )


# ---- Slow, obvious lookups: the oracle that derive/actors.py's one-pass index is tested against.


def events_of_actor(archive: Archive, actor_id: str) -> tuple[Event, ...]:
    return tuple(e for e in archive.events if actor_id in e.actor_ids)


def figures_claimed_by(archive: Archive, actor_id: str) -> tuple[Figure, ...]:
    return tuple(f for f in archive.figures if f.claimant_id == actor_id)


def quotes_by(archive: Archive, actor_id: str) -> tuple[Quote, ...]:
    return tuple(q for q in archive.quotes if q.speaker_id == actor_id)


def mention_counts(archive: Archive, actor_id: str) -> tuple[tuple[Article, int], ...]:
    """Articles whose seed names the actor, with how many times, newest article first."""
    counted = []
    for article in archive.articles:
        count = sum(1 for m in archive.mentions[article.slug] if m.actor_id == actor_id)
        if count:
            counted.append((article, count))
    return tuple(counted)
