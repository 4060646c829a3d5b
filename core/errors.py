from django.utils.functional import Promise


class DomainError(Exception):
    """A refused change: a stable code (tests, the API and logs key on it) and its translated
    message (shown as a form error or a message). Each app lists its codes in `MESSAGES`."""

    MESSAGES: dict[str, Promise] = {}

    def __init__(self, code: str):
        self.code = code
        self.message = self.MESSAGES[code]
        super().__init__(str(self.message))
