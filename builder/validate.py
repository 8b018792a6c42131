"""Validate: raw records -> the typed model, or every problem at once.

Input: `RawProject` from `load`.
Output: `(Site, metrics, actors, articles)` of frozen model objects; or `ContentErrors`
listing ALL problems as `path:line: message (hint)`, sorted by path and line.

Each scalar is converted here from its YAML node, at the node's own line. Cross-references
(actor, metric and seed names) get a did-you-mean. Every quote is located in its seed
(see `provenance`), which gives each fact the span that its page links to.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

import yaml

from builder.errors import ContentError, ContentErrors, did_you_mean
from builder.load import RawArticle, RawDocument, RawProject
from builder.model import (
    ACTOR_KINDS,
    QUALIFIERS,
    Actor,
    Article,
    Event,
    Figure,
    FuzzyDate,
    Metric,
    Passage,
    Quote,
    Site,
    SourceRef,
)
from builder.provenance import locate_quote
from builder.values import parse_date, parse_number

T = TypeVar("T")
ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
ID_HINT = "use lowercase letters, digits and single hyphens, e.g. 'russia-defence-ministry'"


@dataclass(frozen=True)
class Field:
    required: bool
    description: str  # shown in "missing field" hints and documented in the README


SITE_FIELDS = {
    "title": Field(True, "the archive's name"),
    "description": Field(True, "one sentence on what the archive holds"),
    "language": Field(True, "a language tag such as 'en'"),
    "base_url": Field(True, "the absolute URL the site is served from, ending in '/'"),
}
METRIC_FIELDS = {
    "label": Field(True, "a short human name"),
    "unit": Field(True, "what the numbers count: percent, people, neighbourhoods, ..."),
    "description": Field(True, "one sentence saying exactly what is counted"),
    "scope": Field(True, "what it counts over, e.g. 'east Aleppo' or 'the whole city'"),
}
ACTOR_FIELDS = {
    "name": Field(True, "the actor's usual name"),
    "kind": Field(True, "one of: " + ", ".join(ACTOR_KINDS)),
    "aliases": Field(False, "surface forms exactly as written in the seeds"),
    "part_of": Field(False, "ids of actors this one belongs to"),
    "summary": Field(True, "a few sentences of Markdown"),
    "not_in": Field(False, "phrases in which an alias names something else, e.g. 'rural Damascus'"),
}
ARTICLE_FIELDS = {
    "title": Field(True, "the headline"),
    "outlet": Field(True, "who published the article"),
    "published": Field(True, "publication date, YYYY-MM-DD"),
    "seed": Field(True, "the raw text's file name under seeds/"),
    "events": Field(False, "dated events the article reports"),
    "figures": Field(False, "numbers the article reports"),
    "quotes": Field(False, "notable direct quotations"),
}
EVENT_FIELDS = {
    "id": Field(False, "kebab-case; the same id in several articles makes one timeline entry"),
    "date": Field(True, "YYYY-MM-DD, or YYYY-MM when only the month is known"),
    "date_label": Field(False, "the source's wording for an approximate date"),
    "title": Field(True, "a short factual title"),
    "actors": Field(False, "ids of the actors involved"),
    "quote": Field(True, "the sentence it comes from, verbatim"),
}
FIGURE_FIELDS = {
    "metric": Field(True, "a metric id from content/metrics.yaml"),
    "value": Field(True, "a number, or [low, high] for a range"),
    "qualifier": Field(True, "one of: " + ", ".join(QUALIFIERS)),
    "as_of": Field(True, "the date the figure describes"),
    "claimant": Field(False, "id of the actor who said it (omit if unattributed)"),
    "projected": Field(False, "true for a forecast"),
    "note": Field(False, "a short clarification"),
    "quote": Field(True, "the sentence it comes from, verbatim"),
}
QUOTE_FIELDS = {
    "speaker": Field(True, "id of the actor who said it"),
    "quote": Field(True, "the words, verbatim from the seed"),
}


@dataclass
class Checker:
    """Collects problems for one document; every reader returns None after recording one."""

    document: RawDocument
    errors: list[ContentError] = field(default_factory=list)

    def line(self, node: yaml.Node) -> int:
        return node.start_mark.line + self.document.line_offset

    def fail(self, node: yaml.Node | None, message: str, hint: str = "") -> None:
        line = self.line(node) if node is not None else self.document.line_offset
        self.errors.append(ContentError(self.document.path, line, message, hint))

    def source(self, node: yaml.Node | None) -> SourceRef:
        line = self.line(node) if node is not None else self.document.line_offset
        return SourceRef(self.document.path, line)

    def mapping(
        self, node: yaml.Node | None, fields: dict[str, Field], what: str
    ) -> dict[str, yaml.Node] | None:
        """Keys -> value nodes; reports duplicate, unknown and missing keys."""
        if not isinstance(node, yaml.MappingNode):
            self.fail(node, f"{what} must be a mapping of 'key: value' lines", _field_list(fields))
            return None
        found: dict[str, yaml.Node] = {}
        misspelt: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in found:
                self.fail(key_node, f"duplicate key '{key}' in {what}", "keep only one of them")
            elif key not in fields:
                hint = did_you_mean(key, fields)
                self.fail(key_node, f"unknown field '{key}' in {what}", hint)
                misspelt.update(name for name in fields if f"'{name}'" in hint)
            else:
                found[key] = value_node
        for name, spec in fields.items():
            # A misspelt field is reported once, as unknown, not again as missing.
            if spec.required and name not in found and name not in misspelt:
                self.fail(node, f"missing required field '{name}' in {what}", spec.description)
        return found

    def text(self, node: yaml.Node, name: str) -> str | None:
        if not isinstance(node, yaml.ScalarNode) or node.tag == "tag:yaml.org,2002:null":
            self.fail(node, f"'{name}' must be text", "write it on the same line, quoted if needed")
            return None
        value = str(node.value).strip()
        if not value:
            self.fail(node, f"'{name}' is empty", "write the text, or remove the field if optional")
            return None
        return value

    def identifier(self, node: yaml.Node, name: str) -> str | None:
        value = self.text(node, name)
        if value is not None and not ID_PATTERN.match(value):
            self.fail(node, f"'{name}' {value!r} is not a valid id", ID_HINT)
            return None
        return value

    def reference(self, node: yaml.Node, name: str, known: dict[str, T], what: str) -> str | None:
        value = self.text(node, name)
        if value is not None and value not in known:
            self.fail(node, f"unknown {what} '{value}' in '{name}'", did_you_mean(value, known))
            return None
        return value

    def sequence(self, node: yaml.Node, name: str) -> list[yaml.Node]:
        if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null":
            return []
        if not isinstance(node, yaml.SequenceNode):
            self.fail(node, f"'{name}' must be a list", "write '- item' lines, or [a, b]")
            return []
        return list(node.value)

    def date(
        self, node: yaml.Node, name: str, label: str | None = None, *, exact: bool = False
    ) -> FuzzyDate | None:
        value = self.text(node, name)
        if value is None:
            return None
        parsed, problem = parse_date(value, label)
        if problem:
            self.fail(
                node, f"'{name}' {value!r}: {problem}", "write YYYY-MM-DD, or YYYY-MM for a month"
            )
            return None
        if exact and parsed is not None and not parsed.is_exact:
            self.fail(node, f"'{name}' {value!r} must be a full date", "write YYYY-MM-DD")
            return None
        return parsed

    def boolean(self, node: yaml.Node, name: str) -> bool | None:
        if isinstance(node, yaml.ScalarNode) and node.value in ("true", "false"):
            return bool(node.value == "true")
        self.fail(node, f"'{name}' must be true or false", "write exactly true or false")
        return None


def _field_list(fields: dict[str, Field]) -> str:
    return "fields: " + ", ".join(f"{k}{'' if f.required else '?'}" for k, f in fields.items())


def validate_project(
    raw: RawProject, base_url: str | None = None
) -> tuple[Site, list[Metric], list[Actor], list[Article]]:
    """The typed model; raises `ContentErrors` with every problem in the project."""
    errors = list(raw.errors)
    site = validate_site(raw.site, base_url, errors) if raw.site else None
    metrics = validate_metrics(raw.metrics, errors) if raw.metrics else {}
    actors = validate_actors(raw.actors, errors)
    # References are checked against every actor file, valid or not, so that one broken
    # actor file is reported once rather than again at every mention of it.
    actor_ids = dict.fromkeys(document.stem for document in raw.actors)
    articles = validate_articles(raw.articles, raw.seeds, actor_ids, metrics, errors)
    if errors or site is None:
        raise ContentErrors(errors)
    return site, list(metrics.values()), list(actors.values()), articles


def collect(document: RawDocument, errors: list[ContentError], build: Callable[[Checker], T]) -> T:
    checker = Checker(document)
    result = build(checker)
    errors.extend(checker.errors)
    return result


def validate_site(
    document: RawDocument, base_url: str | None, errors: list[ContentError]
) -> Site | None:
    def build(check: Checker) -> Site | None:
        fields = check.mapping(document.node, SITE_FIELDS, "site.yaml")
        if fields is None or len(fields) < len(SITE_FIELDS):
            return None
        title, description, language, own_url = (
            check.text(fields[name], name) for name in SITE_FIELDS
        )
        url = base_url or own_url
        if url is not None and not re.match(r"^https?://[^/]+", url):
            check.fail(
                fields["base_url"],
                f"base_url {url!r} is not an absolute http(s) URL",
                "e.g. https://user.github.io/archive/",
            )
            return None
        if title is None or description is None or language is None or url is None:
            return None
        return Site(
            title, description, language, url.rstrip("/") + "/", check.source(document.node)
        )

    return collect(document, errors, build)


def validate_metrics(document: RawDocument, errors: list[ContentError]) -> dict[str, Metric]:
    def build(check: Checker) -> dict[str, Metric]:
        metrics: dict[str, Metric] = {}
        node = document.node
        if not isinstance(node, yaml.MappingNode):
            check.fail(
                node,
                "metrics.yaml must map metric ids to their fields",
                "e.g. 'civilians-trapped:' then indented label, unit, description, scope",
            )
            return metrics
        seen: set[str] = set()
        for key_node, value_node in node.value:
            metric_id = check.identifier(key_node, "metric id")
            if metric_id is None:
                continue
            if metric_id in seen:
                check.fail(
                    key_node, f"duplicate metric id '{metric_id}'", "each metric is defined once"
                )
                continue
            seen.add(metric_id)
            fields = check.mapping(value_node, METRIC_FIELDS, f"metric '{metric_id}'")
            if fields is None or len(fields) < len(METRIC_FIELDS):
                continue
            values = {name: check.text(n, name) for name, n in fields.items()}
            if all(v is not None for v in values.values()):
                metrics[metric_id] = Metric(metric_id, source=check.source(key_node), **values)  # type: ignore[arg-type]
        return metrics

    return collect(document, errors, build)


def validate_actors(
    documents: tuple[RawDocument, ...], errors: list[ContentError]
) -> dict[str, Actor]:
    actors: dict[str, Actor] = {}
    alias_owner: dict[str, tuple[str, str, int]] = {}
    part_of_nodes: dict[str, list[tuple[Checker, yaml.Node]]] = {}
    for document in documents:
        check = Checker(document)
        actor = read_actor(check, part_of_nodes)
        if actor is not None:
            if actor.actor_id in actors:
                check.fail(
                    document.node, f"duplicate actor id '{actor.actor_id}'", "rename one file"
                )
            actors[actor.actor_id] = actor
            for form in (actor.name, *actor.aliases):
                owner = alias_owner.setdefault(
                    form, (actor.actor_id, document.path, actor.source.line)
                )
                if owner[0] != actor.actor_id:
                    check.fail(
                        document.node,
                        f"alias '{form}' is also used by actor '{owner[0]}' ({owner[1]})",
                        "an alias must name one actor only; remove it from one of them",
                    )
        errors.extend(check.errors)
    actor_ids = dict.fromkeys(document.stem for document in documents)
    for actor_id, refs in part_of_nodes.items():
        for check, node in refs:
            check.reference(node, "part_of", actor_ids, "actor")
            if node.value == actor_id:
                check.fail(
                    node, f"actor '{actor_id}' cannot be part of itself", "remove it from part_of"
                )
            errors.extend(check.errors)
            check.errors.clear()
    return actors


def read_actor(
    check: Checker, part_of_nodes: dict[str, list[tuple[Checker, yaml.Node]]]
) -> Actor | None:
    document = check.document
    actor_id = document.stem
    if not ID_PATTERN.match(actor_id):
        check.fail(document.node, f"actor file name '{actor_id}' is not a valid id", ID_HINT)
        return None
    fields = check.mapping(document.node, ACTOR_FIELDS, f"actor '{actor_id}'")
    if fields is None:
        return None
    name = check.text(fields["name"], "name") if "name" in fields else None
    kind = check.text(fields["kind"], "kind") if "kind" in fields else None
    if kind is not None and kind not in ACTOR_KINDS:
        check.fail(fields["kind"], f"unknown actor kind '{kind}'", did_you_mean(kind, ACTOR_KINDS))
        kind = None
    summary = check.text(fields["summary"], "summary") if "summary" in fields else None
    aliases = (
        [check.text(n, "aliases") for n in check.sequence(fields["aliases"], "aliases")]
        if "aliases" in fields
        else []
    )
    not_in = (
        [check.text(n, "not_in") for n in check.sequence(fields["not_in"], "not_in")]
        if "not_in" in fields
        else []
    )
    part_of = check.sequence(fields["part_of"], "part_of") if "part_of" in fields else []
    part_of_nodes[actor_id] = [(Checker(document), n) for n in part_of]
    if name is None or kind is None or summary is None or None in aliases or None in not_in:
        return None
    return Actor(
        actor_id=actor_id,
        name=name,
        kind=kind,
        aliases=tuple(a for a in aliases if a is not None),
        part_of=tuple(str(n.value) for n in part_of),
        summary_md=summary,
        source=check.source(document.node),
        not_in=tuple(p for p in not_in if p is not None),
    )


def validate_articles(
    raws: tuple[RawArticle, ...],
    seeds: dict[str, str],
    actors: dict[str, None],
    metrics: dict[str, Metric],
    errors: list[ContentError],
) -> list[Article]:
    articles: list[Article] = []
    seed_owner: dict[str, str] = {}
    slug_owner: dict[str, str] = {}
    for raw in raws:
        check = Checker(raw.document)
        article = read_article(check, raw, seeds, actors, metrics)
        slug = raw.document.stem
        # Case-insensitive: hosts such as GitHub Pages on macOS-built sites fold case.
        if slug.lower() in slug_owner:
            check.fail(
                raw.document.node,
                f"duplicate slug '{slug}' (also {slug_owner[slug.lower()]})",
                "rename one of the files",
            )
        slug_owner.setdefault(slug.lower(), raw.document.path)
        if article is not None:
            if article.seed in seed_owner:
                check.fail(
                    raw.document.node,
                    f"seed '{article.seed}' already has a fact sheet: {seed_owner[article.seed]}",
                    "one fact sheet per seed; merge the two",
                )
            seed_owner.setdefault(article.seed, raw.document.path)
            articles.append(article)
        errors.extend(check.errors)
    return articles


def read_article(
    check: Checker,
    raw: RawArticle,
    seeds: dict[str, str],
    actors: dict[str, None],
    metrics: dict[str, Metric],
) -> Article | None:
    slug = raw.document.stem
    if not ID_PATTERN.match(slug):
        check.fail(raw.document.node, f"article file name '{slug}' is not a valid slug", ID_HINT)
        return None
    fields = check.mapping(raw.document.node, ARTICLE_FIELDS, "front matter")
    if fields is None:
        return None
    title = check.text(fields["title"], "title") if "title" in fields else None
    outlet = check.text(fields["outlet"], "outlet") if "outlet" in fields else None
    published = (
        check.date(fields["published"], "published", exact=True) if "published" in fields else None
    )
    seed = read_seed_name(check, fields["seed"], seeds) if "seed" in fields else None
    if seed is None:
        return None  # without its seed no quote can be checked
    seed_text = seeds[seed]
    facts = FactReader(check, slug, seed, seed_text, actors, metrics)
    events = facts.read_all(fields.get("events"), "events", facts.event)
    figures = facts.read_all(fields.get("figures"), "figures", facts.figure)
    quotes = facts.read_all(fields.get("quotes"), "quotes", facts.quote)
    if not raw.body.strip():
        check.fail(
            raw.document.node,
            "the summary after the front matter is empty",
            "write 2-4 sentences on what the article reports",
        )
    if title is None or outlet is None or published is None or check.errors:
        return None
    return Article(
        slug=slug,
        title=title,
        outlet=outlet,
        published=published,
        seed=seed,
        seed_text=seed_text,
        summary_md=raw.body.strip() + "\n",
        events=tuple(events),
        figures=tuple(figures),
        quotes=tuple(quotes),
        source=check.source(raw.document.node),
    )


def read_seed_name(check: Checker, node: yaml.Node, seeds: dict[str, str]) -> str | None:
    name = check.text(node, "seed")
    if name is not None and name not in seeds:
        check.fail(node, f"seed file 'seeds/{name}' does not exist", did_you_mean(name, seeds))
        return None
    return name


@dataclass
class FactReader:
    """Reads the events, figures and quotes of one article against its seed."""

    check: Checker
    slug: str
    seed: str
    seed_text: str
    actors: dict[str, None]  # every actor id
    metrics: dict[str, Metric]
    event_ids: set[str] = field(default_factory=set)

    def read_all(
        self, node: yaml.Node | None, name: str, read: Callable[[yaml.Node, int], T | None]
    ) -> list[T]:
        if node is None:
            return []
        items = [read(item, n) for n, item in enumerate(self.check.sequence(node, name), start=1)]
        return [item for item in items if item is not None]

    def passage(self, node: yaml.Node) -> Passage | None:
        quote = self.check.text(node, "quote")
        if quote is None:
            return None
        passage, nearest = locate_quote(quote, self.seed, self.seed_text)
        if passage is None:
            self.check.fail(
                node,
                f"quote not found in seeds/{self.seed}",
                f"nearest passage: {nearest!r}; copy it verbatim",
            )
        return passage

    def event(self, node: yaml.Node, number: int) -> Event | None:
        check = self.check
        fields = check.mapping(node, EVENT_FIELDS, f"event {number}")
        if fields is None:
            return None
        event_id = (
            check.identifier(fields["id"], "id")
            if "id" in fields
            else f"{self.slug}-event-{number}"
        )
        if event_id is not None and "id" in fields:
            if event_id in self.event_ids:
                check.fail(
                    fields["id"],
                    f"duplicate event id '{event_id}' in this article",
                    "an article reports each event once; give the other a new id",
                )
                event_id = None
            else:
                self.event_ids.add(event_id)
        label = check.text(fields["date_label"], "date_label") if "date_label" in fields else None
        date = check.date(fields["date"], "date", label) if "date" in fields else None
        title = check.text(fields["title"], "title") if "title" in fields else None
        actor_ids = self.actor_list(fields.get("actors"))
        passage = self.passage(fields["quote"]) if "quote" in fields else None
        if (
            event_id is None
            or date is None
            or title is None
            or actor_ids is None
            or passage is None
        ):
            return None
        return Event(event_id, self.slug, date, title, actor_ids, passage, check.source(node))

    def actor_list(self, node: yaml.Node | None) -> tuple[str, ...] | None:
        if node is None:
            return ()
        ids = [
            self.check.reference(n, "actors", self.actors, "actor")
            for n in self.check.sequence(node, "actors")
        ]
        return None if None in ids else tuple(i for i in ids if i is not None)

    def figure(self, node: yaml.Node, number: int) -> Figure | None:
        check = self.check
        fields = check.mapping(node, FIGURE_FIELDS, f"figure {number}")
        if fields is None:
            return None
        metric_id = (
            check.reference(fields["metric"], "metric", self.metrics, "metric")
            if "metric" in fields
            else None
        )
        bounds = self.value(fields["value"]) if "value" in fields else None
        qualifier = check.text(fields["qualifier"], "qualifier") if "qualifier" in fields else None
        if qualifier is not None and qualifier not in QUALIFIERS:
            check.fail(
                fields["qualifier"],
                f"unknown qualifier '{qualifier}'",
                did_you_mean(qualifier, QUALIFIERS),
            )
            qualifier = None
        as_of = check.date(fields["as_of"], "as_of") if "as_of" in fields else None
        claimant = (
            check.reference(fields["claimant"], "claimant", self.actors, "actor")
            if "claimant" in fields
            else None
        )
        projected = (
            check.boolean(fields["projected"], "projected") if "projected" in fields else False
        )
        note = check.text(fields["note"], "note") if "note" in fields else None
        passage = self.passage(fields["quote"]) if "quote" in fields else None
        if (
            metric_id is not None
            and bounds is not None
            and self.metrics[metric_id].unit == "percent"
            and bounds[1] > 100
        ):
            check.fail(
                fields["value"],
                f"{bounds[1]:g} percent is more than 100",
                "check the value or the metric",
            )
            bounds = None
        if None in (metric_id, bounds, qualifier, as_of, projected, passage) or (
            "claimant" in fields and claimant is None
        ):
            return None
        return Figure(
            figure_id=f"{self.slug}-fig-{number}",
            article_slug=self.slug,
            metric_id=metric_id,  # type: ignore[arg-type]
            low=bounds[0],  # type: ignore[index]
            high=bounds[1],  # type: ignore[index]
            qualifier=qualifier,  # type: ignore[arg-type]
            as_of=as_of,  # type: ignore[arg-type]
            claimant_id=claimant,
            projected=bool(projected),
            note=note,
            passage=passage,  # type: ignore[arg-type]
            source=check.source(node),
        )

    def value(self, node: yaml.Node) -> tuple[float, float] | None:
        check = self.check
        if isinstance(node, yaml.SequenceNode):
            if len(node.value) != 2:
                check.fail(node, "a range must have exactly two numbers", "write [low, high]")
                return None
            low, high = (self.number(n) for n in node.value)
            if low is None or high is None:
                return None
            if low >= high:
                check.fail(
                    node,
                    f"range [{low:g}, {high:g}] is not increasing",
                    "write [low, high] with low < high",
                )
                return None
            return (low, high)
        number = self.number(node)
        return None if number is None else (number, number)

    def number(self, node: yaml.Node) -> float | None:
        value, problem = (
            parse_number(node) if isinstance(node, yaml.ScalarNode) else (None, "a list or mapping")
        )
        if problem:
            self.check.fail(
                node,
                f"'value' must be a number, not {problem}",
                "write digits without separators, e.g. 100000 or 52.5",
            )
        return value

    def quote(self, node: yaml.Node, number: int) -> Quote | None:
        check = self.check
        fields = check.mapping(node, QUOTE_FIELDS, f"quote {number}")
        if fields is None:
            return None
        speaker = (
            check.reference(fields["speaker"], "speaker", self.actors, "actor")
            if "speaker" in fields
            else None
        )
        passage = self.passage(fields["quote"]) if "quote" in fields else None
        if speaker is None or passage is None:
            return None
        return Quote(f"{self.slug}-quote-{number}", self.slug, speaker, passage, check.source(node))
