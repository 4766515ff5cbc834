from promptbandit.cli import main

main()
