"""The one description of the machine every benchmark prints beside its figures."""

from __future__ import annotations

import os
import platform
import re
from pathlib import Path


def hardware() -> str:
    """CPU model, cores, memory, OS and Python, e.g. `AMD EPYC, 2 cores, 24 GiB, Linux 6.18; Python 3.11.7`."""
    cpu = platform.processor() or platform.machine()
    try:
        found = re.search(r"model name\s*:\s*(.+)", Path("/proc/cpuinfo").read_text())
        cpu = found.group(1).strip() if found else cpu
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{cpu}, {os.cpu_count()} cores, {memory:.0f} GiB, {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}"
    )
