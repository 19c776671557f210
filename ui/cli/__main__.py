"""``python -m ui.cli`` runs the ``sitroom`` command (used by the tests)."""

from ui.cli import main

main(prog_name="sitroom")
