"""Allow ``python -m dfcheck``."""

from dfcheck.cli.main import main

if __name__ == "__main__":
    main()
