"""``N_`` marks an English message that is translated later, where it is shown (the
extraction command collects it with ``-k N_``); at run time it returns the text unchanged, so
pure code stays free of any translation machinery."""
from __future__ import annotations


def N_(message: str) -> str:  # noqa: N802 (the usual gettext marker name)
    return message
