"""libespeak-ng, as shipped in the `espeakng-loader` wheel, driven in-process
through ctypes: synchronous mode, a synth callback that collects the samples
and word events. No subprocess and no system install. The library keeps
global state, so it is initialized once per process, lazily (build workers
are separate processes), and reloaded per call (see `fresh`)."""

from __future__ import annotations

import bisect
import ctypes
import zlib
from dataclasses import dataclass

import numpy as np

from corpusc.backends.audio.errors import AudioError

AUDIO_OUTPUT_SYNCHRONOUS = 2
CHARS_UTF8 = 1
POS_CHARACTER = 1
EVENT_LIST_TERMINATED, EVENT_WORD = 0, 1
RATE, VOLUME, PITCH, RANGE = 1, 2, 3, 4
INIT_DONT_EXIT = 0x8000


class _Event(ctypes.Structure):
    _fields_ = [("type", ctypes.c_int), ("unique_identifier", ctypes.c_uint), ("text_position", ctypes.c_int),
                ("length", ctypes.c_int), ("audio_position", ctypes.c_int), ("sample", ctypes.c_int),
                ("user_data", ctypes.c_void_p), ("id", ctypes.c_int64)]


_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.POINTER(_Event))


@dataclass
class _Engine:
    lib: ctypes.CDLL
    rate: int
    callback: object  # keeps the ctypes callback alive
    chunks: list  # (samples so far, samples of this callback)
    words: list  # (character position, sample)
    libc: ctypes.CDLL | None = None
    voice: str = ""
    params: tuple = ()


_E: _Engine | None = None


def engine() -> _Engine:
    global _E
    if _E is None:
        _E = _load()
    return _E


def fresh() -> _Engine:
    """A freshly loaded library. espeak-ng keeps synthesis state in statics that
    neither espeak_Terminate nor espeak_Initialize reset (the pitch flutter
    phase, among others), so the same text would sound slightly different
    depending on what a worker said before. Unloading and reloading the library
    (a few ms) at the start of every call makes each call's audio a function of
    the call alone, whichever worker renders it."""
    global _E
    if _E is not None:
        import _ctypes
        _E.lib.espeak_Terminate()
        _ctypes.dlclose(_E.lib._handle)
        _E = None
    return engine()


def _load() -> _Engine:
    try:
        import espeakng_loader
        lib = ctypes.CDLL(espeakng_loader.get_library_path())
        data = espeakng_loader.get_data_path()
    except (ImportError, OSError) as e:
        raise AudioError("E0711", f"cannot load libespeak-ng from the espeakng-loader wheel: {e}",
                         help="reinstall corpusc's dependencies (`pip install espeakng-loader`), "
                              "or use `emit audio { engine openai }`")
    lib.espeak_Initialize.restype = ctypes.c_int
    lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
    lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
    lib.espeak_ng_SetRandSeed.argtypes = [ctypes.c_long]
    lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
    lib.espeak_Synth.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int, ctypes.c_uint,
                                 ctypes.c_uint, ctypes.c_void_p, ctypes.c_void_p]
    rate = lib.espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 0, data.encode(), INIT_DONT_EXIT)
    if rate <= 0:
        raise AudioError("E0711", f"libespeak-ng failed to initialize (data path {data})",
                         help="reinstall the espeakng-loader wheel")
    chunks: list = []
    words: list = []

    def on_synth(wav, n, events) -> int:
        base = len(chunks) and chunks[-1][0]
        if n > 0:
            chunks.append((base + n, np.ctypeslib.as_array(wav, (n,)).copy()))
        i = 0
        while events[i].type != EVENT_LIST_TERMINATED:
            e = events[i]
            if e.type == EVENT_WORD:
                words.append((e.text_position, e.sample if e.sample else base))
            i += 1
        return 0

    cb = _CALLBACK(on_synth)
    lib.espeak_SetSynthCallback(cb)
    return _Engine(lib=lib, rate=rate, callback=cb, chunks=chunks, words=words, libc=ctypes.CDLL(None))


def set_voice(name: str) -> None:
    e = engine()
    if e.voice != name:
        if e.lib.espeak_SetVoiceByName(name.encode()) != 0:
            raise AudioError("E0711", f"espeak-ng has no voice `{name}`",
                             help="the call's locale has no espeak-ng voice; use a supported locale (en, de, he...)")
        e.voice = name
        e.params = ()


def synth(text: str, rate: int, pitch: int, range_: int) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """Samples (int16, at `engine().rate`) for `text` with the current voice, and the
    word events as (0-based character offset, sample)."""
    e = engine()
    params = (rate, pitch, range_)
    if e.params != params:
        e.lib.espeak_SetParameter(RATE, max(80, min(450, rate)), 0)
        e.lib.espeak_SetParameter(PITCH, max(0, min(100, pitch)), 0)
        e.lib.espeak_SetParameter(RANGE, max(0, min(100, range_)), 0)
        e.params = params
    e.chunks.clear()
    e.words.clear()
    data = text.encode("utf-8")
    # Noise (breath, flutter jitter) draws from espeak-ng's own generator, which
    # espeak_Initialize seeds from the clock, and from libc's rand(): seed both
    # per utterance so the samples are a function of the text and parameters.
    seed = zlib.crc32(data)
    e.lib.espeak_ng_SetRandSeed(seed)
    e.libc.srand(seed)
    e.lib.espeak_Synth(data, len(data) + 1, 0, POS_CHARACTER, 0, CHARS_UTF8, None, None)
    pcm = np.concatenate([c for _, c in e.chunks]) if e.chunks else np.zeros(0, np.int16)
    return pcm, [(max(0, p - 1), s) for p, s in e.words]


def word_starts(words: list[str], events: list[tuple[int, int]]) -> list[int | None]:
    """The first event's sample for each whitespace word (None for a word espeak
    did not voice, e.g. a lone dash)."""
    offs, pos = [], 0
    for w in words:
        offs.append(pos)
        pos += len(w) + 1
    out: list[int | None] = [None] * len(words)
    for cpos, sample in events:
        i = bisect.bisect_right(offs, cpos) - 1
        if 0 <= i < len(words) and out[i] is None:
            out[i] = sample
    return out
