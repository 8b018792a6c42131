"""The theme: the packaged default templates and static files, overridden file by file by a
project's own templates/ folder (as MkDocs' `custom_dir` and Hugo's lookup order do).

Input: the project folder.
Output: a `Theme`: a Jinja2 loader that looks in the project's templates/ first, then in the
package; and the static files to publish, each taken from the project when it has one of
that name, else from the package.
"""

from __future__ import annotations

import importlib.resources
import os
import traceback
from dataclasses import dataclass
from pathlib import Path

from jinja2 import (
    BaseLoader,
    ChoiceLoader,
    FileSystemLoader,
    TemplateError,
    TemplateNotFound,
    TemplateSyntaxError,
)

from builder.errors import ContentError

# pyproject maps the top-level templates/ folder (its source) into the package as this.
THEME_PACKAGE = "builder.default_theme"
STATIC_FOLDER = "static"


def packaged_theme_dir() -> Path:
    """The default theme's folder, in a wheel's site-packages or an editable checkout."""
    try:
        return Path(str(importlib.resources.files(THEME_PACKAGE)))
    except ModuleNotFoundError:
        # A source checkout on sys.path without `pip install`: the theme's source folder.
        return Path(__file__).resolve().parents[2] / "templates"


@dataclass(frozen=True)
class Theme:
    """Template folders in lookup order: the project's own first, the packaged default last."""

    folders: tuple[Path, ...]
    # How messages name each folder: "templates" for the project's own, "builder/default_theme"
    # for the packaged default.
    labels: tuple[str, ...]

    def loader(self) -> BaseLoader:
        return ChoiceLoader([FileSystemLoader(str(folder)) for folder in self.folders])

    def static_files(self) -> dict[str, Path]:
        """Output path under static/ -> the file that provides it (the first folder wins)."""
        files: dict[str, Path] = {}
        for folder in self.folders:
            static = folder / STATIC_FOLDER
            # Linked folders are followed, as copying a folder does (whether a link may
            # leave the project is for input checks to say).
            for root, _, names in os.walk(static, followlinks=True):
                for name in names:
                    path = Path(root) / name
                    if path.is_file():
                        files.setdefault(path.relative_to(static).as_posix(), path)
        return dict(sorted(files.items()))

    def label_file(self, filename: str) -> str | None:
        """`templates/x.html` for a file in one of the theme's folders, else None."""
        path = Path(filename).resolve()
        for folder, label in zip(self.folders, self.labels, strict=True):
            if path.is_relative_to(folder.resolve()):
                return f"{label}/{path.relative_to(folder.resolve()).as_posix()}"
        return None

    def template_problem(self, error: TemplateError) -> ContentError:
        """A template mistake as `templates/x.html:LINE: message`, at the template's line."""
        location: tuple[str, int] | None = None
        if isinstance(error, TemplateSyntaxError) and error.filename:
            label = self.label_file(error.filename)
            location = (label, error.lineno) if label else None
        if location is None:
            # Jinja rewrites a runtime error's traceback so its frames name the template
            # file and line; the innermost template frame is where the mistake is.
            for frame in reversed(traceback.extract_tb(error.__traceback__)):
                label = self.label_file(frame.filename)
                if label is not None and frame.lineno is not None:
                    location = (label, frame.lineno)
                    break
        path, line = location or (self.labels[0], 0)
        message = error.message or type(error).__name__
        if isinstance(error, TemplateNotFound):
            message = f"no template named '{error.name}' in {' or '.join(self.labels)}"
        return ContentError(
            path,
            line,
            f"template error: {message}",
            "fix the template; a project's templates/ overrides the default theme file by file",
        )


def project_theme(project_dir: Path) -> Theme:
    """The project's templates/ (when it has one) over the packaged default theme."""
    own = project_dir / "templates"
    default = packaged_theme_dir()
    if own.is_dir() and own.resolve() != default.resolve():
        return Theme((own, default), ("templates", "builder/default_theme"))
    # The project has no templates/ of its own, or is this generator's own checkout, whose
    # templates/ folder is the packaged theme's source.
    label = "templates" if own.is_dir() else "builder/default_theme"
    return Theme((default,), (label,))
