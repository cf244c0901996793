"""`python -m coursepack` runs the coursepack command."""

from coursepack.cli import main

main()
