"""The templates' compiled code ships in coursepack (render/compiled/, written by tools/compile_templates.py),
so no build compiles a template (issue 16): it is each template's current source compiled by Jinja, a build
takes it without compiling anything, and code that is not exactly what this Jinja would compile from this
source with these settings is never run: the template is compiled as before."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import jinja2
import pytest
from jinja2 import Environment

from coursepack.render import compiled, page

REPOSITORY = Path(__file__).resolve().parents[1]
TEMPLATES = REPOSITORY / "builder" / "render" / "templates"
sys.path.insert(0, str(REPOSITORY / "tools"))
import compile_templates  # noqa: E402  (tools/compile_templates.py)

REGENERATE = "run `python tools/compile_templates.py` after changing a template"
# page_content.html's values for one page (its module's introduction on a first page), its blocks none
VIEW = {"t": lambda key, **values: f"{key} {sorted(values.items())}", "md": lambda text: f"<p>{text}</p>", "subtitle": False}
MODULE = {"number": 1, "m": {"title": "M", "description": "D", "objectives": ["o"], "minutes": 5}, "pages": [1]}
PAGE = {"number": 1, "index": 0, "first": False, "page": {"title": "P"}, "blocks": []}


@pytest.fixture
def environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Environment]:
    """A new template environment with an empty cache folder of its own."""
    monkeypatch.setenv("COURSEPACK_CACHE", str(tmp_path / "cache"))
    yield page.template_environment()


def test_every_template_ships_compiled_from_its_current_source(environment: Environment) -> None:
    names = environment.list_templates()
    assert sorted(compiled.MODULES) == names, REGENERATE
    for name in names:
        source = environment.loader.get_source(environment, name)[0]  # type: ignore[union-attr]
        assert compiled.MODULES[name][1] == hashlib.sha256(source.encode("utf-8")).hexdigest(), f"{name}: {REGENERATE}"


def test_the_shipped_code_is_what_this_jinja_compiles() -> None:
    if jinja2.__version__ != compiled.JINJA_VERSION:
        pytest.skip(f"Jinja {jinja2.__version__} is installed, the shipped code is Jinja {compiled.JINJA_VERSION}'s: "
                    "builds compile the templates (test_code_not_current_is_never_run holds that)")
    shipped = {path.name: path.read_text(encoding="utf-8") for path in compile_templates.FOLDER.glob("*.py")}
    assert shipped == compile_templates.compiled_modules()


def test_a_build_takes_the_shipped_code_and_compiles_nothing(environment: Environment, jinja_compiled: list[str]) -> None:
    if jinja2.__version__ != compiled.JINJA_VERSION:
        pytest.skip(f"Jinja {jinja2.__version__} is installed, the shipped code is Jinja {compiled.JINJA_VERSION}'s")
    for name in environment.list_templates():
        template = environment.get_template(name)
        # named after the template, as Jinja's own compile names its code: a traceback shows the template
        assert template.filename == str(TEMPLATES / name) == template.root_render_func.__code__.co_filename
    assert jinja_compiled == []
    assert not (Path(environment.bytecode_cache.directory).exists() and any(Path(environment.bytecode_cache.directory).iterdir()))  # type: ignore[union-attr]
    # the same page as Jinja's own compile of the same template gives
    fresh = page.template_environment()
    fresh.bytecode_cache = None  # Jinja compiles each template
    rendered = [env.get_template("page_content.html").make_module(VIEW).page_content(MODULE, {**PAGE, "first": True})
                for env in (environment, fresh)]
    assert rendered[0] == rendered[1] and "cp-page-0-title" in rendered[0]


@pytest.mark.parametrize("change", ["jinja", "source", "settings", "name"])
def test_code_not_current_is_never_run(environment: Environment, jinja_compiled: list[str],
                                       monkeypatch: pytest.MonkeyPatch, change: str) -> None:
    loader = environment.loader
    assert loader is not None
    if change == "jinja":  # another Jinja installed than the one that compiled the shipped code
        monkeypatch.setattr(jinja2, "__version__", "3.1.99")
    elif change == "settings":  # an environment that compiles other code from the same source
        environment.trim_blocks = False
    elif change == "name":  # a template the index does not hold
        monkeypatch.setattr(compiled, "MODULES", {k.upper(): v for k, v in compiled.MODULES.items()})
    else:  # a template edited in a checkout, not compiled again
        real = loader.get_source

        def edited(env: Environment, name: str) -> tuple[str, str | None, object]:
            source, filename, uptodate = real(env, name)
            return (source.replace("cp-page-title", "cp-page-heading") if name == "page_content.html" else source,
                    filename, uptodate)

        monkeypatch.setattr(loader, "get_source", edited)
    template = environment.get_template("page_content.html")
    assert jinja_compiled[-1:] == ["page_content.html"]
    if change == "source":
        assert 'class="cp-page-heading"' in template.make_module(VIEW).page_content(MODULE, PAGE)


def test_the_compiled_modules_are_never_imported_as_modules() -> None:
    """They run only as Jinja runs compiled code (their `environment` given): a fresh interpreter that builds
    every template leaves none of them in sys.modules, and importing one fails."""
    script = (
        "import sys\n"
        "from coursepack.render import page\n"
        "env = page.template_environment()\n"
        "[env.get_template(n) for n in env.list_templates()]\n"
        "print(sorted(m for m in sys.modules if m.startswith('coursepack.render.compiled.')))\n"
    )
    found = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert found.stdout.strip() == "[]"
    with pytest.raises(NameError):
        __import__("coursepack.render.compiled.launch_html")
