"""The one exception delivery raises for bad input: a registered code, a path
and a hint, printed by the CLI as a diagnostic (never a traceback)."""

from __future__ import annotations


class DeliveryError(Exception):
    def __init__(self, code: str, message: str, where: str = "<deliver>", help: str = "") -> None:
        super().__init__(message)
        self.code, self.message, self.where, self.help = code, message, where, help
