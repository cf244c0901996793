"""What a launch page's markup makes before the player runs: its elements, and the contents' module entries among
them. Shared by tests/browser/test_player_scale.py (the markup must not grow with the course) and
bench/player_scale.py (which prints both), so the two count alike. No pytest here: the benchmark imports it."""

from __future__ import annotations

import html.parser


class _StartTags(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.elements = 0
        self.entries = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements += 1
        self.entries += tag == "li" and ("class", "cp-module") in attrs


def markup_counts(markup: str) -> tuple[int, int]:
    """(start tags, contents' module entries: <li class="cp-module">) of a page's markup."""
    counter = _StartTags()
    counter.feed(markup)
    counter.close()
    return counter.elements, counter.entries
