"""The concepts shown to the user (CLI, tooltips, detail view) and the upgrade of an existing
library's captions from its stored vectors (no ../shared data)."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from photoscope.api import Photoscope, photo_concepts
from photoscope.cli import main
from photoscope.library.records import PhotoRecord


def _record(tags: list[tuple[str, float]]) -> PhotoRecord:
    return PhotoRecord(1, "/p/espresso.jpg", 1, "a cup of coffee", -1.0, None, None, 10, 10, 1, 0.0, tags)


def test_stored_tags_show_as_plain_words() -> None:
    shown = photo_concepts(_record([("espresso", 0.8), ("cup", 0.1), ("eggnog", 0.05)]))
    assert shown[0] == ("espresso", pytest.approx(0.8))
    assert ("cup", pytest.approx(0.1)) in shown
    assert photo_concepts(_record([])) == []


def test_tooltips_and_detail_view_name_the_concepts() -> None:
    from photoscope.gui.photo_text import concepts_text, record_tooltip

    record = _record([("bald eagle", 0.7), ("kite", 0.2)])
    assert concepts_text(record).startswith("bald eagle (70 %)")
    tip = record_tooltip(record)
    assert tip.splitlines()[0] == "a cup of coffee" and "Looks like: bald eagle (70 %)" in tip
    assert "Looks like" not in record_tooltip(_record([]))


def test_caption_command_prints_the_concepts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from synthetic import shape_photo

    photo = tmp_path / "red_circle.png"  # a ball to the head (a grey square is nothing above 5 %)
    shape_photo("red", "circle", seed=1).save(photo)
    assert main(["caption", str(photo), "--scores"]) == 0
    line = capsys.readouterr().out.strip()
    path, caption, score, seen = line.split("\t")
    assert path == str(photo) and caption and float(score) <= 0
    assert seen.startswith("looks like: ") and "%" in seen
    # as the window writes them (the review of stop 39: "91%" here, "91 %" in the window)
    assert re.fullmatch(r"looks like: [^()]+ \(\d+ %\)(, [^()]+ \(\d+ %\))*", seen), seen


def test_caption_prints_the_concepts_the_library_stores(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], shipped_model_dir: Path
) -> None:
    """The #14 audit of stop 44: `caption` named a photo's concepts from all the head's classes, the
    window and `search --json` from the top classes the library stores: "dog (63 %)" of a goat the
    window showed as "animal (55 %)", for 38 of 140 photos."""
    from photoscope.api import IndexOptions
    from photoscope.wording import concepts_in_words

    folder = tmp_path / "Photos"
    folder.mkdir()
    rng = np.random.default_rng(3)
    for i in range(4):  # noise and flat colours: photos the head is unsure of (its top classes spread)
        pixels = rng.integers(0, 256, (96, 96, 3), dtype="uint8") if i % 2 else None
        image = (
            Image.fromarray(pixels) if pixels is not None else Image.new("RGB", (96, 96), (40 * i, 90, 200))
        )
        image.save(folder / f"p{i}.png")
    db = tmp_path / "library.db"
    with Photoscope(db, shipped_model_dir) as app:
        app.add_folder(folder)
        app.scanner().scan()
        app.indexer(options=IndexOptions(thumbnail_root=tmp_path / "thumbs")).run()
        stored = {
            Path(r.path).name: concepts_in_words(photo_concepts(r))
            for r in app.photos_by_ids(app.library.photo_ids())
        }
    assert (
        main(["caption", *(str(folder / f"p{i}.png") for i in range(4)), "--model", str(shipped_model_dir)])
        == 0
    )
    for line in capsys.readouterr().out.splitlines():
        path, _, *seen = line.split("\t")
        assert (seen[0].removeprefix("looks like: ") if seen else "") == stored[Path(path).name], line


def test_search_json_carries_concepts(
    shapes_library_db: tuple[Path, Path], trained_tiny: Path, capsys
) -> None:
    db, _ = shapes_library_db
    assert main(["search", "a red square", "--db", str(db), "--model", str(trained_tiny), "--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert rows and all(isinstance(r["concepts"], list) for r in rows)
    first = rows[0]["concepts"]
    assert first and set(first[0]) == {"word", "p"} and 0 < first[0]["p"] <= 1


def test_a_photo_to_re_caption_without_its_feature_is_encoded_again(
    shapes_library_db: tuple[Path, Path], trained_tiny: Path, tmp_path: Path
) -> None:
    """The fresh-seat audit of stop 54: photos kept indexed without their feature (by a repair of
    an older version) waited "for captions by the new caption rule" forever; each `index` said
    "re-captioned 0 photos". They wait to be encoded again instead."""
    db = tmp_path / "library.db"
    shutil.copy(shapes_library_db[0], db)
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE photos SET description_version = NULL")
        lost = conn.execute("SELECT min(photo_id) FROM features").fetchone()[0]
        conn.execute("DELETE FROM features WHERE photo_id = ?", (lost,))
    with Photoscope(db, trained_tiny) as app:
        indexed = app.photo_counts().indexed
        assert app.rewrite_captions() == indexed - 1
        assert app.photo_counts().pending == 1  # to encode again: its feature is gone
        assert app.library.stale_description_count(app.model.description_version) == 0


def test_old_captions_are_rewritten_from_stored_vectors(
    shapes_library_db: tuple[Path, Path], trained_tiny: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "library.db"
    shutil.copy(shapes_library_db[0], db)
    with sqlite3.connect(db) as conn:  # as a library captioned before the caption rule had versions
        conn.execute("UPDATE photos SET description_version = NULL")
        conn.execute("UPDATE captions SET text = 'old caption'")
    with Photoscope(db, trained_tiny) as app:
        indexed = app.photo_counts().indexed
        monkeypatch.setattr(app.model, "embed", lambda *a, **k: pytest.fail("re-encoded a photo"))
        assert app.rewrite_captions(batch=7) == indexed
        assert app.rewrite_captions() == 0  # all current now
        records = app.photos_by_ids(app.library.photo_ids())
        assert records and all(r.caption and r.caption != "old caption" for r in records)


def test_rewriting_old_captions_gives_way_to_a_stopping_worker(
    shapes_library_db: tuple[Path, Path], trained_tiny: Path, tmp_path: Path
) -> None:
    # Found by benchmarks/gui.py: closing the window waited minutes for the idle worker to rewrite
    # 100,000 old captions. The rewriting runs in the worker's thread and stops when it does.
    db = tmp_path / "library.db"
    shutil.copy(shapes_library_db[0], db)
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE photos SET description_version = NULL")
    with Photoscope(db, trained_tiny) as app:
        indexed = app.photo_counts().indexed
        asked: list[int] = []

        def stop() -> bool:
            asked.append(1)
            return len(asked) > 2  # two batches, then the worker is stopping

        assert app.rewrite_captions(batch=1, stop=stop) == 2 < indexed
        worker = app.indexer()
        worker.stop()  # a stopped worker's idle call rewrites nothing
        assert worker.stopping and app.rewrite_captions(batch=1, stop=lambda: worker.stopping) == 0


def test_the_running_app_rewrites_old_captions_with_nothing_to_index(
    shapes_library_db: tuple[Path, Path], trained_tiny: Path, tmp_path: Path
) -> None:
    """The #14 audit of stop 44: with the window open and no photo pending, `status` said 6 photos
    wait for captions by the new caption rule "(… the app when it is idle)", and after a minute they
    still did: the rewrite ran only when an indexing run ended with a batch."""
    db = tmp_path / "library.db"
    shutil.copy(shapes_library_db[0], db)
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE photos SET description_version = NULL")
    with Photoscope(db, trained_tiny) as app:
        assert app.photo_counts().pending == 0 and app.captions_to_rewrite() > 0
        worker = app.start_background(watch=False, catch_up=False)
        assert worker is not None
        deadline = time.monotonic() + 30
        while app.captions_to_rewrite() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert app.captions_to_rewrite() == 0


def test_the_index_command_rewrites_every_old_caption(
    shapes_library_db: tuple[Path, Path],
    trained_tiny: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """After an upgrade that changes the caption rule, `photoscope index` (a rescan) left the old
    captions as they were (the open-world library's kangaroo stayed "a brush kangaroo"): only the
    app's idle moments rewrote them, and a user of the command line never got the new captions."""
    db = tmp_path / "library.db"
    shutil.copy(shapes_library_db[0], db)
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE photos SET description_version = 'concepts-0'")
        conn.execute("UPDATE captions SET text = 'old caption'")
        indexed = conn.execute("SELECT count(*) FROM photos WHERE status = 'indexed'").fetchone()[0]
    assert main(["status", "--db", str(db)]) == 0  # said before: what an upgrade left to do
    assert f"captions: {indexed} photos wait for captions by the new caption rule" in capsys.readouterr().out
    assert main(["index", "--db", str(db), "--model", str(trained_tiny), "--quiet"]) == 0
    assert f"re-captioned {indexed} photos from their stored vectors" in capsys.readouterr().out
    assert main(["status", "--db", str(db)]) == 0
    assert "captions:" not in capsys.readouterr().out
    with Photoscope(db, trained_tiny) as app:
        records = app.photos_by_ids(app.library.photo_ids())
        assert records and all(r.caption != "old caption" for r in records)
        assert app.captions_to_rewrite() == 0


def test_a_head_that_sees_nothing_clearly_shows_no_tags() -> None:
    """The honest-results walk of stop 48: a cat "looked like" a papillon (9 %), a Chihuahua (7 %)
    and a Japanese spaniel (5 %). On the open-world dev set a tag under 10 % named a class the
    photo shows 1 time in 4 (``naming.SHOWN_FROM``): more often false than true."""
    cat = [
        ("Egyptian cat", 0.09),
        ("papillon", 0.09),
        ("Chihuahua", 0.07),
        ("tabby", 0.06),
        ("Japanese spaniel", 0.05),
    ]
    assert photo_concepts(_record(cat)) == []
    # ... nor the photo view, which fell back to the raw tags when none was clear (the fresh-seat
    # audit of stop 49: "Looks like: parachute (9 %), catamaran (6 %), bow (6 %), …")
    from photoscope.gui.photo_text import photo_fields

    assert photo_fields(_record(cat))["tags"] == "nothing clear"
    assert photo_fields(_record([]))["tags"] == "none"  # not indexed yet
    shown = photo_concepts(
        _record([("bell cote", 0.38), ("stupa", 0.13), ("palace", 0.12), ("church", 0.06)])
    )
    assert [word for word, _ in shown] == ["bell tower", "stupa", "palace"]


def test_classes_the_head_barely_gives_are_not_shown() -> None:
    """The #14 audit of stop 44: "Looks like: panpipe (22 %), sarong (10 %), Indian cobra (4 %),
    bikini (4 %)" of a man playing a didgeridoo: a tenth of the top class let 4 % through."""
    shown = photo_concepts(
        _record([("panpipe", 0.22), ("sarong", 0.10), ("Indian cobra", 0.04), ("bikini", 0.04)])
    )
    assert [word for word, _ in shown] == ["panpipe", "sarong"]


def test_a_damaged_photo_s_tooltip_says_so() -> None:
    """The fresh-seat GUI audit of stop 56: a photo cut short after it was indexed is found by search
    (the index keeps its description) and its tile said nothing of the damage, where `search` marks
    it "[file damaged]"."""
    from dataclasses import replace
    from types import SimpleNamespace

    from photoscope.gui.photo_text import tooltip

    record = replace(
        _record([]),
        status="error",
        error="truncated or corrupt image — image file is truncated: copy it again",
    )
    tip = tooltip(SimpleNamespace(photo=record, near_duplicate=False, strength=0.9))  # type: ignore[arg-type]
    assert "File damaged since it was indexed (cut short or emptied): copy it again" in tip, tip
    assert "damaged" not in tooltip(SimpleNamespace(photo=_record([]), near_duplicate=False, strength=0.9))  # type: ignore[arg-type]


@pytest.mark.parametrize("name", ["holiday \u202egpj.exe.jpg", "holiday line\nbreak.jpg", "tab\there.jpg"])
def test_a_file_name_s_control_and_bidi_characters_are_shown_escaped(name: str) -> None:
    """The GUI audit of stop 60: a name holding a right-to-left override mirrored the rest of the
    tooltip ("gpj.exe.jpg · hctam % 001": a name can show another extension than its own), and one
    holding a newline split it into a line that read as another field. The window shows such a name
    escaped, as the command line does (``\\u202e``, ``\\x0a``), in tooltips and the photo's fields."""
    from dataclasses import replace
    from types import SimpleNamespace

    from photoscope.gui.photo_text import photo_fields, record_tooltip, tooltip

    record = replace(_record([]), path=f"/p/Odd\u202eFolder/{name}")
    match = SimpleNamespace(photo=record, near_duplicate=False, strength=0.9)
    shown = [tooltip(match), record_tooltip(record), photo_fields(record)["path"]]  # type: ignore[arg-type]
    shown.append(tooltip(match, among_copies=True))  # type: ignore[arg-type]
    unsafe = "\u202e\n\t"
    for text in shown:
        name_line = next(line for line in text.split("\n") if "holiday" in line or "tab" in line)
        assert not set(name_line) & set(unsafe), repr(name_line)
        assert "\\u202e" in name_line or "\\x0a" in name_line or "\\x09" in name_line, repr(name_line)


def test_a_long_file_name_is_shortened_in_the_middle_in_tooltips_and_whole_in_the_fields() -> None:
    """The GUI audit of stop 60: a name of 180 characters made a tooltip 1,270 pixels wide, off a
    small screen. A tooltip keeps its start and its end; the photo view's path field has it whole."""
    from dataclasses import replace
    from types import SimpleNamespace

    from photoscope.gui.photo_text import photo_fields, record_tooltip, tooltip

    name = "Holiday in the mountains " + "very " * 30 + "long name 2019.jpg"
    record = replace(_record([]), path=f"/p/{name}")
    match = SimpleNamespace(photo=record, near_duplicate=False, strength=0.9)
    for tip in (tooltip(match), record_tooltip(record)):  # type: ignore[arg-type]
        line = tip.split("\n")[-1]
        assert line.startswith("Holiday in the mountains") and "long name 2019.jpg" in line and "…" in line
        assert len(line) < 110, line
    assert photo_fields(record)["path"].endswith(name)


def test_a_tile_s_tooltip_before_its_record_is_read_shows_the_name_escaped_and_short() -> None:
    """The audit of stop 60's changes (repro_2): a timeline tile's first tooltip, shown before its
    record was read, gave the raw name: a right-to-left override, a newline, 180 characters."""
    from types import SimpleNamespace

    from photoscope.gui.results_model import PhotoGridModel, ResultsModel, TimelineModel

    for name in ("evil\u202egpj.exe.jpg", "new\nline.jpg", "long " * 40 + "name.jpg"):
        grid = SimpleNamespace(match_of=lambda _: None, path_of=lambda _, n=name: f"/p/{n}")
        for model in (PhotoGridModel, ResultsModel, TimelineModel):
            tip = model.tooltip_of(grid, 0)  # type: ignore[arg-type]
            assert "\u202e" not in tip and "\n" not in tip and len(tip) < 80, (model.__name__, tip)


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("rule", "ruler"),  # WordNet's first lemma; a measuring tape "looked like rule (35 %)"
        ("bell cote", "bell tower"),  # shown for 9 of the fresh-seat library's buildings
        ("tusker", "elephant"),
        ("maillot", "swimsuit"),
        ("mouse", "computer mouse"),  # not the animal
        ("plane", "carpenter's plane"),  # not an aircraft
        # audit 78 of stop 62 (minor #2): a rarer synonym the kind rule picked, or a name a reader
        # does not use ("transverse flute", "smoothing iron", "CRT screen", "Lhasa" the city)
        ("flute", "flute"),
        ("iron", "clothes iron"),
        ("screen", "display screen"),
        ("accordion", "accordion"),
        ("bonnet", "bonnet"),
        ("jean", "jeans"),
        ("Lhasa", "Lhasa apso"),
        ("English springer", "English springer spaniel"),
        ("Leonberg", "Leonberger"),
        ("patas", "patas monkey"),
        ("African grey", "African grey parrot"),
        ("cock", "rooster"),
        ("confectionery", "candy store"),
        ("mortar", "mortar and pestle"),
        ("pick", "guitar pick"),
        ("bicycle-built-for-two", "tandem bicycle"),
        ("carpenter's kit", "tool kit"),
        ("cellular telephone", "mobile phone"),
        ("head cabbage", "cabbage"),
        ("hip", "rose hip"),  # no longer "hip"'s: the kind rule kept "hip"
        # the kind rule took a rarer synonym (fixed before this audit's report)
        ("letter opener", "letter opener"),  # was "paper knife"
        ("punching bag", "punching bag"),  # was "punching ball"
        ("assault rifle", "assault rifle"),  # was "assault gun"
        ("grocery store", "grocery store"),  # was "food market"
        ("oscilloscope", "oscilloscope"),  # was "cathode-ray oscilloscope"
        ("megalith", "megalith"),  # was "megalithic structure"
        ("prairie chicken", "prairie chicken"),  # was "prairie grouse"
    ],
)
def test_looks_like_names_the_class_in_the_everyday_word(stored: str, shown: str) -> None:
    """The fresh-seat audit 75 of stop 61 (#8): "Looks like" used WordNet's first lemma, which a
    reader does not know ("bell cote", "maillot") or takes for something else ("kite", "rule").
    Audit 78 of stop 62: the same for the lemma the namer took as the class's kind."""
    from photoscope.gui.photo_text import concepts_text

    assert [word for word, _ in photo_concepts(_record([(stored, 0.6)]))] == [shown]
    assert concepts_text(_record([(stored, 0.6)])).startswith(f"{shown} (60 %)")


def test_a_kite_is_shown_as_a_kite_bird_never_as_a_kite() -> None:
    """A harrier the head calls a kite (WordNet's hawk): "kite" alone reads as the toy. Its name is
    the word above it ("bird"): "kite" is no word for the class (audit 78 of stop 62)."""
    shown = [word for word, _ in photo_concepts(_record([("kite", 0.6)]))]
    assert "kite bird" in shown and "kite" not in shown


def test_an_everyday_name_that_is_no_wordnet_lemma_searches_for_its_class() -> None:
    """A name shown for a class is a word a user may then type: "bell tower" finds the bell cotes."""
    from photoscope.network.concepts import class_index, load_concepts

    concepts = load_concepts()
    for word, stored in [("bell tower", "bell cote"), ("weighing scale", "scale"), ("elephant", "tusker")]:
        assert class_index()[stored] in concepts.classes_for(word), word
    assert class_index()["Indian elephant"] in concepts.classes_for("elephant")


def test_a_name_chosen_by_hand_is_not_exchanged_for_another_lemma() -> None:
    """Audit 78 of stop 62 (#3): "sofa bed" was shown as "studio couch" and "washing machine" as
    "automatic washer": the rule that names a class by the lemma of its kind undid the choice."""
    from photoscope.network.concepts import class_index
    from photoscope.network.naming import bundle_namer

    namer = bundle_namer()
    for stored, shown in [
        ("studio couch", "sofa bed"),
        ("washer", "washing machine"),
        ("monarch", "monarch butterfly"),
    ]:
        assert namer._shown[class_index()[stored]] == shown, stored


def test_a_tile_s_spoken_words_say_its_caption_match_and_copy() -> None:
    """Audit 82 (repro_1): what a screen reader says of a tile (``spoken_tile``): the caption and how
    well it matches first, then the file; a copy as the "copy" badge shows it; a timeline's tile
    claims no match; a closest guess no strength."""
    from types import SimpleNamespace

    from photoscope.gui.photo_text import spoken_tile

    def match(near: bool = False, copy_of: int | None = None):  # type: ignore[no-untyped-def]
        tags = [("espresso", 0.8)]
        return SimpleNamespace(photo=_record(tags), near_duplicate=near, strength=0.86, copy_of=copy_of)

    name, description = spoken_tile(match())
    assert name == "a cup of coffee, 86 % match"
    assert description == "espresso.jpg. Looks like: espresso (80 %)"
    assert spoken_tile(match(near=True))[0] == "a cup of coffee, 86 % match, a copy of the query photo"
    named = spoken_tile(match(copy_of=7), copy_of="cup.jpg", copy=True)[0]
    assert named == "a cup of coffee, 86 % match, a copy of cup.jpg, listed before it"
    assert spoken_tile(match(copy_of=7), copy=True)[0].endswith(", a copy")
    assert spoken_tile(match(), guess=True)[0] == "a cup of coffee, a closest guess"
    browsed = spoken_tile(match(), browsing=True)
    assert browsed[0] == "a cup of coffee" and browsed[1].startswith("espresso.jpg, file dated ")
