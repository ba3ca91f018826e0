"""``python -m glassnet`` runs the command line."""

from glassnet.cli import main

raise SystemExit(main())
