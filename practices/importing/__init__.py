"""Import practices from the interchange format (DESIGN.md): validate everything, then write."""

from .importer import ImportFailed, ImportReport, PracticeImporter

__all__ = ["ImportFailed", "ImportReport", "PracticeImporter"]
