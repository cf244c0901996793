"""Writes builder/render/compiled/: Jinja's compiled code of each template in builder/render/templates/, which
builds then use instead of compiling the template (render/shipped_templates.py).

Run it after changing a template or upgrading Jinja: python tools/compile_templates.py
(tests/test_shipped_templates.py fails while a template's shipped code is not its current source's.)"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]
FOLDER = REPOSITORY / "builder" / "render" / "compiled"

INDEX = '''"""Jinja's compiled code of builder/render/templates/, written by `python tools/compile_templates.py`:
do not edit. render/shipped_templates.py uses a template's module only while its key is the digest of what
decides the code at load (Jinja's version, the environment's settings, the template's name and source)."""

JINJA_VERSION = {version!r}  # the Jinja that compiled the code below

# template name -> (module in this package, SHA-256 of the template's source, the code's key)
MODULES = {{
{entries}}}
'''

MODULE_HEADER = '''# Jinja {version}'s compiled code of builder/render/templates/{name}, written by `python tools/compile_templates.py`:
# do not edit. Not a module to import: render/shipped_templates.py runs it as Jinja runs compiled code, with
# `environment` given.
'''


def module_name(template: str) -> str:
    return template.replace(".", "_").replace("-", "_")


def compiled_modules() -> dict[str, str]:
    """File name in render/compiled/ -> its text, for every template, as this Jinja compiles them."""
    import jinja2

    from coursepack.render.page import template_environment
    from coursepack.render.shipped_templates import code_key

    env = template_environment()
    files: dict[str, str] = {}
    entries = []
    for name in env.list_templates():
        source = env.loader.get_source(env, name)[0]  # type: ignore[union-attr]
        code = env.compile(source, name, raw=True)
        module = module_name(name)
        files[f"{module}.py"] = MODULE_HEADER.format(version=jinja2.__version__, name=name) + code + "\n"
        digest = hashlib.sha256(source.encode("utf-8")).hexdigest()
        entries.append(f"    {name!r}: ({module!r}, {digest!r},\n        {code_key(env, name, source)!r}),\n")
    files["__init__.py"] = INDEX.format(version=jinja2.__version__, entries="".join(entries))
    return files


def main() -> None:
    files = compiled_modules()
    FOLDER.mkdir(exist_ok=True)
    for stale in FOLDER.glob("*.py"):
        if stale.name not in files:
            stale.unlink()
    for name, text in files.items():
        (FOLDER / name).write_text(text, encoding="utf-8")
    print(f"wrote {len(files)} files in {FOLDER.relative_to(REPOSITORY)}", file=sys.stderr)


if __name__ == "__main__":
    main()
