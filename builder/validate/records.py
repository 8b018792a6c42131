"""Validate: raw records -> the typed model, or every problem at once.

Input: `RawProject` from `load`.
Output: `(Site, metrics, actors, articles)` of frozen model objects; or `ContentErrors`
listing ALL problems as `path:line: message (hint)`, sorted by path and line.

Each scalar is converted here from its YAML node, at the node's own line. Cross-references
(actor, metric and seed names) get a did-you-mean. Every quote is located in its seed
(see `provenance`), which gives each fact the span that its page links to.
"""

from __future__ import annotations

import dataclasses
import io
import pickle
import re
from collections.abc import Iterable, Sequence
from typing import TypeVar

import yaml

from builder.errors import ContentError, ContentErrors, ContentWarning, did_you_mean
from builder.forked import chunk_results
from builder.load.project import ArticleFiles, RawArticle, RawDocument, RawProject
from builder.model import (
    ACTOR_KINDS,
    STATUSES,
    Actor,
    Article,
    Metric,
    ReviewMarker,
    Site,
    SourceRef,
    Status,
)
from builder.validate.facts import FactReader
from builder.validate.fields import (
    ACTOR_FIELDS,
    ARTICLE_FIELDS,
    ID_HINT,
    ID_PATTERN,
    Checker,
)
from builder.validate.metrics import declared_metric_ids, validate_metrics, validate_site
from builder.validate.record_cache import RecordPickler

T = TypeVar("T")
# An alias this short links every stray initial ('S', 'al'); two capitals ('UN', 'US')
# are accepted, since matching is case-sensitive and respects word boundaries.
MIN_ALIAS_CHARACTERS = 3


def validate_project(
    raw: RawProject,
    base_url: str | None = None,
    warnings: list[ContentWarning] | None = None,
    validated: Sequence[Article] = (),
    jobs: int = 1,
) -> tuple[Site, list[Metric], list[Actor], list[Article]]:
    """The typed model; raises `ContentErrors` with every problem in the project.
    `validated`: sheets validated earlier and left out of `raw` (builder/validate/record_cache.py),
    returned among the others. `jobs`: processes that may read the sheets (`validate_articles`).

    Warnings travel with the errors (a `ContentWarning` is a kind of `ContentError`) and
    are split off at the end into `warnings`, when given.
    """
    errors: list[ContentError] = [*raw.errors, *raw.warnings]
    metrics = validate_metrics(raw.metrics, errors) if raw.metrics else {}
    # A broken metric is None here: figures of it are skipped, not reported again.
    metric_refs = {m: metrics.get(m) for m in declared_metric_ids(raw.metrics)}
    # Without metrics.yaml the headline metric cannot be checked; that file's absence is
    # reported by `load`.
    known_metrics = metric_refs if raw.metrics else None
    site = validate_site(raw.site, base_url, known_metrics, errors) if raw.site else None
    actors = validate_actors(raw.actors, errors)
    # References are checked against every actor file, valid or not, so that one broken
    # actor file is reported once rather than again at every mention of it.
    actor_ids = dict.fromkeys(document.stem for document in raw.actors)
    articles = validate_articles(
        raw.articles, raw.seeds, actor_ids, metric_refs, errors, validated, jobs
    )
    errors.extend(raw.articles.problems)  # found while the articles were read
    found = [problem for problem in errors if isinstance(problem, ContentWarning)]
    errors = [problem for problem in errors if not isinstance(problem, ContentWarning)]
    if warnings is not None:
        warnings.extend(found)
    if errors or site is None:
        raise ContentErrors(errors, found)
    return site, list(metrics.values()), list(actors.values()), articles


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
        errors.extend([*check.errors, *check.warnings])
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
    errors.extend(part_of_cycle_warnings(part_of_nodes))
    return actors


def part_of_cycle_warnings(
    part_of_nodes: dict[str, list[tuple[Checker, yaml.Node]]],
) -> list[ContentWarning]:
    """One warning per `part_of` cycle (a in b in a), at the link from its smallest id."""
    links = {
        actor_id: [str(node.value) for _, node in refs] for actor_id, refs in part_of_nodes.items()
    }
    warnings: list[ContentWarning] = []
    for cycle in part_of_cycles(links):
        start, following = cycle[0], cycle[1 % len(cycle)]
        check, node = next(ref for ref in part_of_nodes[start] if ref[1].value == following)
        path = " -> ".join((*cycle, start))
        check.warn(node, f"part_of cycle: {path}", "an actor cannot contain what contains it")
        warnings.extend(check.warnings)
        check.warnings.clear()
    return warnings


def part_of_cycles(links: dict[str, list[str]]) -> list[tuple[str, ...]]:
    """One shortest cycle per knot of the `part_of` graph, from the knot's smallest id.

    A knot is a strongly connected component of two or more actors; reporting one cycle
    per knot (rather than every cycle, of which there can be exponentially many) keeps
    this linear in the number of links.
    """
    cycles = []
    for knot in strongly_connected(links):
        if len(knot) < 2:
            continue
        start = min(knot)
        # Breadth-first inside the knot, for the shortest way from start back to it.
        came_from: dict[str, str] = {}
        frontier = [start]
        while start not in came_from:
            following = []
            for node in frontier:
                for target in sorted(links.get(node, ())):
                    if target in knot and target not in came_from:
                        came_from[target] = node
                        following.append(target)
            frontier = following
        path = [came_from[start]]
        while path[-1] != start:
            path.append(came_from[path[-1]])
        cycles.append(tuple(reversed(path)))
    return sorted(cycles)


def strongly_connected(links: dict[str, list[str]]) -> list[set[str]]:
    """Tarjan's strongly connected components, iteratively (no recursion limit)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[set[str]] = []
    for root in sorted(links):
        if root in index:
            continue
        work = [(root, iter(sorted(links.get(root, ()))))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, targets = work[-1]
            target = next(targets, None)
            if target is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.add(member)
                        if member == node:
                            break
                    components.append(component)
            elif target not in index:
                index[target] = low[target] = len(index)
                stack.append(target)
                on_stack.add(target)
                work.append((target, iter(sorted(links.get(target, ())))))
            elif target in on_stack:
                low[node] = min(low[node], index[target])
    return components


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
    alias_nodes = check.sequence(fields["aliases"], "aliases") if "aliases" in fields else []
    aliases = [check.text(n, "aliases") for n in alias_nodes]
    for node, alias in zip(alias_nodes, aliases, strict=True):
        acronym = len(alias or "") == 2 and (alias or "").isupper()
        if alias is not None and len(alias) < MIN_ALIAS_CHARACTERS and not acronym:
            check.warn(
                node,
                f"alias {alias!r} is shorter than {MIN_ALIAS_CHARACTERS} characters",
                "it would link every stray occurrence; write the longer form",
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
        summary_line=summary_line(check, fields["summary"]),
    )


def summary_line(check: Checker, node: yaml.Node) -> int:
    """The line a YAML summary's text starts on: a block scalar (| or >) starts below its key."""
    block = isinstance(node, yaml.ScalarNode) and node.style in ("|", ">")
    return check.line(node) + (1 if block else 0)


def validate_articles(
    raws: Iterable[RawArticle],
    seeds: dict[str, str],
    actors: dict[str, None],
    metrics: dict[str, Metric | None],
    errors: list[ContentError],
    validated: Sequence[Article] = (),
    jobs: int = 1,
) -> list[Article]:
    """The sheets of `raws`, and those `validated` earlier, in file order. Many sheets to
    read are read by `jobs` processes: the same sheets, errors and warnings, in the same
    order, for any number."""
    if isinstance(raws, ArticleFiles) and jobs > 1 and len(raws) >= MIN_SHEETS_PER_PROCESS * 2:
        articles = validate_in_processes(raws, seeds, actors, metrics, errors, jobs)
    else:
        articles = []
        for raw in raws:
            article, problems = validated_sheet(raw, seeds, actors, metrics)
            if article is not None:
                articles.append(article)
            errors.extend(problems)
    if validated:
        articles = sorted([*articles, *validated], key=lambda article: article.source.path)
    errors.extend(seed_clashes(articles))
    return articles


def validated_sheet(
    raw: RawArticle,
    seeds: dict[str, str],
    actors: dict[str, None],
    metrics: dict[str, Metric | None],
) -> tuple[Article | None, list[ContentError]]:
    """One sheet's article (None when it has an error), and its errors and warnings."""
    check = Checker(raw.document)
    article = read_article(check, raw, seeds, actors, metrics)
    return article, [*check.errors, *check.warnings]


# Below this many sheets to read per process, a process pool costs more than it saves.
MIN_SHEETS_PER_PROCESS = 250
# Sheets handed to a validating process at a time.
SHEETS_PER_CHUNK = 100


def validate_in_processes(
    raws: ArticleFiles,
    seeds: dict[str, str],
    actors: dict[str, None],
    metrics: dict[str, Metric | None],
    errors: list[ContentError],
    jobs: int,
) -> list[Article]:
    """`validate_articles`' loop, the sheets read, parsed and checked by `jobs` forked
    processes, chunk by chunk, gathered in file order. An article comes back without its
    seed's bytes (pickled once, not twice) and gets them again here."""

    def validate_chunk(start: int) -> bytes:
        """In a validating process: the articles of the sheets from number `start` on
        (their seed's bytes emptied), their errors and warnings, and the problems met
        reading them; pickled by `RecordPickler`, which is read back several times faster."""
        chunk = ArticleFiles(raws.project_dir, raws.paths[start : start + SHEETS_PER_CHUNK])
        articles: list[Article] = []
        problems: list[ContentError] = []
        for raw in chunk:
            article, found = validated_sheet(raw, seeds, actors, metrics)
            if article is not None:
                articles.append(dataclasses.replace(article, seed_utf8=b""))
            problems.extend(found)
        data = io.BytesIO()
        pickler = RecordPickler(data, protocol=pickle.HIGHEST_PROTOCOL)
        pickler.dump((articles, problems, chunk.problems))
        return data.getvalue()

    articles: list[Article] = []
    for packed in chunk_results(validate_chunk, len(raws), SHEETS_PER_CHUNK, jobs):
        found, problems, read_problems = pickle.loads(packed)
        articles.extend(
            dataclasses.replace(article, seed_utf8=seeds[article.seed].encode("utf-8"))
            for article in found
        )
        errors.extend(problems)
        raws.problems.extend(read_problems)
    return articles


def seed_clashes(articles: list[Article]) -> list[ContentError]:
    """A problem at every sheet (in file order) whose seed an earlier sheet already has.

    No duplicate-slug check is needed: slugs are file names in one folder, and being
    lowercase-only (ID_PATTERN) they cannot collide on a case-folding host either."""
    seed_owner: dict[str, str] = {}
    problems = []
    for article in articles:
        if article.seed in seed_owner:
            problems.append(
                ContentError(
                    article.source.path,
                    article.source.line,
                    f"seed '{article.seed}' already has a fact sheet: {seed_owner[article.seed]}",
                    "one fact sheet per seed; merge the two",
                )
            )
        seed_owner.setdefault(article.seed, article.source.path)
    return problems


def read_article(
    check: Checker,
    raw: RawArticle,
    seeds: dict[str, str],
    actors: dict[str, None],
    metrics: dict[str, Metric | None],
) -> Article | None:
    slug = raw.document.stem
    if not ID_PATTERN.match(slug):
        check.fail(raw.document.node, f"article file name '{slug}' is not a valid slug", ID_HINT)
        return None
    fields = check.mapping(raw.document.node, ARTICLE_FIELDS, "front matter")
    if fields is None:
        return None
    title = check.title(fields["title"], "title") if "title" in fields else None
    outlet = check.text(fields["outlet"], "outlet") if "outlet" in fields else None
    published = (
        check.date(fields["published"], "published", exact=True) if "published" in fields else None
    )
    status = read_status(check, fields.get("status"), raw)
    seed = read_seed_name(check, fields["seed"], seeds) if "seed" in fields else None
    if seed is None:
        return None  # without its seed no quote can be checked
    seed_text = seeds[seed]
    facts = FactReader(check, slug, seed, seed_text, actors, metrics)
    events = facts.read_all(fields.get("events"), "events", facts.event)
    figures = facts.read_all(fields.get("figures"), "figures", facts.figure)
    facts.check_wholes(figures)
    quotes = facts.read_all(fields.get("quotes"), "quotes", facts.quote)
    skipped = facts.read_all(fields.get("skipped"), "skipped", facts.skipped)
    url = read_url(check, fields["url"]) if "url" in fields else None
    outlet_inferred, published_inferred = (
        facts.inference(fields[name], name) if name in fields else None
        for name in ("outlet_inferred", "published_inferred")
    )
    if not raw.body.strip():
        check.fail(
            raw.document.node,
            "the summary after the front matter is empty",
            "write 2-4 sentences on what the article reports",
        )
    if title is None or outlet is None or published is None or status is None or check.errors:
        return None
    return Article(
        slug=slug,
        title=title,
        outlet=outlet,
        published=published,
        seed=seed,
        seed_utf8=seed_text.encode("utf-8"),
        summary_md=raw.body.strip() + "\n",
        events=tuple(events),
        figures=tuple(figures),
        quotes=tuple(quotes),
        source=check.source(raw.document.node),
        status=status,
        summary_line=raw.body_line + raw.body[: len(raw.body) - len(raw.body.lstrip())].count("\n"),
        review_markers=tuple(
            ReviewMarker(SourceRef(raw.document.path, line), note)
            for line, note in raw.review_markers
        ),
        url=url,
        outlet_inferred=outlet_inferred,
        published_inferred=published_inferred,
        skipped=tuple(skipped),
    )


def read_status(check: Checker, node: yaml.Node | None, raw: RawArticle) -> Status | None:
    """The sheet's status; a published sheet must have no `# REVIEW:` marker left."""
    status: Status = "published"
    if node is not None:
        text = check.text(node, "status")
        if text not in STATUSES:
            if text is not None:
                check.fail(node, f"unknown status '{text}'", did_you_mean(text, STATUSES))
            return None
        status = "draft" if text == "draft" else "published"
    if status == "published":
        for line, note in raw.review_markers:
            check.errors.append(
                ContentError(
                    raw.document.path,
                    line,
                    f"'# REVIEW:' marker left in a published fact sheet: {note}",
                    "check it against the source, then delete the marker; "
                    "or mark the sheet 'status: draft'",
                )
            )
    return status


def read_url(check: Checker, node: yaml.Node) -> str | None:
    url = check.text(node, "url")
    if url is not None and not re.match(r"^https?://[^/\s]+\S*$", url):
        check.fail(
            node, f"url {url!r} is not an http(s) address", "e.g. https://abcnews.go.com/..."
        )
        return None
    return url


def read_seed_name(check: Checker, node: yaml.Node, seeds: dict[str, str]) -> str | None:
    name = check.text(node, "seed")
    if name is not None and name not in seeds:
        check.fail(node, f"seed file 'seeds/{name}' does not exist", did_you_mean(name, seeds))
        return None
    return name
