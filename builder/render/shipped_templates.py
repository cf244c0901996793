"""The build's templates with their compiled code shipped in coursepack (render/compiled/), so that no build
compiles them, not even the first one on a machine (issue 16: Jinja's compile of the three templates took
about 0.1 s of a first build of the example, 1 s in all).

The code is Jinja's own output for each template (`python tools/compile_templates.py` writes it), kept as
Python source beside coursepack's modules, so Python reads it through its own bytecode cache like any of
them. It is used only when it is exactly what this Jinja would compile: the same Jinja version, the same
environment settings and autoescaping (compile_settings) and the same template source, by a
digest of all four taken at load. Anything else (another Jinja, a template edited in a checkout) is
compiled as Jinja always does, once per machine (template_cache.py, which asks here first)."""

from __future__ import annotations

import hashlib
import importlib.util
from types import CodeType

import jinja2
from jinja2 import Environment

from coursepack.render import compiled


def compile_settings(env: Environment) -> str:
    """What of the environment, besides each template's source and name, decides the code Jinja compiles."""
    return repr((
        env.block_start_string, env.block_end_string, env.variable_start_string, env.variable_end_string,
        env.comment_start_string, env.comment_end_string, env.line_statement_prefix, env.line_comment_prefix,
        env.trim_blocks, env.lstrip_blocks, env.newline_sequence, env.keep_trailing_newline, env.optimized,
        env.is_async, env.finalize is not None, sorted(env.extensions), sorted(env.filters), sorted(env.tests),
    ))


def autoescapes(environment: Environment, name: str) -> bool:
    """Whether template name is compiled with autoescaping (it changes the code)."""
    autoescape = environment.autoescape
    return bool(autoescape(name) if callable(autoescape) else autoescape)


def code_key(environment: Environment, name: str, source: str) -> str:
    """What decides a template's compiled code, as one digest: Jinja's version, the environment's settings,
    the template's autoescaping, its name and its source."""
    described = repr((jinja2.__version__, compile_settings(environment), autoescapes(environment, name), name, source))
    return hashlib.sha256(described.encode("utf-8", "surrogatepass")).hexdigest()


def shipped_code(environment: Environment, name: str, source: str, filename: str | None) -> CodeType | None:
    """The shipped compiled code of template name, when it was compiled from exactly this source by this Jinja
    with these settings; else None. Its code objects carry the template's file name, as Jinja's own compile
    gives them, so that an error's traceback names the template."""
    entry = compiled.MODULES.get(name)
    if entry is None or entry[2] != code_key(environment, name, source):
        return None
    spec = importlib.util.find_spec(f"{compiled.__name__}.{entry[0]}")
    if spec is None or spec.loader is None:
        return None
    code = spec.loader.get_code(spec.name)  # type: ignore[attr-defined]  # a SourceFileLoader: reads the .pyc
    return _named(code, filename) if filename else code


def _named(code: CodeType, filename: str) -> CodeType:
    consts = tuple(_named(const, filename) if isinstance(const, CodeType) else const for const in code.co_consts)
    return code.replace(co_filename=filename, co_consts=consts)
