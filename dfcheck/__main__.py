"""Allow ``python -m dfcheck``."""

from dfcheck.main import main

if __name__ == "__main__":
    main()
