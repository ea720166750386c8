import sys

from agents.evaluation.cli import main

sys.exit(main(sys.argv[1:]))
