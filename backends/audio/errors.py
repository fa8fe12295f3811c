"""The one exception the audio backend raises: a registered code (E07xx), a
message and a help line, shown by `corpusc build` against the spec's
`emit audio` line (see `backends.base.BackendError`)."""

from __future__ import annotations

from corpusc.backends.base import BackendError


class AudioError(BackendError):
    def __init__(self, code: str, message: str, help: str = "") -> None:
        super().__init__("audio", code, message, help)

    def __reduce__(self):  # crosses the process pool
        return (AudioError, (self.code, self.message, self.help))
