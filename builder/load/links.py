"""Authored links must lead to the web, a mail program or an anchor in the page: files beside the
course are not packed, and a learner who followed one would leave the course window.

A text's links are found as learners get them, by the Markdown parser and the sanitizer
(render/markdown.py's link_targets). Most texts cannot hold a link that leads anywhere else, which a
look at their characters shows; the parser is imported and run only for the others (issue 16:
`validate` of a course whose links all lead to the web imports no Markdown parser).
tests/test_hostile_links.py holds the look to the parser."""

from __future__ import annotations

import re

# Where a link may lead: a web address, a mail address, an anchor in the same page.
ALLOWED_TARGET = re.compile(r"(?i)https?://|mailto:|#")
# An inline link's destination: after '](' and any spaces, tabs and line breaks (all markdown-it skips
# there; it reads '\r' as a line break).
_INLINE_DESTINATION = re.compile(r"\]\([ \t\r\n]*")


def only_allowed_links(text: str) -> bool:
    """True when every link the text can hold leads where ALLOWED_TARGET allows (False: it may not).

    Every link is one of: inline '[text](destination)', which needs ']('; a reference '[text][label]' or
    '[label]', which needs a definition '[label]: destination', so ']:'; an autolink '<scheme:...>' or
    raw HTML, which need '<' (linkify is off). A destination that starts with an allowed prefix keeps
    it: backslash escapes and entities start with '\\' and '&', and normalizing a URL keeps its scheme.
    """
    if "<" in text or "]:" in text:
        return False
    return all(ALLOWED_TARGET.match(text, found.end()) for found in _INLINE_DESTINATION.finditer(text))


def disallowed_link_targets(text: str) -> list[str]:
    """Where the text's links lead that ALLOWED_TARGET does not allow, as learners would get them."""
    if only_allowed_links(text):
        return []
    from coursepack.render.markdown import link_targets  # the parser and the sanitizer, imported when needed

    return [target for target in link_targets(text) if not ALLOWED_TARGET.match(target)]
