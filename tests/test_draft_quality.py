"""Draft quality on two sets of real articles, printed side by side.

- the tuning set (tests/draft_corpus, see its SOURCES.md): the drafter's rules were improved
  while looking at the scores of eleven of its thirteen articles, so its score is not an unseen
  score;
- the held-out set (tests/draft_corpus_heldout, see its SOURCES.md): nine articles collected
  and given hand-written expectations in one commit before the drafter was first run on them,
  and never tuned on. The issue's targets are asserted on this set: its score is the one to
  report.

Each corpus text is drafted into a small project that has the shipped actors, metrics and
site but no fact sheets, with the publication date the hand-written expectations give (as an
editor passes --published). The draft is scored against `<name>.expected.yaml`, written by hand
before the drafter was run on the text:

- figure recall: an expected figure is found when a draft figure (active or commented out)
  quotes the sentence with the expected words and has the expected value: the number, the
  range, or the vague word ("thousands"); matched one to one.
- figure precision: draft figures that are an expected figure or a listed minor quantity
  (a duration, a distance: legitimate numbers the editor deletes) over all draft figures.
- metric: of the figures found, those whose metric is the expected one, or that the draft
  leaves without a metric where the expectation says none fits.
- event dates: an expected event is right when a draft event quoting its sentence has the
  expected date (YYYY, YYYY-MM or YYYY-MM-DD); an event marked `accept_unresolved` is also
  right when the draft resolves no date in that sentence (left for review, not guessed).
- unknown names: the draft's names-that-match-no-actor that are real actors (people,
  organisations, states, armed groups, media) named in the text.

`pytest -s tests/test_draft_quality.py` prints the scores of both sets. Each target has its
own test on the held-out set; a target the drafter misses there is marked xfail(strict=True)
with the measured score, so the suite stays green without hiding the miss, and turns red the
day the drafter meets it (then the mark goes).

Measured 2026-11-25 at the commit that added the held-out set (drafter unchanged): held-out
figure recall 23/23, metric right or "none fits" 22/23, event dates 16/17, unknown names 24/30
real actors, 9/9 drafts pass `check`; all targets met, so no xfail mark. The set is small (23
figures, 17 dated events): one miss moves a score by 4 to 6 points.

Libraries measured on this corpus before deciding (2026-11-25), with the same matching:
quantulum3 0.10 as the quantity recogniser found 30 of the 41 expected figures (the rules: 41;
it misses vague quantities and shares and reads "$54" as a year), and dateparser 1.5's
search_dates got 18 of the 28 event dates (the rules: 28; it takes weekdays a week early,
resolves dates in reported speech against publication and dates words such as "we"). Neither
was adopted.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from builder.__main__ import main
from builder.build import load_archive
from builder.draft.facts import FigureDraft
from builder.draft.sheet import Draft, make_draft, render_draft

TUNING_SET = Path(__file__).resolve().parent / "draft_corpus"
HELD_OUT_SET = Path(__file__).resolve().parent / "draft_corpus_heldout"


def names_in(corpus: Path) -> list[str]:
    return sorted(p.name.removesuffix(".expected.yaml") for p in corpus.glob("*.expected.yaml"))


def fold(text: str) -> str:
    """Quote comparison as the provenance check does it: spaces and quote styles ignored."""
    text = re.sub(r"[“”„\"]", '"', text)
    return re.sub(r"\s+", " ", re.sub(r"[‘’']", "'", text)).strip().lower()


def expectations(corpus: Path, name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(
        (corpus / f"{name}.expected.yaml").read_text(encoding="utf-8")
    )
    return loaded


def same_value(expected: Any, figure: FigureDraft) -> bool:
    vague = getattr(figure, "vague", None)
    if isinstance(expected, str):
        return vague == expected
    low, high = (expected, expected) if not isinstance(expected, list) else expected
    return abs(figure.low - float(low)) <= 0.1 and abs(figure.high - float(high)) <= 0.1


def is_expected(item: dict[str, Any], figure: FigureDraft) -> bool:
    return fold(item["quote"]) in fold(figure.quote) and same_value(item["value"], figure)


def is_minor(item: dict[str, Any], figure: FigureDraft) -> bool:
    """A listed minor quantity: the figure's own words lie inside the listed passage."""
    words = getattr(figure, "value_text", None)
    passage = fold(item["quote"])
    if passage not in fold(figure.quote):
        return False
    return words is None or fold(words) in passage


@dataclass
class Score:
    found: int = 0
    wanted: int = 0

    def add(self, found: int, wanted: int) -> None:
        self.found += found
        self.wanted += wanted

    def __str__(self) -> str:
        share = self.found / self.wanted if self.wanted else 1.0
        return f"{self.found}/{self.wanted} = {share:.0%}"

    @property
    def share(self) -> float:
        return self.found / self.wanted if self.wanted else 1.0


def score_figures(expected: dict[str, Any], draft: Draft) -> tuple[int, int, int, int, int]:
    """(found, wanted, draft figures that are expected or minor, draft figures, metric right)."""
    pool = list(draft.figures)
    found = metric_right = 0
    for item in expected.get("figures") or []:
        partner = next((f for f in pool if is_expected(item, f)), None)
        if partner is None:
            continue
        pool.remove(partner)
        found += 1
        wanted_metric = None if item["metric"] == "none" else item["metric"]
        metric_right += partner.metric_id == wanted_metric
    minor = expected.get("minor") or []
    excused = sum(1 for f in pool if any(is_minor(m, f) for m in minor))
    relevant = found + excused
    return found, len(expected.get("figures") or []), relevant, len(draft.figures), metric_right


def date_text(value: Any) -> str:
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def event_iso(event: Any) -> str | None:
    date = getattr(event, "date", None)
    return None if date is None else str(date.iso())


def score_events(expected: dict[str, Any], draft: Draft) -> tuple[int, int, list[str]]:
    right, wanted, misses = 0, 0, []
    for item in expected.get("events") or []:
        if item.get("optional"):
            continue
        wanted += 1
        here = [e for e in draft.events if fold(item["in"]) in fold(e.quote)]
        dates = {iso for e in here if (iso := event_iso(e)) is not None}
        if date_text(item["date"]) in dates or (item.get("accept_unresolved") and not dates):
            right += 1
        else:
            misses.append(f"{item['in']!r}: wanted {date_text(item['date'])}, got {sorted(dates)}")
    return right, wanted, misses


def is_real_actor(name: str, actors: list[str]) -> bool:
    """The name is, contains, or (two words or more) is part of a listed actor's name."""
    folded = fold(name)

    def within(short: str, long: str) -> bool:
        return bool(re.search(rf"(?<![\w.]){re.escape(short)}(?![\w])", long))

    return any(
        folded == fold(a)
        or within(fold(a), folded)
        or (len(folded.split()) >= 2 and within(folded, fold(a)))
        for a in actors
    )


def corpus_project(base: Path, project_root: Path, corpus: Path) -> Path:
    """The shipped actors, metrics and site, the corpus texts as seeds, no fact sheets."""
    project = base / "project"
    shutil.copytree(project_root / "templates", project / "templates")
    shutil.copytree(project_root / "content" / "actors", project / "content" / "actors")
    for name in ("site.yaml", "metrics.yaml"):
        shutil.copy(project_root / "content" / name, project / "content" / name)
    (project / "content" / "articles").mkdir()
    (project / "seeds").mkdir()
    for name in names_in(corpus):
        shutil.copy(corpus / f"{name}.txt", project / "seeds" / f"{name}.txt")
    return project


@dataclass
class Quality:
    """The scores of one set, summed over its articles, and a line per article."""

    recall: Score = field(default_factory=Score)
    precision: Score = field(default_factory=Score)
    metric: Score = field(default_factory=Score)
    events: Score = field(default_factory=Score)
    names: Score = field(default_factory=Score)
    outlets: Score = field(default_factory=Score)
    checks: Score = field(default_factory=Score)
    rows: list[str] = field(default_factory=list)

    def lines(self, label: str, corpus: Path) -> list[str]:
        return [
            f"draft quality on the {label} ({corpus.parent.name}/{corpus.name}):",
            *(f"  {row}" for row in self.rows),
            f"  figure recall: {self.recall}",
            f"  figure precision: {self.precision}",
            f"  metric right or 'none fits': {self.metric}",
            f"  event dates right: {self.events}",
            f"  unknown-name candidates that are real actors: {self.names}",
            f"  outlet right (or 'Unknown outlet' where the text names none): {self.outlets}",
            f"  unedited drafts that pass `check`: {self.checks}",
        ]


def measure(corpus: Path, project: Path) -> Quality:
    """Draft every article of the corpus and score the drafts against their expectations."""
    archive = load_archive(project)
    quality = Quality()
    for name in names_in(corpus):
        expected = expectations(corpus, name)
        text = (corpus / f"{name}.txt").read_text(encoding="utf-8")
        draft = make_draft(f"{name}.txt", text, archive, expected["published"])
        # Unedited, the draft passes `check`.
        sheet = project / "content" / "articles" / f"{name}.md"
        sheet.write_text(render_draft(draft), encoding="utf-8")
        passes = main(["check", "--project", str(project), "--quiet"]) == 0
        quality.checks.add(passes, 1)
        sheet.unlink()

        found, wanted, relevant, offered, metric_right = score_figures(expected, draft)
        quality.recall.add(found, wanted)
        quality.precision.add(relevant, offered)
        quality.metric.add(metric_right, found)
        right, dated, misses = score_events(expected, draft)
        quality.events.add(right, dated)
        wanted_outlet = expected["outlet"] or "Unknown outlet"
        quality.outlets.add(draft.outlet == wanted_outlet, 1)
        real = [n for n in draft.unknown_names if is_real_actor(n, expected["actors"])]
        quality.names.add(len(real), len(draft.unknown_names))
        noise = [n for n in draft.unknown_names if n not in real]
        quality.rows.append(
            f"{name}: figures {found}/{wanted}, precision {relevant}/{offered}, "
            f"metric {metric_right}/{found}, events {right}/{dated}, "
            f"names {len(real)}/{len(draft.unknown_names)}"
            + ("" if passes else ", FAILS check")
            + (f"\n      date misses: {'; '.join(misses)}" if misses else "")
            + (f"\n      name noise: {', '.join(noise)}" if noise else "")
        )
    return quality


@pytest.fixture(scope="module")
def tuning_quality(tmp_path_factory: pytest.TempPathFactory, project_root: Path) -> Quality:
    base = tmp_path_factory.mktemp("quality-tuning")
    return measure(TUNING_SET, corpus_project(base, project_root, TUNING_SET))


@pytest.fixture(scope="module")
def held_out_quality(tmp_path_factory: pytest.TempPathFactory, project_root: Path) -> Quality:
    base = tmp_path_factory.mktemp("quality-held-out")
    return measure(HELD_OUT_SET, corpus_project(base, project_root, HELD_OUT_SET))


@pytest.mark.parametrize("corpus", [TUNING_SET, HELD_OUT_SET], ids=["tuning", "held-out"])
def test_corpus_is_large_and_varied_enough(corpus: Path) -> None:
    names = names_in(corpus)
    subjects = [expectations(corpus, name)["subject"] for name in names]
    assert len(names) >= 8
    assert sum(s != "syria" for s in subjects) >= 3
    assert len({s for s in subjects if s != "syria"}) >= 2
    assert all((corpus / f"{name}.txt").is_file() for name in names)
    sources = (corpus / "SOURCES.md").read_text(encoding="utf-8")
    assert all(name in sources for name in names)


def test_held_out_set_shares_no_article_with_the_tuning_set() -> None:
    def texts(corpus: Path) -> set[str]:
        return {fold((corpus / f"{n}.txt").read_text(encoding="utf-8")) for n in names_in(corpus)}

    assert not set(names_in(TUNING_SET)) & set(names_in(HELD_OUT_SET))
    assert not texts(TUNING_SET) & texts(HELD_OUT_SET)


def test_prints_draft_quality_on_both_sets(
    tuning_quality: Quality, held_out_quality: Quality, capsys: pytest.CaptureFixture[str]
) -> None:
    report = [
        *tuning_quality.lines("tuning set", TUNING_SET),
        *held_out_quality.lines("held-out set", HELD_OUT_SET),
    ]
    with capsys.disabled():
        print("\n" + "\n".join(report))
    assert held_out_quality.rows and tuning_quality.rows


def test_tuning_set_meets_the_targets_it_was_tuned_to(tuning_quality: Quality) -> None:
    """Kept from before the held-out set: a regression guard, not an unseen score."""
    assert tuning_quality.recall.share >= 0.8
    assert tuning_quality.metric.share >= 0.9
    assert tuning_quality.events.share >= 0.85
    assert tuning_quality.names.share >= 0.6
    assert tuning_quality.checks.share == 1.0


def test_held_out_figure_recall_is_at_least_80_percent(held_out_quality: Quality) -> None:
    assert held_out_quality.recall.share >= 0.8, held_out_quality.recall


def test_held_out_metric_right_or_none_fits_at_least_90_percent(
    held_out_quality: Quality,
) -> None:
    assert held_out_quality.metric.share >= 0.9, held_out_quality.metric


def test_held_out_event_dates_right_at_least_85_percent(held_out_quality: Quality) -> None:
    assert held_out_quality.events.share >= 0.85, held_out_quality.events


def test_held_out_unknown_names_at_least_60_percent_real_actors(
    held_out_quality: Quality,
) -> None:
    assert held_out_quality.names.share >= 0.6, held_out_quality.names


def test_held_out_drafts_all_pass_check(held_out_quality: Quality) -> None:
    assert held_out_quality.checks.share == 1.0, held_out_quality.checks
