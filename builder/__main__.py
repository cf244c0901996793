"""`python -m builder` runs the coursepack command."""

from builder.cli import main

main()
