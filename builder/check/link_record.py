"""The incremental link check: a page that comes out byte for byte as the live version has
it is not checked again, when nothing it points at is gone or changed its ids.

Input: every page's links (as `check_rendered_links` takes them), the version being
written, the live version's outputs (path -> digest, from the build cache) and the record
the last build left of what the live version's links point at.
Output: `ContentErrors` as `check_rendered_links` raises them, or nothing; the record of
this version's links for the next build.

Why it holds: a page whose bytes at its path are those of the live version, and whose links
(as render logged them) are those its page there made, makes the same links from the same
folder, and each of them resolved when the live version was checked. Such a link can break
only if the file it points at is gone, or if that page no longer defines the `#fragment`.
The record names every file the live version's links point at and every page they point
into, so the unchanged pages are left unchecked when
- the record and the outputs are both of the live version,
- no file the record names is gone, and
- every page it names as pointed into, if its bytes changed, defines every id it did; or
  else the page makes no link to an id that such a page no longer defines (a figure edit
  renames the figure's id: the pages that linked to it are checked, not every page).
Otherwise every page is checked (a cold build, --no-cache, a deleted article). After a
template or builder edit every page is rendered anew, but those that come out as they were
are still left unchecked: what decides their links' fate is the same. After a full
check the record is exact; after an incremental one it is the last record plus what the
checked pages point at: it may name more than the pages do (so a later check is a full one
sooner than it need be), never less.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from builder.check.links import LinkTargets, check_rendered_links, page_ids
from builder.write.cache import CACHE_DIR, load_pickle, output_name, write_pickle
from builder.write.version import StagedFiles, VersionWriter, safe_output_path

# Bump when what a record holds, or what it means, changes.
LINKS_FORMAT = 1


@dataclass(frozen=True)
class LinkRecord:
    version: str  # the version folder whose pages' links `targets` names
    targets: LinkTargets
    format: int = LINKS_FORMAT


def link_record_file(project_dir: Path, out_dir: Path) -> Path:
    """Beside the build cache's record of the same output folder."""
    return project_dir / CACHE_DIR / f"output-{output_name(out_dir)}.links.pickle"


def read_link_record(record_file: Path, live: Path | None) -> LinkTargets | None:
    """What the live version's links point at; None when that is not known."""
    record = load_pickle(record_file)
    if (
        live is None
        or not isinstance(record, LinkRecord)
        or record.format != LINKS_FORMAT
        or record.version != live.name
    ):
        return None
    return record.targets


def vouched_pages(
    links: Mapping[str, Iterable[str]],
    links_before: Mapping[str, Iterable[str]],
    known: LinkTargets | None,
    before: Mapping[str, str],
    after: Mapping[str, str],
    ids_before: Callable[[str], set[str] | None],
    ids_after: Callable[[str], set[str]],
) -> frozenset[str]:
    """The pages whose links need no check (none when every page must be checked): those
    whose digest `after` (this version's outputs) is the one `before` (the live version's)
    and whose `links` are those the live version's page made (`links_before`), when no file
    `known` names is gone and no page it names has ids that cannot be read (`ids_before`
    None); a page that links to an id some page it names lost is checked too."""
    if known is None or not before:
        return frozenset()
    if any(path not in after or path not in before for path in known.files):
        return frozenset()
    lost: set[str] = set()
    for page in known.anchored:
        if before[page] == after[page]:
            continue
        ids = ids_before(page)
        if ids is None:
            return frozenset()
        lost.update(ids - ids_after(page))
    return frozenset(
        page
        for page, made in links.items()
        if page in before
        and page in links_before
        and before[page] == after.get(page)
        and made == links_before[page]  # packed links: equal links pack to equal bytes
        and not (lost and links_to(made, lost))
    )


def links_to(links: Iterable[str], ids: set[str]) -> bool:
    """Whether one of `links` ends in "#<one of ids>" (on whichever page: the ids lost are
    few, so that a page is checked if in doubt)."""
    return any("#" in link and link.rpartition("#")[2] in ids for link in links)


def check_changed_links(
    links: Mapping[str, Iterable[str]],
    links_before: Mapping[str, Iterable[str]],
    version: VersionWriter,
    before: Mapping[str, str],
    record_file: Path,
    shown_as: str,
) -> None:
    """The check stage: `check_rendered_links` for the pages not vouched for (`links_before`:
    the links the live version's pages made, as far as the build cache recorded them); then
    the record of this version's links is written (a version that fails the check is
    never live)."""
    known = read_link_record(record_file, version.live)
    staged = StagedFiles(version)

    def ids_before(page: str) -> set[str] | None:
        assert version.live is not None  # a record is only read for a live version
        try:
            return page_ids(safe_output_path(version.live, page).read_bytes())
        except OSError:  # gone meanwhile
            return None

    vouched = vouched_pages(
        links,
        links_before,
        known,
        before,
        version.digests,
        ids_before,
        lambda page: page_ids(staged[page]),
    )
    checked = check_rendered_links(links, staged, shown_as, vouched)
    if vouched and known is not None:
        checked = LinkTargets(known.files | checked.files, known.anchored | checked.anchored)
    write_pickle(record_file, LinkRecord(version.root.name, checked))
