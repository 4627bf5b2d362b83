"""Allow ``python -m dfcheck``."""

from dfcheck.cli import main

if __name__ == "__main__":
    main()
