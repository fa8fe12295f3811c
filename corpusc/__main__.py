from corpusc.cli import main

main()
