"""Run the command line: python -m guide."""

from guide.cli import main

main()
