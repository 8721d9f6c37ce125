"""``python -m efficacy``: the same as the ``efficacy`` command."""

from efficacy.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
