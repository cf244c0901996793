"""coursepack: build SCORM / xAPI / cmi5 packages from courses written in YAML."""

__version__ = "0.1.0"
