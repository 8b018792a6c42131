"""schema.org JSON-LD on the real build: it parses, and each type has its required properties.

Required here follows schema.org and the search engines' structured-data rules: a NewsArticle
needs headline, datePublished and publisher; an Event needs name, startDate and location; a
Dataset needs name, description and downloadable distributions; people, organisations and
countries need a name and their page's absolute URL.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from builder.build import BuildOptions, BuildReport, build_site
from builder.derive.figures import compare_figures
from tests.fixtures import make_project, replace_in

ARTICLE = "content/articles/sample-article.md"
LD_JSON = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)
ACTOR_TYPES = {
    "Person",
    "Organization",
    "Country",
    "GovernmentOrganization",
    "NewsMediaOrganization",
}
ISO_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


@pytest.fixture(scope="module")
def documents(built_site: Path) -> dict[str, list[dict[str, Any]]]:
    """Page path -> its JSON-LD objects, for every HTML page."""
    found = {}
    for page in sorted(built_site.rglob("*.html")):
        html = page.read_text(encoding="utf-8")
        found[page.relative_to(built_site).as_posix()] = [
            json.loads(b) for b in LD_JSON.findall(html)
        ]
    return found


def absolute_in_site(url: str, base_url: str) -> bool:
    return url.startswith(base_url)


def test_every_article_page_has_a_news_article(
    documents: dict[str, list[dict[str, Any]]], build_report: BuildReport
) -> None:
    archive = build_report.archive
    for article in archive.articles:
        (data,) = documents[f"articles/{article.slug}/index.html"]
        assert data["@context"] == "https://schema.org"
        assert data["@type"] == "NewsArticle"
        assert data["headline"] == article.title
        assert data["datePublished"] == article.published.iso()
        assert data["publisher"]["name"] == article.outlet
        assert absolute_in_site(data["url"], archive.site.base_url)


def test_every_actor_page_describes_the_actor(
    documents: dict[str, list[dict[str, Any]]], build_report: BuildReport
) -> None:
    archive = build_report.archive
    expected_type = {"person": "Person", "state": "Country"}
    for actor in archive.actors.values():
        (data,) = documents[f"actors/{actor.actor_id}/index.html"]
        assert data["@type"] in ACTOR_TYPES
        assert data["@type"] == expected_type.get(actor.kind, data["@type"])
        if actor.kind not in expected_type:
            assert data["@type"] != "Person"
        assert data["name"] == actor.name
        assert data["url"] == archive.site.base_url + f"actors/{actor.actor_id}/"


def test_timeline_lists_every_merged_event(
    documents: dict[str, list[dict[str, Any]]], build_report: BuildReport
) -> None:
    (data,) = documents["timeline/index.html"]
    assert data["@type"] == "ItemList"
    events = [element["item"] for element in data["itemListElement"]]
    reports = build_report.archive.reports_by_event
    assert len(events) == len(reports)
    for event in events:
        assert event["@type"] == "Event"
        assert event["name"] and ISO_DATE.match(event["startDate"])
        # A location only where a source states one: never a guess.
        event_id = event["url"].rsplit("#event-", 1)[1]
        places = {r.place for r in reports[event_id]} - {None}
        assert event.get("location", {}).get("name") in (places or {None})
    hanano = next(e for e in events if e["url"].endswith("#event-hanano-captured"))
    assert hanano["startDate"] == "2016-11-26"


def test_data_page_is_a_dataset_with_downloads(documents: dict[str, list[dict[str, Any]]]) -> None:
    (data,) = documents["data/index.html"]
    assert data["@type"] == "Dataset" and data["name"] and data["description"]
    formats = {d["encodingFormat"] for d in data["distribution"]}
    assert {"application/json", "text/csv"} <= formats
    for download in data["distribution"]:
        assert download["@type"] == "DataDownload"
        assert download["contentUrl"].startswith("https://")


def test_home_page_is_a_website_and_its_dataset(
    documents: dict[str, list[dict[str, Any]]], build_report: BuildReport
) -> None:
    site = build_report.archive.site
    (home,) = documents["index.html"]
    website, dataset = home["@graph"]
    assert website["@type"] == "WebSite" and website["url"] == site.base_url
    assert website["name"] == site.title and website["inLanguage"] == site.language
    assert dataset["@type"] == "Dataset" and dataset["url"] == site.base_url + "data/"
    assert dataset["isPartOf"] == {"@id": website["@id"]}
    assert site.license is not None and dataset["license"] == website["license"]
    assert dataset["license"] == site.license.url
    assert dataset["dateModified"] == build_report.archive.articles[0].published.iso()
    assert {d["contentUrl"] for d in dataset["distribution"]} == {
        d["contentUrl"] for d in documents["data/index.html"][0]["distribution"]
    }


# A browser ends a script at the first "</script" in any case, whatever follows; "<!--" and
# "<script" inside it enter the escaped states, which can swallow the real end tag.
SCRIPT_AS_A_BROWSER_READS_IT = re.compile(
    r'<script type="application/ld\+json">(.*?)(?=</script)', re.S | re.I
)
BREAK_OUT = "</SCRIPT><script>alert(1)</script><!--<script>"


def json_ld_as_a_browser_reads_it(site: Path) -> list[Any]:
    """Every page's JSON-LD as a browser would end it; fails if one is cut short."""
    found = []
    for page in sorted(site.rglob("*.html")):
        for block in SCRIPT_AS_A_BROWSER_READS_IT.findall(page.read_text(encoding="utf-8")):
            assert "<!--" not in block and "<script" not in block.lower(), page
            found.append(json.loads(block))  # a block cut short is not JSON
    return found


def test_no_json_ld_can_close_its_script_early(built_site: Path, tmp_path: Path) -> None:
    assert len(json_ld_as_a_browser_reads_it(built_site)) > 50
    # Content that tries to break out, in every field that reaches JSON-LD on a page.
    project = make_project(tmp_path / "project")
    replace_in(project, ARTICLE, "title: Rebels Hold Out In The Old City", f"title: '{BREAK_OUT}'")
    replace_in(project, "content/actors/un.yaml", "name: United Nations", f"name: '{BREAK_OUT}'")
    replace_in(project, ARTICLE, "title: Government forces take Hanano", f"title: '{BREAK_OUT}'")
    report = build_site(BuildOptions(project_dir=project, out_dir=tmp_path / "_site"))
    documents = json.dumps(json_ld_as_a_browser_reads_it(report.out_dir), ensure_ascii=False)
    assert documents.count(BREAK_OUT) >= 3, "the vector must reach the JSON-LD"


def test_disagreements_page_lists_every_flag(
    documents: dict[str, list[dict[str, Any]]], build_report: BuildReport
) -> None:
    (data,) = documents["disagreements/index.html"]
    assert data["@type"] == "ItemList" and data["name"] == "Disagreements"
    flags = compare_figures(build_report.archive).disagreements
    base = build_report.archive.site.base_url
    assert [item["url"] for item in data["itemListElement"]] == [
        f"{base}disagreements/#{d.disagreement_id}" for d in flags
    ]
    assert [item["position"] for item in data["itemListElement"]] == list(range(1, len(flags) + 1))
    for item, flag in zip(data["itemListElement"], flags, strict=True):
        assert item["name"] == f"{flag.severity}: {flag.reason}"
