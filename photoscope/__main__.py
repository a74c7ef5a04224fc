import sys

from photoscope.launch import main

sys.exit(main())
