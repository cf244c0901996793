"""`python -m builder` runs the coursepack command."""

from coursepack.cli import main

main()
