"""Shared by every stage: diagnostics, the emitters (contract text to Python source), names, background jobs."""
