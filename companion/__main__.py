"""`python -m companion` is the `companion` command."""

from companion.faces.cli import main

main()
