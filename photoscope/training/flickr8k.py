"""Reading the Flickr8k layout: ``images/``, ``captions.tsv`` and the split lists."""

from __future__ import annotations

import csv
import io
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
        data = table.read_bytes()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            line = data[: error.start].count(b"\n") + 1
            raise BadInputFile(f"{table} is not UTF-8 text (line {line}): save it as UTF-8") from error
        captions: dict[str, list[str]] = defaultdict(list)
        reader = csv.DictReader(io.StringIO(text, newline=""), delimiter="\t", quoting=csv.QUOTE_NONE)
        if not {"image", "caption"} <= set(reader.fieldnames or ()):
            raise BadInputFile(f"{table}: its first line names no image and caption columns (tab-separated)")
        for row in reader:
            image, caption = row["image"], row["caption"]
            if not image or caption is None:  # a line without its tab
                raise BadInputFile(
                    f"{table}, line {reader.line_num}: an image and its caption (tab-separated)"
                )
            captions[image].append(caption)
        return cls(root, tuple(sorted(captions)), dict(captions))

    def split(self, name: str) -> list[str]:
        """Photo names of a split file (``train``, ``val``, ``unsplit``); empty if absent."""
        path = self.root / f"{name}.txt"
        if not path.is_file():
            return []
        return [line.strip() for line in path.read_text().splitlines() if line.strip() in self.captions]
