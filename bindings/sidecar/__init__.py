"""sidecar: catch what goes wrong in ML training runs, early and without crying wolf.

The native core lives in ``sidecar._sidecar``; this package only re-exports it
(plus pure-Python framework integrations under ``sidecar.integrations``).
"""
from sidecar._sidecar import Error, PlaybookError, __version__

__all__ = ["Error", "PlaybookError", "__version__"]
