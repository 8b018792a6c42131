"""`PackedLinks`: a page's links as the build keeps and records them."""

from __future__ import annotations

import pickle

import pytest

from builder.write.cache import PackedLinks

LINKS = ("../../articles/a/#p1-20", "../../articles/a/#p30-41", "./", "", "../ünï/")


def test_packed_links_come_back_as_they_were_logged() -> None:
    assert PackedLinks.of(LINKS).unpacked() == LINKS
    assert tuple(PackedLinks.of(LINKS)) == LINKS
    assert PackedLinks.of(()).unpacked() == ()
    assert PackedLinks.of(("",)).unpacked() == ("",)  # one empty link is not no link


def test_equal_links_pack_equal_and_survive_the_cache() -> None:
    packed = PackedLinks.of(LINKS)
    assert packed == PackedLinks.of(list(LINKS))
    assert packed != PackedLinks.of(LINKS[:-1])
    assert packed != PackedLinks.of(tuple(reversed(LINKS)))
    assert pickle.loads(pickle.dumps(packed, protocol=pickle.HIGHEST_PROTOCOL)) == packed


def test_a_link_holding_the_separator_is_refused() -> None:
    with pytest.raises(ValueError, match="NUL"):
        PackedLinks.of(("a\0b",))
