"""Messages stored untranslated and written in the reader's language when shown.

A job's report (an import's errors, say) is read later, possibly by someone else in another
language: storing the sentence translated for whoever started the job would show it in their
language to everyone. ``Text`` keeps the source message (marked with ``gettext_noop`` so that
it is still extracted) and its parameters; ``text_shown`` translates it when read.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext, gettext_lazy

# The type of ``gettext_lazy``'s strings (Django makes one such class per lazy function):
# a model's validation message of this type still holds its source message.
_LAZY_GETTEXT = type(gettext_lazy(""))


@dataclass(frozen=True)
class Text:
    """A source message (``gettext_noop``) and its parameters; ``str()`` translates it into the
    active language."""

    msgid: str
    params: dict = field(default_factory=dict)

    def __str__(self) -> str:
        return text_shown(self.as_dict())

    def as_dict(self) -> dict:
        """What is stored: the source and its parameters, never a translation."""
        return {"msgid": self.msgid, "params": self.params}


def _translated(msgid: str, params: dict) -> str:
    text = gettext(msgid)
    return text % params if params else text


def text_shown(stored: dict) -> str:
    """A stored message in the active language: its source translated with its parameters; a
    message stored translated (rows stored before the source was kept, or a message with no
    source to keep) as it was written."""
    if stored.get("msgid"):
        return _translated(stored["msgid"], stored.get("params") or {})
    return stored.get("message", "")


def stored(message) -> dict:
    """What to store of ``message``: a ``Text`` as its source, anything else as written (then
    in the language of the moment: ``{"message": …}``, as rows were stored before)."""
    return message.as_dict() if isinstance(message, Text) else {"message": str(message)}


def validation_texts(errors: list[ValidationError]) -> list[Text | str]:
    """The messages of ``errors`` (one field's, as ``ValidationError.error_dict`` holds them),
    each as a ``Text`` when its source is known (a ``gettext_lazy`` message, as Django's and
    the models' are), else translated now."""
    texts: list[Text | str] = []
    for item in (one for error in errors for one in error.error_list):
        params = {
            k: v if isinstance(v, int | float) else str(v) for k, v in (item.params or {}).items()
        }
        message = item.message
        if isinstance(message, _LAZY_GETTEXT) and message._args:
            texts.append(Text(str(message._args[0]), params))
        else:
            texts.append(str(message % params if params else message))
    return texts
