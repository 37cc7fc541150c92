"""``python -m hipnb`` runs the command line."""

from hipnb.cli import main

raise SystemExit(main())
