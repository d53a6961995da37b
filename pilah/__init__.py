"""pilah: collect, classify and triage citizen complaints for a kabupaten's Kominfo office."""

from pathlib import Path

__version__ = "0.1.0"

#: The checkout the project runs from; default data/ and models/ live here.
PROJECT_ROOT = Path(__file__).resolve().parent.parent
