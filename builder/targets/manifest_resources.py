"""The <resources> part every SCORM manifest shares (1.2 and 2004 differ only in namespaces and in the
spelling of the scorm type attribute): one resource per SCO; a one-SCO package lists every file on
its SCO, a package of several SCOs lists each SCO's own files (its launch page and its page files) on
it and the shared files once, on an asset resource they depend on."""

from __future__ import annotations

from collections.abc import Collection

from lxml import etree

from coursepack.load.course_loader import LoadedCourse
from coursepack.render.unit_contents import page_folder
from coursepack.targets.launch_units import LaunchUnit

COMMON_RESOURCE = "res-common"


def add_resources(root: etree._Element, loaded: LoadedCourse, scos: list[LaunchUnit], files: Collection[str], per_module: bool, *,
                  ns_cp: str, scorm_type: str) -> None:
    """Append <resources> to a manifest root. scorm_type: the attribute's Clark name
    ("{adlcp 1.2 ns}scormtype" or "{adlcp 2004 ns}scormType")."""
    def sub(parent: etree._Element, tag: str, **attrs: str) -> etree._Element:
        return etree.SubElement(parent, f"{{{ns_cp}}}{tag}", attrs)

    resources = sub(root, "resources")
    # files grouped by folder once, so a package of many SCOs stays linear in its files
    in_folder: dict[str, list[str]] = {}
    for name in files:
        folder, _, _ = name.rpartition("/")
        in_folder.setdefault(folder + "/", []).append(name)
    own = {s.launch: [s.launch, *sorted(in_folder.get(page_folder(loaded, s.module_ids), []))] for s in scos}
    owned = {name for names in own.values() for name in names}
    shared = sorted(name for name in files if name not in owned)
    for sco in scos:
        resource = sub(resources, "resource", identifier=sco.resource_id, type="webcontent", href=sco.launch)
        resource.set(scorm_type, "sco")
        for name in own[sco.launch] if per_module else [*own[sco.launch], *shared]:
            sub(resource, "file", href=name)
        if per_module:
            sub(resource, "dependency", identifierref=COMMON_RESOURCE)
    if per_module:
        common = sub(resources, "resource", identifier=COMMON_RESOURCE, type="webcontent")
        common.set(scorm_type, "asset")
        for name in shared:
            sub(common, "file", href=name)
