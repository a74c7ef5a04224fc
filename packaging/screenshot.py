"""Make docs/screenshot.png: the real window, on a real library, after a real search.

    xvfb-run -s "-screen 0 1400x900x24" .venv/bin/python packaging/screenshot.py \\
        --photos ../shared/datasets/flickr8k/images --count 150

The photos are copied to a temporary folder (never into the repository), indexed with the shipped
model, and the app searches for QUERY; the window is grabbed once its thumbnails are painted.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "docs" / "screenshot.png"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--photos", type=Path, required=True, help="a folder of photos to show")
    parser.add_argument("--count", type=int, default=150)
    parser.add_argument("--query", default="a dog running on the grass")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="photoscope-shot-"))
    for name in ("XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME"):
        os.environ[name] = str(tmp / name.lower())
    library = tmp / "Pictures"
    library.mkdir()
    for photo in sorted(args.photos.glob("*.jpg"))[: args.count]:
        shutil.copy(photo, library / photo.name)

    from PySide6.QtCore import QSettings

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
    window.search.set_text(args.query)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and (window.model.rowCount() == 0 or not _painted(window)):
        app.processEvents()
        time.sleep(0.05)
    for _ in range(40):  # let the last thumbnails paint
        app.processEvents()
        time.sleep(0.05)
    args.out.parent.mkdir(exist_ok=True)
    window.grab().save(str(args.out))
    print(f"wrote {args.out} ({window.model.rowCount()} results for {args.query!r})")
    window.shutdown()
    api.close()
    shutil.rmtree(tmp, ignore_errors=True)


def _painted(window: object) -> bool:
    model = window.model  # type: ignore[attr-defined]
    rows = min(model.rowCount(), 12)
    return all(window.loader.pixmap(model.match(r).photo.path) is not None for r in range(rows))  # type: ignore[attr-defined]


if __name__ == "__main__":
    main()
