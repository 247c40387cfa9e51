"""Parameter values that FastAPI does not split by itself."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def delimited(separator: str) -> Callable[[Any], Any]:
    """An array sent as one value (`?ids=1,2,3`, `explode: false`, spaceDelimited, pipeDelimited):
    every text value is split on the separator before the items are validated."""

    def split(value: Any) -> Any:
        values = value if isinstance(value, list) else [value]
        if not all(isinstance(v, str) for v in values):
            return value
        return [part for v in values for part in (v.split(separator) if v else [])]

    return split
