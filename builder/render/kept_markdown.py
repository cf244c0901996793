"""Rendered Markdown kept from one build to the next, in the user's cache folder (issue 16; where:
load/cache_files.py).

markdown-it parses the example course's 136 Markdown texts in about a tenth of a second, a tenth of the
build, and they rarely change between two builds. Each text's HTML (as a block at a heading level, or
inline) is a pure function of the text and of the code that renders it (render_cache.py), so it is kept
under the text's hash and given again only while that code is unchanged: coursepack's version and every
module file the keeping build had imported, markdown-it's and nh3's among them (load/cache_files.py). So
are the plain words the xAPI and cmi5 manifests describe activities with (RenderCache.words): a build
that finds every text kept never imports markdown-it (about 4 % of the example's build).
The kept HTML goes into packages as it is, past the sanitizer: the record lives in the user's own cache
folder, never in a course (so no course can ship one), a record made by other code cannot match those
stamps, and any record that is not exactly what this module writes is ignored.
Only the texts the last build used are kept, so the file does not grow with edits."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from coursepack import __version__
from coursepack.load.cache_files import code_stamps, record_path, same_code, write_record

CACHE_FILE = "markdown.json"
FORMAT = 1


class KeptMarkdown:
    """The HTML kept for one course folder; what this build used is written back by save()."""

    def __init__(self, course_dir: Path) -> None:
        self._dir = course_dir
        self._kept_code: list[list[object]] = []  # the stamps of the code that made what is kept
        self._kept = self._read(Path(record_path(str(course_dir), CACHE_FILE)))
        self._used: dict[str, str] = {}

    def _read(self, path: Path) -> dict[str, str]:
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
            if record["format"] != FORMAT or record["version"] != __version__ or not same_code(record["code"]):
                return {}
            html = record["html"]
            if not isinstance(html, dict) or not all(isinstance(key, str) and isinstance(value, str) for key, value in html.items()):
                return {}
            self._kept_code = record["code"]
            return html
        except (OSError, ValueError, KeyError, TypeError):  # missing, unreadable or corrupt: nothing kept
            return {}

    @staticmethod
    def key(kind: str, text: str) -> str:
        """kind: how the text is rendered ('block3', 'inline' ...)."""
        return f"{kind}:{hashlib.blake2b(text.encode('utf-8', 'surrogatepass'), digest_size=24).hexdigest()}"

    def get(self, key: str) -> str | None:
        html = self._kept.get(key)
        if html is not None:
            self._used[key] = html
        return html

    def put(self, key: str, html: str) -> None:
        self._used[key] = html

    def save(self) -> None:
        """Keep what this build rendered or reused (nothing is written when that is what was kept)."""
        if self._used == self._kept:
            return
        record = {"format": FORMAT, "version": __version__, "code": self._code_stamps(), "html": self._used}
        try:
            write_record(str(self._dir), CACHE_FILE, json.dumps(record))
        except OSError:  # no cache folder can be written: the next build renders again
            pass

    def _code_stamps(self) -> list[list[object]]:
        """This process's code stamps and those of the record it read (found unchanged when read): HTML
        carried over was made by the record's code, whose parser this process may never have imported."""
        stamps = {str(stamp[0]): stamp for stamp in self._kept_code}
        stamps.update((str(stamp[0]), stamp) for stamp in code_stamps())
        return [stamps[file] for file in sorted(stamps)]
