"""What the API says of single photos and of the model: records, captions, the encoder head's concepts
in plain words, thumbnails, and the model's name, version and metrics."""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from photoscope.api.core import Core
from photoscope.api.types import CaptionedPhoto, ModelInfo
from photoscope.library.records import PhotoRecord
from photoscope.library.thumbnails import LARGE_SIZE as THUMBNAIL_SIZE
from photoscope.library.thumbnails import current_png

if TYPE_CHECKING:
    from PIL import Image

    from photoscope.network import DecodeOptions


class Describing(Core):
    def photos_by_ids(self, ids: Sequence[int]) -> list[PhotoRecord]:
        return self.library.photos_by_ids(list(ids))

    def model_info(self) -> ModelInfo:
        """The model's name, version and validation metrics (loads the bundle)."""
        bundle = self.model.bundle
        return ModelInfo(bundle.name, bundle.version, bundle.training_data, dict(bundle.metrics))

    def thumbnail(self, photo_id: int) -> Image.Image | None:
        """The photo's grid thumbnail from the shared cache if made from the photo as it is now (any
        version where the file cannot be looked at: an offline drive's), else decoded small from the
        photo itself; None if the photo is unknown or unreadable."""
        from PIL import Image

        from photoscope.library.photos import load_photo

        records = self.library.photos_by_ids([photo_id])
        if not records:
            return None
        path = records[0].path
        try:
            mtime: float | None = os.stat(path).st_mtime
        except OSError:
            mtime = None
        cached = current_png(path, mtime)
        if cached is not None:
            try:
                with Image.open(io.BytesIO(cached)) as image:
                    return image.convert("RGB")
            except (OSError, ValueError, Image.DecompressionBombError):
                pass  # a damaged cache file: the photo instead
        try:
            photo = load_photo(path, min_side=THUMBNAIL_SIZE)
        except (OSError, ValueError):
            return None
        photo.thumbnail((THUMBNAIL_SIZE, THUMBNAIL_SIZE))
        return photo

    def caption(
        self, photos: Sequence[Image.Image], options: DecodeOptions | None = None
    ) -> list[CaptionedPhoto]:
        """The caption the index would store for each photo (they need not be in the library), with
        the concepts as the window and ``search --json`` show them: from the head's top classes the
        index stores (``photo_concepts``). From all its classes, ``caption`` said "dog (63 %)" of a
        goat the window showed as "animal (55 %)" (38 of 140 photos differed: the #14 audit of stop
        44)."""
        from photoscope.network import bundle_namer, concepts_from_tags

        described = self.model.describe(photos, options)  # first: it says what a damaged model lacks
        namer = bundle_namer(str(self._model_dir) if self._model_dir else None)
        return [
            CaptionedPhoto(d.caption, d.caption_score, tuple(concepts_from_tags(d.tags, namer)))
            for d in described
        ]

    def prepare_concept_names(self) -> None:
        """Read what naming photos' concepts needs (the concept words, the decoder's: 0.3 s) ahead
        of the first tooltip or photo view, which ask on the window's thread (a 90 ms freeze)."""
        from photoscope.network import bundle_namer

        bundle_namer(str(self._model_dir) if self._model_dir else None)

    def photo_concepts(self, photo: PhotoRecord) -> list[tuple[str, float]]:
        """What the encoder's ImageNet head sees in an indexed photo, in plain words with
        probabilities ("cat" 0.91, "Egyptian cat" 0.62, ...), from its stored tags (no network)."""
        return photo_concepts(photo, self._model_dir)


def photo_concepts(photo: PhotoRecord, model_dir: str | Path | None = None) -> list[tuple[str, float]]:
    """An indexed photo's concepts in plain words (``Photoscope.photo_concepts``), for a caller
    without a ``Photoscope`` (the search command answered by a running app)."""
    from photoscope.network import bundle_namer, concepts_from_tags

    return concepts_from_tags(photo.tags, bundle_namer(str(model_dir) if model_dir else None))


def shipped_model_version() -> str | None:
    """The shipped model's version as the index records it (``Photoscope.model_version``), read from
    its ``bundle.json`` without building the network; None when the bundle cannot be read."""
    from photoscope.config import default_model_dir
    from photoscope.network import BundleError, model_version_of

    try:
        return model_version_of(default_model_dir())
    except (BundleError, OSError, ValueError, KeyError):
        return None
