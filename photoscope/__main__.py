import sys

from photoscope.cli import main

sys.exit(main())
