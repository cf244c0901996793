"""Assemble one package's files: rendered player + assets + the target's manifest."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path

from coursepack.load.checks import asset_references, signature_reference
from coursepack.load.course_loader import LoadedCourse
from coursepack.load.errors import CourseError, Problem
from coursepack.load.paths import outside_folder, relative_path_problem
from coursepack.targets import scorm12, scorm2004
from coursepack.targets.editions import Sco, plan_scos
from coursepack.targets.zipper import Content


@dataclass(frozen=True)
class Target:
    name: str
    adapter: str  # the runtime adapter the player ships with
    manifest_name: str
    write_manifest: Callable[[LoadedCourse, str, list[Sco], Collection[str]], bytes]


TARGETS: dict[str, Target] = {
    "scorm12": Target("scorm12", "scorm12", "imsmanifest.xml", scorm12.build_manifest),
    "scorm2004": Target("scorm2004", "scorm2004", "imsmanifest.xml", scorm2004.build_manifest),
}


def package_name(loaded: LoadedCourse, target: str, edition: str) -> str:
    suffix = "" if edition == "standard" else f"-{edition}"
    return f"{loaded.course.slug}-{loaded.course.version}-{target}{suffix}.zip"


def fit_problems(loaded: LoadedCourse, target_name: str, edition: str, *, per_module: bool = False) -> list[Problem]:
    """Why the course's saved state could overflow what the target stores (empty when it fits)."""
    from coursepack.render.state_budget import check_state_budget

    adapter = TARGETS[target_name].adapter
    return [p for sco in plan_scos(loaded, per_module) for p in check_state_budget(loaded, edition, adapter, sco.module_ids)]


def package_files(loaded: LoadedCourse, target_name: str, edition: str, *, per_module: bool = False) -> dict[str, Content]:
    """Every file of the package, by path: bytes made here, or the asset file to stream.
    Raises CourseError when the course cannot fit the target."""
    # Imported here so that `--help` never pays for the renderer.
    from coursepack.render.page import referenced_assets, render_launch_page, runtime_files

    target = TARGETS[target_name]
    scos = plan_scos(loaded, per_module)
    problems = fit_problems(loaded, target_name, edition, per_module=per_module)
    if problems:
        raise CourseError(problems)
    files: dict[str, Content] = dict(runtime_files(target.adapter))
    assets: set[str] = set()
    for sco in scos:
        files[sco.launch] = render_launch_page(loaded, edition, target.adapter, sco.module_ids)
        assets.update(referenced_assets(loaded, sco.module_ids))
    for rel in sorted(assets):
        files[f"assets/{rel}"] = _asset_file(loaded, rel)  # streamed by the zipper, never held in memory
    files[target.manifest_name] = target.write_manifest(loaded, edition, scos, files)
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
