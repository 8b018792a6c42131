"""A synthetic archive of N articles shaped like the real one, for benchmarks.

Input: a number of articles and a seed for the random generator (deterministic).
Output: a project folder (content/, seeds/, templates/ copied from this repo) that
`python -m builder build` accepts, plus the in-memory `Corpus` that bench/peers.py turns into
the same pages for Hugo and Pelican.

Shape per article, from the five real ones: a ~4.5 kB seed text of ~35 sentences, 4 events
(most shared with neighbouring articles, as real reports corroborate each other), 4 figures,
2 quotes, all verbatim sentences of the seed; actors and metrics grow slowly with N.

    python bench/make_corpus.py --articles 1000 --out /tmp/corpus-1000
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
from dataclasses import dataclass
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
KINDS = ("person", "state", "government-body", "armed-group", "organisation", "media")
SYLLABLES: tuple[str, ...] = (
    "ka",
    "ri",
    "to",
    "mel",
    "an",
    "sor",
    "ve",
    "lin",
    "da",
    "hu",
    "rab",
    "zen",
)
SYLLABLES += ("ol", "mir", "tas", "qu", "ne", "bar", "il", "es", "gor", "fa")
PLACES: tuple[str, ...] = (
    "Harbour",
    "Old-Market",
    "Hilltop",
    "Citadel",
    "Riverside",
    "Orchard",
    "Station",
)
PLACES += ("Mill", "Quarry", "Bridge")
VERBS = ("took control of", "shelled", "withdrew from", "entered", "besieged", "evacuated")
UNITS = (("percent", "percent of the district"), ("people", "people"), ("neighbourhoods", "areas"))
QUALIFIERS = (("exact", ""), ("about", "about "), ("more-than", "more than "), ("up-to", "up to "))
FILLER = (
    "{a} declined to comment on the situation in {place}.",
    "Residents of {place} described long queues for bread and water.",
    "{a} accused {b} of blocking aid convoys near {place}.",
    "The claims could not be independently verified.",
    "Talks between {a} and {b} are expected to resume next week.",
    "{a} has denied targeting civilians in {place}.",
    "Aid workers said the road to {place} remained closed for most of the day.",
    "Observers said the fighting around {place} was the heaviest in months.",
)
EVENTS_PER_ARTICLE = 4
FIGURES_PER_ARTICLE = 4
QUOTES_PER_ARTICLE = 2
FILLER_SENTENCES = 25


@dataclass(frozen=True)
class SyntheticActor:
    actor_id: str
    name: str
    kind: str
    part_of: tuple[str, ...]


@dataclass(frozen=True)
class SyntheticMetric:
    metric_id: str
    label: str
    unit: str
    phrase: str  # how the seed sentences word the unit


@dataclass(frozen=True)
class SyntheticFact:
    """An event, figure or quote: its front-matter fields and the sentence it quotes."""

    kind: str  # "events" | "figures" | "quotes"
    fields: dict[str, object]
    sentence: str


@dataclass(frozen=True)
class SyntheticArticle:
    slug: str
    title: str
    outlet: str
    published: dt.date
    seed_name: str
    seed_text: str
    summary: str
    facts: tuple[SyntheticFact, ...]
    actor_ids: tuple[str, ...]  # every actor the seed names, for the peers' taxonomies


@dataclass(frozen=True)
class Corpus:
    actors: tuple[SyntheticActor, ...]
    metrics: tuple[SyntheticMetric, ...]
    articles: tuple[SyntheticArticle, ...]


def make_corpus(article_count: int, seed: int = 2016) -> Corpus:
    """A deterministic corpus: the same count and seed give the same bytes."""
    rng = random.Random(seed)
    actors = make_actors(rng, 40 + article_count // 20)
    metrics = make_metrics(10 + article_count // 500)
    span_days = min(3650, max(60, article_count * 3))
    start = dt.date(2010, 1, 1)
    articles = tuple(
        make_article(
            rng, n, start + dt.timedelta(days=n * span_days // article_count), actors, metrics
        )
        for n in range(article_count)
    )
    return Corpus(actors, metrics, articles)


def make_name(rng: random.Random, words: int) -> str:
    return " ".join(
        "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()
        for _ in range(words)
    )


def make_actors(rng: random.Random, count: int) -> tuple[SyntheticActor, ...]:
    actors: list[SyntheticActor] = []
    used: set[str] = set()
    while len(actors) < count:
        kind = KINDS[len(actors) % len(KINDS)]
        name = make_name(rng, 2 if kind == "person" else 1)
        if kind in ("government-body", "organisation"):
            name += " Council" if kind == "government-body" else " Relief Fund"
        actor_id = name.lower().replace(" ", "-")
        if actor_id in used:
            continue
        used.add(actor_id)
        parents = [a.actor_id for a in actors if a.kind == "state"]
        part_of = (
            (rng.choice(parents),) if kind in ("person", "government-body") and parents else ()
        )
        actors.append(SyntheticActor(actor_id, name, kind, part_of))
    return tuple(actors)


def make_metrics(count: int) -> tuple[SyntheticMetric, ...]:
    metrics = []
    for n in range(count):
        unit, phrase = UNITS[n % len(UNITS)]
        label = f"{PLACES[n % len(PLACES)]} {unit} count {n + 1}"
        metrics.append(SyntheticMetric(f"metric-{n + 1:03d}", label, unit, phrase))
    return tuple(metrics)


def make_article(
    rng: random.Random,
    n: int,
    published: dt.date,
    actors: tuple[SyntheticActor, ...],
    metrics: tuple[SyntheticMetric, ...],
) -> SyntheticArticle:
    slug = f"{published.isoformat()}-report-{n:05d}"
    cast = rng.sample(actors, 8)
    # Event ids come from a pool that walks with the articles: each article reports four
    # consecutive events from its own or a recent window, so neighbours corroborate each other.
    window = max(0, 2 * n - 2 * rng.randint(0, 2))
    facts = (
        *(event_fact(rng, window, k, published, cast) for k in range(EVENTS_PER_ARTICLE)),
        *(figure_fact(rng, n, k, published, cast, metrics) for k in range(FIGURES_PER_ARTICLE)),
        *(quote_fact(rng, n, k, cast) for k in range(QUOTES_PER_ARTICLE)),
    )
    sentences = [f.sentence for f in facts] + [
        rng.choice(FILLER).format(
            a=rng.choice(cast).name, b=rng.choice(cast).name, place=rng.choice(PLACES)
        )
        for _ in range(FILLER_SENTENCES)
    ]
    rng.shuffle(sentences)
    title = f"Fighting in {rng.choice(PLACES)}: report {n}"
    paragraphs = [" ".join(sentences[i : i + 4]) for i in range(0, len(sentences), 4)]
    seed_text = f"{title}\n\n" + "\n\n".join(paragraphs) + "\n"
    summary = f"{cast[0].name} and {cast[1].name} feature in this report from {rng.choice(PLACES)}."
    return SyntheticArticle(
        slug=slug,
        title=title,
        outlet=f"Outlet {n % 30:02d}",
        published=published,
        seed_name=f"{n:05d}_synthetic.txt",
        seed_text=seed_text,
        summary=summary,
        facts=facts,
        actor_ids=tuple(sorted({a.actor_id for a in cast})),
    )


def event_fact(
    rng: random.Random, window: int, k: int, published: dt.date, cast: list[SyntheticActor]
) -> SyntheticFact:
    pool_index = window + k
    date = published - dt.timedelta(days=rng.randint(0, 2))
    actor, other = cast[k], cast[k + 4]
    place = PLACES[pool_index % len(PLACES)]
    sentence = (
        f"On {date.strftime('%A')}, forces loyal to {actor.name} {rng.choice(VERBS)} "
        f"the {place} district {pool_index}, according to {other.name} (item {k})."
    )
    fields: dict[str, object] = {
        "id": f"event-{pool_index:06d}",
        "date": date.isoformat(),
        "title": f"Fighting at {place} district {pool_index}",
        "actors": [actor.actor_id, other.actor_id],
        "quote": sentence,
    }
    return SyntheticFact("events", fields, sentence)


def figure_fact(
    rng: random.Random,
    n: int,
    k: int,
    published: dt.date,
    cast: list[SyntheticActor],
    metrics: tuple[SyntheticMetric, ...],
) -> SyntheticFact:
    metric = metrics[(n + k) % len(metrics)]
    claimant = cast[k + 2]
    qualifier, wording = rng.choice(QUALIFIERS)
    if k == 3:  # one range per article, as the real ones often give
        low = rng.randint(5, 45) if metric.unit == "percent" else rng.randint(1, 40) * 1000
        value: object = [low, low * 2]
        amount = f"between {low:,} and {low * 2:,}"
        qualifier = "exact"
    else:
        value = rng.randint(5, 95) if metric.unit == "percent" else rng.randint(10, 900) * 100
        amount = f"{wording}{value:,}"
    sentence = (
        f"{claimant.name} said {amount} {metric.phrase} were affected "
        f"by {published:%d %B} (claim {n}-{k})."
    )
    fields = {
        "metric": metric.metric_id,
        "value": value,
        "qualifier": qualifier,
        "as_of": published.isoformat(),
        "claimant": claimant.actor_id,
        "quote": sentence,
    }
    return SyntheticFact("figures", fields, sentence)


def quote_fact(rng: random.Random, n: int, k: int, cast: list[SyntheticActor]) -> SyntheticFact:
    speaker = cast[6 + k]
    place = rng.choice(PLACES)
    words = f"We will not leave {place} until the last family is safe, whatever it costs ({n}.{k})"
    return SyntheticFact(
        "quotes", {"speaker": speaker.actor_id, "quote": words}, f"“{words}”, {speaker.name} said."
    )


# ---- writing the project ------------------------------------------------------------------------


def write_project(corpus: Corpus, project_dir: Path) -> Path:
    """Our builder's project folder: content/, seeds/ and this repo's templates/."""
    if project_dir.exists():
        shutil.rmtree(project_dir)
    content = project_dir / "content"
    (content / "actors").mkdir(parents=True)
    (content / "articles").mkdir()
    (project_dir / "seeds").mkdir()
    shutil.copytree(REPO / "templates", project_dir / "templates")
    site = {
        "title": f"Synthetic archive of {len(corpus.articles)} articles",
        "description": "Generated by bench/make_corpus.py for benchmarks.",
        "language": "en",
        "base_url": "https://bench.example.org/archive/",
    }
    write_yaml(content / "site.yaml", site)
    metrics = {
        m.metric_id: {
            "label": m.label,
            "unit": m.unit,
            "description": f"Synthetic {m.label}.",
            "scope": "the city",
            "kind": "level",
        }
        for m in corpus.metrics
    }
    write_yaml(content / "metrics.yaml", metrics)
    for actor in corpus.actors:
        fields = {
            "name": actor.name,
            "kind": actor.kind,
            "part_of": list(actor.part_of),
            "summary": f"{actor.name}, a synthetic {actor.kind}.",
        }
        write_yaml(content / "actors" / f"{actor.actor_id}.yaml", fields)
    for article in corpus.articles:
        (project_dir / "seeds" / article.seed_name).write_text(article.seed_text, encoding="utf-8")
        front: dict[str, object] = {
            "title": article.title,
            "outlet": article.outlet,
            "published": article.published.isoformat(),
            "seed": article.seed_name,
        }
        for kind in ("events", "figures", "quotes"):
            front[kind] = [f.fields for f in article.facts if f.kind == kind]
        text = f"---\n{dump_yaml(front)}---\n{article.summary}\n"
        (content / "articles" / f"{article.slug}.md").write_text(text, encoding="utf-8")
    return project_dir


def dump_yaml(data: object) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=10_000)


def write_yaml(path: Path, data: object) -> None:
    path.write_text(dump_yaml(data), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100, help="how many articles (default 100)")
    parser.add_argument("--seed", type=int, default=2016, help="random seed (default 2016)")
    parser.add_argument("--out", type=Path, required=True, help="project folder to (re)create")
    args = parser.parse_args()
    write_project(make_corpus(args.articles, args.seed), args.out)
    print(f"wrote {args.articles} articles to {args.out}")


if __name__ == "__main__":
    main()
