from corpusc.cli import run

run()
