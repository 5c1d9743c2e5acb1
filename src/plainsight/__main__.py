"""``python -m plainsight`` runs the command line."""

from plainsight.cli import main

main()
