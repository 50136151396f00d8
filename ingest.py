"""Index the corpus: `python ingest.py [PATH ...] [--rebuild]` (the same as `alliantiewijzer ingest`)."""

import sys

from assistant.cli.main import main

if __name__ == "__main__":
    sys.exit(main(["ingest", *sys.argv[1:]]))
