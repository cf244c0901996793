"""Assemble one package's files: rendered player + assets + the target's manifest."""

from __future__ import annotations

from pathlib import Path

from coursepack.load.checks import asset_references, signature_reference
from coursepack.load.course_loader import LoadedCourse
from coursepack.load.errors import CourseError
from coursepack.load.paths import outside_folder, relative_path_problem
from coursepack.render.page import referenced_assets, render_unit, runtime_files
from coursepack.render.render_cache import RenderCache
from coursepack.targets.fit import launch_units, units_fit_problems
from coursepack.targets.registry import TARGETS
from coursepack.targets.xapi_activities import plain_words
from coursepack.targets.zipper import Content, SpillFile


def package_files(loaded: LoadedCourse, target_name: str, edition: str, *, per_module: bool | None = None,
                  renders: RenderCache | None = None, spill: SpillFile | None = None,
                  checked_assets: dict[str, Path] | None = None) -> dict[str, Content]:
    """Every file of the package, by path: bytes made here, the asset file to stream, or where a spill file
    holds it. per_module None: the target's default split. renders: the build's RenderCache, so that every
    package of one build shares each Markdown render (and, given a spill file, holds the page files there).
    spill: where each launch page goes as it is rendered (a build's, cleared once the zip is written), so
    that a package's pages are not all in memory at once; None: kept as bytes. checked_assets: the asset files
    a build has checked so far, by path (filled here), so that each is checked once a build rather than once
    a package (resolving each of a path's folders: 1.3 % of the example's build to every target and edition).
    Raises CourseError when the course cannot fit."""
    target = TARGETS[target_name]
    units = launch_units(loaded, target, edition, per_module)
    problems = units_fit_problems(target, units)
    if problems:
        raise CourseError(problems)
    renders = renders if renders is not None else RenderCache()
    files: dict[str, Content] = dict(runtime_files(target.adapter))
    assets: set[str] = set()
    for unit, contents in units:
        rendered = render_unit(contents, target.adapter, target.limits, renders)
        files[unit.launch] = rendered.launch if spill is None else spill.put(rendered.launch)
        files.update(rendered.pages)  # each unit's page files in a folder of its own (page_folder)
        assets.update(referenced_assets(contents))
    checked = checked_assets if checked_assets is not None else {}
    for rel in sorted(assets):
        if rel not in checked:
            checked[rel] = _asset_file(loaded, rel)
        files[f"assets/{rel}"] = checked[rel]  # streamed by the zipper, never held in memory
    files[target.manifest_name] = target.write_manifest(loaded, edition, [unit for unit, _ in units], files,
                                                        words=lambda text: renders.words(text, plain_words))
    return files


def _asset_file(loaded: LoadedCourse, rel: str) -> Path:
    """The file to pack for an asset path, checked again with validate's rules: the course
    folder may have changed since it was loaded, and nothing outside it may be packed."""
    path = loaded.assets_dir / rel
    why = relative_path_problem(rel)
    if why is None and outside_folder(loaded.root, f"assets/{rel}") is not None:
        why = "links outside the course folder"
    if why is None and not path.is_file():
        why = "is no longer a regular file"
    if why is None:
        return path.resolve()
    signature = signature_reference(loaded)
    refs = [*asset_references(loaded.modules), *([signature] if signature else [])]
    ref = next(r for r in refs if r.rel == rel)  # every packed asset is referenced by a module or the certificate
    raise CourseError([ref.problem(f"asset '{rel}' {why} (expected a file inside the course folder; nothing outside it is packed)")])
