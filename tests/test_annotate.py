"""Annotating a seed: marks nest properly whatever the overlaps; each mark id appears once."""

from __future__ import annotations

import pickle
from html.parser import HTMLParser

from builder.index import Mark, Mention, Mentions, alias_matcher, find_mentions
from builder.model import Actor, SourceRef
from builder.render.annotate import ClaimRef, annotate_seed

TEXT = "Headline\n\nRussia's military said Russia took 52 percent of east Aleppo on Saturday.\n"


class NestingChecker(HTMLParser):
    """Fails on any end tag that does not close the innermost open element."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.ids: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack.append(tag)
        self.ids += [v for k, v in attrs if k == "id" and v]

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes {self.stack}"
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(html: str) -> NestingChecker:
    checker = NestingChecker()
    checker.feed(html)
    assert checker.stack == []
    return checker


def actor(actor_id: str, name: str, *aliases: str) -> Actor:
    return Actor(actor_id, name, "state", aliases, (), "", SourceRef("x", 1))


def test_paragraphs_and_text_are_kept_verbatim() -> None:
    html = annotate_seed(TEXT, [], [], lambda a: a)
    assert html.count("<p>") == 2
    paragraphs = [t for t in parse(html).text if t != "\n"]
    assert paragraphs == ["Headline", TEXT.split("\n")[2]]


def test_crossing_marks_are_split_and_keep_one_id_each() -> None:
    start = TEXT.index("Russia took")
    end = TEXT.index(" on Saturday")
    marks = [
        Mark("p-a", TEXT.index("Russia's"), end),  # crosses the next mark's end
        Mark("p-b", start, TEXT.index(".\n") + 1),
        Mark("p-c", start, start + 6),  # nested inside both
    ]
    html = annotate_seed(TEXT, marks, [], lambda a: a)
    checker = parse(html)
    assert sorted(checker.ids) == ["p-a", "p-b", "p-c"]
    assert 'class="cont"' in html  # the crossing mark was closed and reopened


def test_mentions_respect_word_boundaries_and_prefer_the_longest_alias() -> None:
    actors = [actor("russia", "Russia"), actor("russia-military", "Russia's military")]
    mentions = find_mentions(TEXT, alias_matcher(actors))
    found = [(m.actor_id, TEXT[m.start : m.end]) for m in mentions]
    assert found == [("russia-military", "Russia's military"), ("russia", "Russia")]
    assert find_mentions("Russian jets", alias_matcher(actors)) == ()


def test_curly_and_straight_apostrophes_match_alike() -> None:
    actors = [actor("russia-military", "Russia's military")]
    assert len(find_mentions("Russia’s military said", alias_matcher(actors))) == 1


def test_links_and_marks_interleave_and_text_is_escaped() -> None:
    text = "A <b> & Russia said so.\n"
    mentions = [Mention("russia", text.index("Russia"), text.index(" said"))]
    marks = [Mark("p-1", text.index("& Russia"), text.index(" so"))]
    html = annotate_seed(text, marks, mentions, lambda a: f"../actors/{a}/")
    assert html.startswith('<p>A &lt;b&gt; <mark id="p-1">&amp; ')
    assert '<mark id="p-1">&amp; <a href="../actors/russia/">Russia</a> said</mark>' in html
    parse(html)


def test_not_in_phrases_keep_an_alias_from_linking_there() -> None:
    government = Actor(
        "syrian-government",
        "Syrian government",
        "government-body",
        ("Damascus",),
        (),
        "",
        SourceRef("x", 1),
        not_in=("rural Damascus",),
    )
    text = "Damascus refused. Rebels hold parts of rural Damascus."
    mentions = find_mentions(text, alias_matcher([government]))
    assert [(m.actor_id, m.start) for m in mentions] == [("syrian-government", 0)]


def test_each_mark_is_followed_by_links_to_every_claim_it_supports() -> None:
    start = TEXT.index("Russia took")
    mark = Mark("p-1", start, TEXT.index(" on Saturday"))
    refs = {
        "p-1": (
            ClaimRef("#alpha-fig-1", "figure", "52%"),
            ClaimRef("#event-x", "event", "Russia takes <east>"),
        )
    }
    html = annotate_seed(TEXT, [mark], [], lambda a: a, refs)
    parse(html)
    after = html.split("</mark>", 1)[1]
    assert after.startswith(
        '<span class="claim-refs"><a class="claim-ref" href="#alpha-fig-1" title="52%">figure'
        '<span class="visually-hidden">: 52%</span></a>'
        '<a class="claim-ref" href="#event-x" title="Russia takes &lt;east&gt;">event'
    )
    assert html.count("claim-refs") == 1


def test_back_links_never_nest_inside_an_actor_link_that_straddles_the_mark_end() -> None:
    text = "They said Russia took it.\n"
    mention = Mention("russia", text.index("Russia"), text.index(" took"))
    mark = Mark("p-1", 0, text.index("ssia"))  # ends inside the actor's name
    html = annotate_seed(
        text, [mark], [mention], lambda a: f"../{a}/", {"p-1": (ClaimRef("#q", "quote", "q"),)}
    )
    parse(html)
    link_end = html.index("ssia</a>") + len("ssia</a>")
    assert html.index('<span class="claim-refs">') == link_end


def test_back_links_of_a_mark_ending_at_a_line_end_stay_in_its_paragraph() -> None:
    end = TEXT.index(".\n") + 1
    mark = Mark("p-1", TEXT.index("Russia took"), end + 1)  # takes in the newline
    html = annotate_seed(TEXT, [mark], [], lambda a: a, {"p-1": (ClaimRef("#f", "figure", "f"),)})
    parse(html)
    assert html.endswith(
        '</mark><span class="claim-refs"><a class="claim-ref" href="#f" title="f">'
        'figure<span class="visually-hidden">: f</span></a></span></p>'
    )


def test_packed_mentions_read_back_as_found() -> None:
    found = (Mention("russia", 0, 6), Mention("un", 70_000, 70_002), Mention("russia", 9, 15))
    packed = Mentions.of(found)
    assert tuple(packed) == found and len(packed) == 3
    assert packed[1] == found[1] and tuple(packed[-2:]) == found[-2:]
    assert packed == Mentions.of(list(found)) and packed != Mentions.of(found[:2])
    assert pickle.loads(pickle.dumps(packed)) == packed
    assert tuple(Mentions.of(())) == ()
