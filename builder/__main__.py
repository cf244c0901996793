"""`python -m coursepack` runs the coursepack command."""

from coursepack.console import main

main()
