"""A link block's url (model/content.py's WebAddress) follows pydantic's AnyHttpUrl rule exactly: the same
addresses accepted, normalised to the same text, the same ones refused with the same errors, and the same
JSON Schema; it is only built without importing pydantic.networks (issue 16: start-up)."""

from __future__ import annotations

from typing import Any

from pydantic import AnyHttpUrl, TypeAdapter, ValidationError

from coursepack.model.content import LinkBlock, WebAddress

ADDRESSES: list[Any] = [
    # accepted
    "https://example.org", "http://example.org/guide", "HTTPS://EXAMPLE.ORG/Path?q=1#part", "https://example.org:443/",
    "http://example.org:8080/a/../b/./c", "https://user:secret@example.org/", "http://127.0.0.1/", "http://[::1]:8000/x",
    "https://bücher.example/straße", "https://example.org/a b", "https://example.org/%7Euser", "http:/example.org",
    "http:example.org", "https:\\\\example.org\\path", "  https://example.org/trimmed  ", "https://localhost",
    "http://example", "https://xn--bcher-kva.example/", "https://example.org/?q=a|b", "https://a.b.c.d.e.f/" + "x" * 3000,
    # refused
    "", " ", "www.example.org/guide", "example.org", "//example.org/", "/guide", "ftp://example.org/", "mailto:a@example.org",
    "javascript:alert(1)", "file:///etc/passwd", "data:text/plain,hi", "http://", "https://", "http://exa mple.org/",
    "http://[::1/", "http://example.org:99999/", "http://example.org:port/", "https://exa%mple.org/", "http://.../",
    "http://256.256.256.256/", "https://example.org\x00/", 42, 4.2, None, True, ["https://example.org"], {"url": "https://example.org"},
    b"https://example.org",
]


OURS, PYDANTICS = TypeAdapter(WebAddress), TypeAdapter(AnyHttpUrl)


def outcome(adapter: TypeAdapter[Any], value: Any) -> tuple[str, Any]:
    try:
        return "ok", str(adapter.validate_python(value))
    except ValidationError as error:
        return "refused", error.errors(include_url=False)


def test_a_web_address_is_accepted_or_refused_as_any_http_url_would_be() -> None:
    differing = [(value, outcome(OURS, value), outcome(PYDANTICS, value)) for value in ADDRESSES if outcome(OURS, value) != outcome(PYDANTICS, value)]
    assert differing == []


def test_the_list_holds_both_kinds_and_a_link_block_renders_the_normalised_text() -> None:
    kinds = {outcome(PYDANTICS, value)[0] for value in ADDRESSES}
    assert kinds == {"ok", "refused"}
    block = LinkBlock.model_validate({"type": "link", "url": "HTTPS://Example.ORG", "title": "Guide"})
    assert str(block.url) == "https://example.org/"


def test_its_json_schema_is_any_http_urls() -> None:
    assert OURS.json_schema() == PYDANTICS.json_schema()
