"""``N_`` marks an English message that is translated later, where it is shown (the
extraction command collects it with ``-k N_``); at run time it returns the text unchanged, so
pure code stays free of any translation machinery."""
from __future__ import annotations


def N_(message: str) -> str:  # noqa: N802 (the usual gettext marker name)
    return message


class Message(str):
    """An English message that keeps its msgid and parameters: it compares, prints and logs
    as the English text (the command line and the API keep their exact words), and a page
    shows it in the reader's language (``core.labels.say``). Parameters may be Messages too.

    >>> m = Message("%(item)s: no answer", item="FIRE-01")
    >>> m == "FIRE-01: no answer", m.msgid, m.params
    (True, '%(item)s: no answer', {'item': 'FIRE-01'})
    """

    msgid: str
    params: dict

    def __new__(cls, msgid: str, **params):
        text = super().__new__(cls, msgid % params if params else msgid)
        text.msgid = msgid
        text.params = params
        return text
