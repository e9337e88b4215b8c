"""``python -m redline``: the same command line as ``redline``."""

from redline.cli import main

main()
