"""The one error type of the domain."""

from __future__ import annotations


class DomainError(Exception):
    """A rule refuses the action. ``message`` is translated and meant for the user: views show
    it as it is (a form error or a message), never a server error. ``field`` names the form
    field the refusal is about, if any."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def add_form_error(form, error: DomainError) -> None:
    """Show ``error`` on its field of ``form`` (on the form as a whole if it has no such field)."""
    form.add_error(error.field if error.field in form.fields else None, error.message)
