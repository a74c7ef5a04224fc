"""Reading the Flickr8k layout: ``images/``, ``captions.tsv`` and the split lists."""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from photoscope.config import BadInputFile


@dataclass(frozen=True)
class CaptionDataset:
    root: Path
    images: tuple[str, ...]  # every photo with captions, sorted
    captions: dict[str, list[str]]  # photo file name -> its captions

    @classmethod
    def load(cls, root: str | Path) -> CaptionDataset:
        root = Path(root)
        table = root / "captions.tsv"
        if not table.is_file():
            raise BadInputFile(f"{root} is not a caption dataset: {table} is missing")
        captions: dict[str, list[str]] = defaultdict(list)
        try:
            with table.open(newline="", encoding="utf-8") as f:
                for row in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
                    captions[row["image"]].append(row["caption"])
        except UnicodeDecodeError as error:
            raise BadInputFile(f"{table} is not UTF-8 text (byte {error.start}): save it as UTF-8") from error
        except KeyError as error:
            raise BadInputFile(
                f"{table} has no {error} column: its first line names the columns, image and caption, "
                "separated by a tab"
            ) from error
        return cls(root, tuple(sorted(captions)), dict(captions))

    def split(self, name: str) -> list[str]:
        """Photo names of a split file (``train``, ``val``, ``unsplit``); empty if absent."""
        path = self.root / f"{name}.txt"
        if not path.is_file():
            return []
        return [line.strip() for line in path.read_text().splitlines() if line.strip() in self.captions]
