"""Assemble one package's files: rendered player + assets + the target's manifest."""

from __future__ import annotations

from pathlib import Path

from coursepack.load.checks import asset_references, signature_reference
from coursepack.load.course_loader import LoadedCourse
from coursepack.load.errors import CourseError, Problem
from coursepack.load.paths import outside_folder, relative_path_problem
from coursepack.render.page import referenced_assets, render_launch_page, runtime_files
from coursepack.render.render_cache import RenderCache
from coursepack.render.state_budget import check_state_budget
from coursepack.render.unit_contents import ModuleIndex, UnitContents, unit_contents
from coursepack.targets import cmi5, scorm12, scorm2004, xapi
from coursepack.targets.launch_units import LaunchUnit, split_into_launch_units
from coursepack.targets.target import Target
from coursepack.targets.zipper import Content

# Every target `coursepack build --target` offers, in this order.
TARGETS: dict[str, Target] = {target.name: target for target in (scorm12.TARGET, scorm2004.TARGET, xapi.TARGET, cmi5.TARGET)}


def package_name(loaded: LoadedCourse, target: str, edition: str) -> str:
    suffix = "" if edition == "standard" else f"-{edition}"
    return f"{loaded.course.slug}-{loaded.course.version}-{target}{suffix}.zip"


def _units(loaded: LoadedCourse, target: Target, edition: str, per_module: bool | None) -> list[tuple[LaunchUnit, UnitContents]]:
    """The package's launch units with their contents. per_module None: the target's default split."""
    split = False if target.one_unit else target.unit_per_module if per_module is None else per_module
    index = ModuleIndex(loaded)  # one lookup for every unit: linear in the number of modules
    return [(unit, unit_contents(loaded, edition, unit.module_ids, index)) for unit in split_into_launch_units(loaded, split)]


def _fit_problems(target: Target, units: list[tuple[LaunchUnit, UnitContents]]) -> list[Problem]:
    return [p for _, contents in units for p in check_state_budget(contents, target.limits)]


def fit_problems(loaded: LoadedCourse, target_name: str, edition: str, *, per_module: bool | None = None) -> list[Problem]:
    """Why the course's saved state could overflow what the target stores (empty when it fits)."""
    target = TARGETS[target_name]
    return _fit_problems(target, _units(loaded, target, edition, per_module))


def package_files(loaded: LoadedCourse, target_name: str, edition: str, *, per_module: bool | None = None,
                  renders: RenderCache | None = None) -> dict[str, Content]:
    """Every file of the package, by path: bytes made here, or the asset file to stream.
    per_module None: the target's default split. renders: the build's RenderCache, so that every
    package of one build shares each Markdown render. Raises CourseError when the course cannot fit."""
    target = TARGETS[target_name]
    units = _units(loaded, target, edition, per_module)
    problems = _fit_problems(target, units)
    if problems:
        raise CourseError(problems)
    renders = renders if renders is not None else RenderCache()
    files: dict[str, Content] = dict(runtime_files(target.adapter))
    assets: set[str] = set()
    for unit, contents in units:
        files[unit.launch] = render_launch_page(contents, target.adapter, target.limits, renders)
        assets.update(referenced_assets(contents))
    for rel in sorted(assets):
        files[f"assets/{rel}"] = _asset_file(loaded, rel)  # streamed by the zipper, never held in memory
    files[target.manifest_name] = target.write_manifest(loaded, edition, [unit for unit, _ in units], files)
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
