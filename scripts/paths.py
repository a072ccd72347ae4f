"""Where things are: the project folder and the folders the operator tools share.

Every operator tool takes its paths from here, so no tool imports another just to
find a folder.
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent  # the project folder
