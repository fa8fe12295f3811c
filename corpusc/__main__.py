from corpusc.cli.main import run

run()
