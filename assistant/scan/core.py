"""Deprecated: the netwerkscan now lives in modules named for its steps; import from :mod:`assistant.scan`.

Kept only for ``tests/test_ui.py``, which still imports ``NetworkScan`` from here; remove this
module once that import reads ``from assistant.scan import NetworkScan``.
"""

from assistant.scan.network import NetworkScan

__all__ = ["NetworkScan"]
