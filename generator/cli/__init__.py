"""The specgen command line (quick.py answers `specgen generate` with nothing to do before click is imported)."""
