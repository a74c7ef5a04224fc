"""Make the README's screenshots: the real window on a real library, under a real X server.

    xvfb-run -s "-screen 0 1400x900x24" .venv/bin/python packaging/screenshot.py \\
        --photos ../shared/datasets/flickr8k/images --count 150

The photos are copied to a temporary folder (never into the repository) and indexed with the shipped
model. Flickr8k's photos carry no date taken and their copies would all have today's file time, so
each copy's file time is set to a day in the last two years (the timeline then has months to show;
the app places photos without a date taken by their file's time). Then, in docs/:

- ``timeline.png``: the first screen, the library newest first by month;
- ``screenshot.png``: a search (QUERY) with its likely matches;
- ``detail.png``: the best match up close;
- ``maps.png``: the photo map.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

DOCS = Path(__file__).resolve().parents[1] / "docs"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--photos", type=Path, required=True, help="a folder of photos to show")
    parser.add_argument("--count", type=int, default=150)
    parser.add_argument("--query", default="a dog running on the grass")
    parser.add_argument("--out", type=Path, default=DOCS, help="the folder to write the PNGs to")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="photoscope-shot-"))
    for name in ("XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME"):
        os.environ[name] = str(tmp / name.lower())
    library = tmp / "Pictures"
    library.mkdir()
    rng = random.Random(8)
    now = time.time()
    for photo in sorted(args.photos.glob("*.jpg"))[: args.count]:
        copy = library / photo.name
        shutil.copy(photo, copy)
        stamp = now - rng.uniform(0, 730) * 86400
        os.utime(copy, (stamp, stamp))

    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from photoscope.api import Photoscope
    from photoscope.gui.app import create_application
    from photoscope.gui.main_window import MainWindow

    api = Photoscope(tmp / "library.db")
    api.add_folder(library)
    api.scanner().scan()
    api.indexer().run()  # the thumbnails too, as the app makes them
    app = create_application()
    window = MainWindow(QSettings(str(tmp / "settings.ini"), QSettings.Format.IniFormat))
    window.resize(1280, 800)
    window.show()
    window.attach(api)
    args.out.mkdir(exist_ok=True)

    def wait(ready: Callable[[], bool], seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and not ready():
            app.processEvents()
            time.sleep(0.05)
        for _ in range(30):  # let the last thumbnails paint
            app.processEvents()
            time.sleep(0.05)

    wait(lambda: window.pages.currentWidget() is window.browse and _painted(window, window.timeline))
    window.grab().save(str(args.out / "timeline.png"))
    window.search.set_text(args.query)
    wait(lambda: window.results.rowCount() > 0 and _painted(window, window.results))
    window.grab().save(str(args.out / "screenshot.png"))
    print(f"{window.results.rowCount()} likely matches for {args.query!r}: {window.result_label.text()}")
    window.open_detail(window.results.index(0))
    detail = window.detail
    detail.resize(900, 760)
    wait(lambda: detail.preview.pixmap() is not None and detail.preview.pixmap().width() > 300, 20)
    detail.grab().save(str(args.out / "detail.png"))
    detail.hide()
    window.show_maps()
    maps = window.maps
    assert maps is not None
    maps.resize(1100, 800)
    wait(lambda: not maps.photos.loading and len(maps.photos.photo_ids()) > 0, 120)
    maps.grab().save(str(args.out / "maps.png"))
    print(f"wrote timeline.png, screenshot.png, detail.png and maps.png to {args.out}")
    maps.close()
    QApplication.processEvents()
    window.shutdown()
    api.close()
    shutil.rmtree(tmp, ignore_errors=True)


def _painted(window: object, model: object) -> bool:
    """The first tiles' thumbnails are in (or could not be read)."""
    loader = window.loader  # type: ignore[attr-defined]
    rows = [r for r in range(min(model.rowCount(), 16)) if model.photo_at(r) >= 0]  # type: ignore[attr-defined]
    paths = [model.path_of(model.photo_at(r)) for r in rows]  # type: ignore[attr-defined]
    return bool(paths) and all(loader._cache.get(p) is not None or loader.failed(p) for p in paths)


if __name__ == "__main__":
    main()
