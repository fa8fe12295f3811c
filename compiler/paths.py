"""Where the shipped data lives: grammar/, stdlib/, specs/ sit beside compiler/
both in a checkout and when installed as `corpusc.*`."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GRAMMAR = ROOT / "grammar" / "corpus.lark"
STDLIB = ROOT / "stdlib"
SPECS = ROOT / "specs"
