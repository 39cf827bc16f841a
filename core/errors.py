"""The one error type of the domain."""


class DomainError(Exception):
    """A rule refuses the action. ``message`` is translated and meant for the user: views show
    it as it is (a form error or a message), never a server error."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message
