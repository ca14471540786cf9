"""The Null condition operator: `true` asks that the key be absent, `false` that it be present.

It compares no values, so it has no matcher; `compiled.py` answers it from key presence alone.
"""

from __future__ import annotations

from .boolean import check_bool
from .base import ConditionOperator

OPERATORS = (ConditionOperator("Null", "Null", False, False, False, check_bool, None),)
