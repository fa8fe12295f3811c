"""The one exception the LLM renderer raises: a registered code (E073x), a
message and a help line. It never carries the API key (client.py scrubs
every message it builds from a server's answer)."""

from __future__ import annotations


class LlmError(Exception):
    def __init__(self, code: str, message: str, help: str = "") -> None:
        super().__init__(message)
        self.code, self.message, self.help = code, message, help

    def __reduce__(self):  # crosses the process pool
        return (LlmError, (self.code, self.message, self.help))

    def __str__(self) -> str:
        return f"[{self.code}] {self.message}"
