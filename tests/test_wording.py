"""What the window says when a query finds nothing: the likeliest reason, with what to do next."""

from __future__ import annotations

from dataclasses import replace

from photoscope.api import EmptyAnswer, PhotoCounts, Results, WhyNothing, still_waiting, why_nothing
from photoscope.gui.wording import nothing_found, results_message

SEARCHED = EmptyAnswer(PhotoCounts(indexed=10))  # photos were searched, and none matched


def test_words_the_model_does_not_know_are_why_only_when_nothing_else_is() -> None:
    """The review of stop 43: "red blorf" under dates that hold no photo said none of its words is
    known, and so did a library with no photo yet: any unknown word hid the library's reason."""
    unknown = replace(SEARCHED, unknown_words=True)
    assert why_nothing(unknown) is WhyNothing.UNKNOWN_WORDS
    assert nothing_found(WhyNothing.UNKNOWN_WORDS) == (
        "No photos found",
        "Photoscope knows none of the words that say what to find.",
    )  # the GUI walk of stop 47: "a dgo runing on the gras" had "None of these words": "a" and "on" are
    assert why_nothing(replace(unknown, filtered=True)) is WhyNothing.FILTERED
    assert why_nothing(replace(unknown, counts=PhotoCounts(pending=10))) is WhyNothing.WAITING
    assert why_nothing(replace(unknown, counts=PhotoCounts(), has_folders=False)) is WhyNothing.NO_FOLDERS
    # a known concept word no photo shows clearly was searched: the unknown one is not why
    assert why_nothing(replace(unknown, unsure=("espresso",))) is WhyNothing.UNSEEN


def test_numbers_alone_that_no_name_holds_are_why() -> None:
    """The honest-results walk of stop 48: "2019" found nothing, and nothing said that a number is
    looked for in the photos' names alone, nor how to find the photos taken in a year."""
    numbers = replace(SEARCHED, numbers_only=True)
    assert why_nothing(numbers) is WhyNothing.NUMBERS
    assert why_nothing(replace(numbers, filtered=True)) is WhyNothing.FILTERED
    title, detail = nothing_found(WhyNothing.NUMBERS)
    assert title == "No photos found" and "no file or folder name holds it" in detail.lower()
    assert "dates" in detail


def test_what_cancels_out_comes_before_all() -> None:
    answer = EmptyAnswer(PhotoCounts(), cancelled=True, unknown_words=True, filtered=True)
    assert why_nothing(answer) is WhyNothing.CANCELLED
    assert nothing_found(WhyNothing.CANCELLED, waiting=True)[0] == "Nothing left to search for"


def test_the_library_comes_before_the_query() -> None:
    assert why_nothing(EmptyAnswer(PhotoCounts(), has_folders=False)) is WhyNothing.NO_FOLDERS
    assert why_nothing(EmptyAnswer(PhotoCounts())) is WhyNothing.NO_PHOTOS
    assert why_nothing(EmptyAnswer(PhotoCounts(), indexing=True)) is WhyNothing.WAITING  # still counting
    assert why_nothing(EmptyAnswer(PhotoCounts(pending=4), filtered=True)) is WhyNothing.WAITING
    assert why_nothing(EmptyAnswer(PhotoCounts(error=3), filtered=True)) is WhyNothing.NONE_INDEXED
    other = EmptyAnswer(PhotoCounts(indexed=5, pending=5), other_model=5)
    assert why_nothing(other) is WhyNothing.OTHER_MODEL and still_waiting(other) == 0
    # audit 98 (repro_3): they wait for their offline folder, not for `photoscope index`
    away = EmptyAnswer(PhotoCounts(pending=4), waiting_offline=4)
    assert why_nothing(away) is WhyNothing.WAITING_OFFLINE
    assert "plug its drive in" in nothing_found(WhyNothing.WAITING_OFFLINE)[1]
    assert why_nothing(replace(away, waiting_offline=3)) is WhyNothing.WAITING  # one may be indexed


def test_photos_that_were_searched_did_not_match_for_the_filters_or_the_network() -> None:
    assert why_nothing(replace(SEARCHED, filtered=True, unsure=("espresso",))) is WhyNothing.FILTERED
    assert why_nothing(replace(SEARCHED, unsure=("espresso",))) is WhyNothing.UNSEEN
    assert why_nothing(SEARCHED) is WhyNothing.NO_MATCH
    more = replace(SEARCHED, counts=PhotoCounts(indexed=10, pending=7))
    assert why_nothing(more) is WhyNothing.NO_MATCH and still_waiting(more) == 7
    # not counted yet (a window just opened): only what the query asked is said
    assert why_nothing(EmptyAnswer(None)) is WhyNothing.NO_MATCH
    assert why_nothing(EmptyAnswer(None, filtered=True)) is WhyNothing.FILTERED


def test_each_reason_says_what_to_do() -> None:
    assert nothing_found(WhyNothing.NO_FOLDERS) == ("No folders yet", "Add a folder of photos to search it.")
    assert nothing_found(WhyNothing.WAITING)[1] == "Photos show up here as they are indexed."
    assert nothing_found(WhyNothing.FILTERED)[1] == "Try another folder or date range."
    assert nothing_found(WhyNothing.NO_MATCH) == ("No photos found", "Try describing it in other words.")
    assert nothing_found(WhyNothing.NONE_INDEXED)[0] == "No photo could be indexed"
    # more photos to come may match: that comes before the filters and the network's sight
    assert nothing_found(WhyNothing.FILTERED, waiting=True)[0] == "Nothing found yet"
    assert nothing_found(WhyNothing.NO_FOLDERS, waiting=True)[0] == "No folders yet"


def test_a_failed_search_names_the_photo_and_says_what_is_wrong(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Audit: a text file named fake.jpg as the query's photo said "cannot identify image file …"
    (the image library's words), a missing one "[Errno 2] No such file or directory: …"."""
    from PIL import Image, UnidentifiedImageError

    from photoscope.api import describe_failure as search_failure

    fake = tmp_path / "fake.jpg"
    fake.write_text("not a photo")
    try:
        Image.open(fake)
    except UnidentifiedImageError as error:
        said = search_failure(error)
    assert said == (
        f"{fake}: not an image, or an image format Photoscope cannot read:"
        " open it in an image viewer to see what it is"
    )
    try:
        (tmp_path / "gone.jpg").read_bytes()
    except FileNotFoundError as error:
        said = search_failure(error)
    assert said == f"{tmp_path / 'gone.jpg'}: no such file (moved, deleted, or on a drive not connected)"


def test_closest_guesses_are_not_called_likely_matches() -> None:
    """Audit: "a banana" in a library without one showed "3 likely matches" (a roller coaster)."""
    from types import SimpleNamespace

    from photoscope.api import Results
    from photoscope.gui.wording import results_count, results_message

    matches = [SimpleNamespace() for _ in range(8)]
    sure = Results(matches, [], relevant=3)  # type: ignore[arg-type]
    assert results_count(sure) == "3 likely matches" and results_message(sure) == ""
    unsure = replace(sure, unsure=("banana",))
    assert results_count(unsure) == "3 closest guesses"
    assert (
        results_message(unsure)
        == "Photoscope cannot clearly see “banana” in any photo: these are its closest guesses."
    )


def test_an_answer_says_the_photos_not_searched_yet_and_claims_nothing_of_them() -> None:
    """Audit 81 #1: searched while 9 photos waited to be indexed, the window said "Photoscope cannot
    clearly see “dog” in any photo: these are its closest guesses", and nothing of the 9 (the dog's
    photo among them); the command line said "note: 9 photos not searched yet: waiting to be
    indexed". The same words now, and "any photo" only of those searched."""
    from types import SimpleNamespace

    from photoscope.api import Results
    from photoscope.gui.wording import results_message

    listed = [SimpleNamespace(near_duplicate=False) for _ in range(3)]
    unsure = Results(listed, [], relevant=3, unsure=("dog",), waiting=9)  # type: ignore[arg-type]
    assert results_message(unsure) == (
        "Photoscope cannot clearly see “dog” in any photo indexed so far: these are its closest"
        " guesses. 9 photos not searched yet: waiting to be indexed."
    )
    none_likely = Results(listed, [], relevant=0, waiting=1)  # type: ignore[arg-type]
    assert results_message(none_likely) == (
        "None of these is clearly a match: they are the closest found. 1 photo not searched yet:"
        " waiting to be indexed."
    )
    unlike = Results(listed, [], relevant=0, no_look_alike=True, waiting=2)  # type: ignore[arg-type]
    assert results_message(unlike).startswith("Photoscope sees no photo indexed so far that clearly looks")
    assert results_message(Results(listed, [], relevant=3, waiting=2)) == (  # type: ignore[arg-type]
        "2 photos not searched yet: waiting to be indexed."
    )
    assert "so far" not in results_message(replace(unsure, waiting=0))


def test_a_filter_that_leaves_no_likely_match_says_so() -> None:
    """A folder of blue squares searched for "a circle" lists its squares, and says that none is a
    likely match (``Results.relevant`` 0: none is likely in the whole library)."""
    from types import SimpleNamespace

    from photoscope.api import Results
    from photoscope.gui.wording import results_count, results_message

    none = Results([SimpleNamespace() for _ in range(3)], [], relevant=0)  # type: ignore[arg-type]
    # the fresh-seat audit of stop 53: "317 photos for “a cat”" read as 317 matches
    assert results_count(none) == "3 closest guesses"
    assert results_message(none) == "None of these is clearly a match: they are the closest found."
    assert results_message(Results([], [], relevant=0)) == ""


def test_photos_added_by_a_change_are_not_said_to_come_back_unless_they_do() -> None:
    """Audit: turning on hidden folders said "3 photos came back into the index": they had never
    been in it, and wait to be indexed."""
    from photoscope.api import ScanReport
    from photoscope.gui.wording import change_note

    assert change_note(ScanReport(added=[1, 2, 3], restored=3)) == "3 photos came back into the index."
    assert change_note(ScanReport(added=[1, 2, 3])) == "3 photos joined the index: they wait to be indexed."
    assert change_note(ScanReport(added=[1, 2, 3], restored=1)) == (
        "3 photos came back into the index (2 wait to be indexed again)."
    )


def test_photos_listed_by_their_names_are_said_to_be_in_the_window() -> None:
    """The GUI audit: "paris" listed its folder's photos with no word that the name matched."""
    results = Results([], [], by_name=20)
    assert results_message(results) == "The first 20 are listed by their folder or file names."
    assert results_message(Results([], [], by_name=1)) == "The first is listed by its folder or file name."


def test_a_concept_no_photo_shows_is_said_when_nothing_is_listed_in_the_window() -> None:
    assert results_message(Results([], [], unsure=("espresso",))) == (
        "Photoscope cannot clearly see “espresso” in any photo."
    )


def test_what_a_description_left_out_is_said() -> None:
    """The honest-results walk: "a dog without a ball" ranked a dog with a ball first; now it is
    searched as "a dog" - "ball", and the note says so."""
    said = results_message(Results([], [], taken_away=("ball",)))
    assert said == "Searched as taking “ball” away: photos that show it go down."
    two = results_message(Results([], [], taken_away=("ball", "people")))
    assert "“ball” and “people”" in two and "show them" in two


def test_unknown_words_nothing_is_offered_for_are_said_in_one_clause() -> None:
    """The GUI walk of stop 42: "qwzx blorf vrrrmp" said "the model does not know" three times."""
    from photoscope.api import UnknownWord
    from photoscope.gui.wording import unknown_words_message

    unknown = [UnknownWord("qwzx", ()), UnknownWord("cirle", ("circle",)), UnknownWord("blorf", ())]
    unknown += [UnknownWord("vrrrmp", ()), UnknownWord("cathedral", (), searched_as="church")]
    assert unknown_words_message(unknown) == (
        "Photoscope does not know “qwzx”, “blorf” or “vrrrmp”. Photoscope does not know “cirle” — did you"
        " mean “circle”? Photoscope does not know “cathedral” — searched by the nearest concept it knows,"
        " “church”"
    )
    assert unknown_words_message(unknown[:1]) == "Photoscope does not know “qwzx”"


def test_a_real_word_the_model_does_not_know_is_offered_no_spelling() -> None:
    """The GUI walk of stop 42: "oak" was offered "jak", "oar" and "yak"; a misspelling still is, and
    so is a real word one slip from a word the captions use often ("tress": "trees"; the review of
    stop 42 found such typos left with nothing)."""
    from photoscope.network.lexicon import FREQUENT_SLIPS, Speller, is_english_word

    common = ["dog", "dogs", "running", "circle", "trees", "beach", "two"]
    filler = [f"filler{'x' * (i % 7)}{i}" for i in range(FREQUENT_SLIPS)]  # rarer words in between
    speller = Speller([*common, *filler, "oar", "yak", "jak"])
    assert speller.suggest("oak") == () and speller.suggest("oaks") == ()
    assert speller.suggest("dgo") == ("dog",) and speller.suggest("runing") == ("running",)
    assert speller.suggest("cirle") == ("circle",)
    assert speller.suggest("tress") == ("trees",) and speller.suggest("beachs") == ("beach",)
    assert speller.suggest("wto") == ("two",)  # "WTO" is a name, not a word
    assert all(is_english_word(w) for w in ("oak", "oaks", "geese", "churches", "espresso", "tress"))
    assert not any(is_english_word(w) for w in ("dgo", "runing", "bycicle", "qwzx", "poeple", "wto"))
    assert not any(is_english_word(w) for w in ("fo", "si", "dgs"))  # two letters: slips, not words


def test_a_place_name_is_offered_only_a_common_word() -> None:
    """Stop 42's walk: "paris" was offered "pairs", a rare caption word one swap away. A place's name
    (WordNet's places of four letters or more) is a word, not a misspelling; a slip of a word the
    captions use often is still offered ("bali": "ball")."""
    from photoscope.network.lexicon import FREQUENT_SLIPS, Speller, is_english_word

    filler = [f"filler{'x' * (i % 7)}{i}" for i in range(FREQUENT_SLIPS)]
    speller = Speller(["ball", "home", *filler, "pairs", "dome"])
    assert speller.suggest("paris") == () and speller.suggest("rome") == ("home",)
    assert speller.suggest("bali") == ("ball",)
    assert all(is_english_word(w) for w in ("paris", "london", "tokyo", "venice", "kenya"))
    assert not is_english_word("wto") and not is_english_word("ohio's")


def test_the_command_line_counts_one_as_one() -> None:
    """The CLI walk of stop 42: "1 errors", "could not index 1 photos", "1 photo found: it waits to
    be indexed (`photoscope index` indexes them now …)"."""
    from photoscope.api import PhotoCounts, ScanReport
    from photoscope.commands.exclude import came_back
    from photoscope.commands.index import _counts_line

    assert _counts_line(PhotoCounts(indexed=3, pending=0, error=1)) == "3 indexed, 0 pending, 1 error"
    report = ScanReport(added=[7])
    said = came_back(report, "found")
    assert said.startswith("1 photo found: it waits to be indexed (`photoscope index` indexes it now")
    # audit 100's notes: "4 photos back: it waits to be indexed", where 3 were written back indexed
    said = came_back(ScanReport(added=[1, 2, 3, 4], restored=3))
    assert said.startswith("4 photos back: 1 of them waits to be indexed (`photoscope index` indexes"), said
    said = came_back(ScanReport(added=[1, 2, 3, 4], restored=1))
    assert said.startswith("4 photos back: 3 of them wait to be indexed (`photoscope index`"), said


def test_the_unknown_words_end_their_sentence_before_the_next_note() -> None:
    """The #17 audit of stop 44: 'The model does not know “dogsnow” The photo counts as what it
    shows: …' ran two sentences together."""
    from photoscope.api import UnknownWord

    results = Results([], [UnknownWord("dogsnow", ())], photo_words=(("cat", "grass"),))
    said = results_message(results)
    assert said.startswith("Photoscope does not know “dogsnow”. The photo counts as"), said
    alone = Results([], [UnknownWord("dogsnow", ())])
    # ... and alone too, as the window's other notes end (the fresh-seat audit of stop 49)
    assert results_message(alone) == "Photoscope does not know “dogsnow”."


def test_photos_another_model_described_are_the_reason_when_the_rest_match_nothing() -> None:
    """The review of stop 46: 999 of 1,000 photos left for the new network to describe again
    ("Later"), and a query that matched none of the one searched said "other words"."""
    partly = EmptyAnswer(PhotoCounts(indexed=1000), other_model=999)
    assert why_nothing(partly) is WhyNothing.OTHER_MODEL
    filtered = replace(partly, filtered=True)  # a reason of the query's own still comes first
    assert why_nothing(filtered) is WhyNothing.FILTERED


def test_two_photos_named_are_both_not_all_2() -> None:
    """The fresh-seat audit of stop 52: "all 2 are listed by their folder or file names"."""
    from photoscope.wording import by_name_note

    assert by_name_note(2, 2) == "both are listed by their folder or file names"
    assert by_name_note(3, 3) == "all 3 are listed by their folder or file names"
    assert by_name_note(1, 1) == "it is listed by its folder or file name"


def test_a_group_of_copies_header_breaks_after_its_label() -> None:
    """The fresh-seat audit of stop 52: Find copies' headers read "Group / 1: 4 copies of one photo"."""
    from photoscope.api.types import copies_label
    from photoscope.gui.results_view import header_lines

    assert header_lines(copies_label(1, 4)) == "Group 1:\n4 copies of one photo"
    assert header_lines("December 2026") == "December\n2026"


def test_photos_nothing_looks_like_are_named_in_one_list() -> None:
    """The GUI audit of stop 58: with several photo chips the note read "…does not clearly look like
    the first photo or like the third photo or like the fourth photo or like the fifth photo…"."""
    from types import SimpleNamespace

    from photoscope.wording import no_look_alike_note

    unlike = (True, False, True, True, True)
    listed = [SimpleNamespace(near_duplicate=False)]
    results = Results(listed, [], no_look_alike=True, photo_unlike=unlike)  # type: ignore[arg-type]
    said = results_message(results)
    assert "looks like the first, third, fourth or fifth photo: these are" in said, said
    # The fresh-seat audit of stop 59: "no photo that clearly looks like bee.jpg" above its copy,
    # listed first: a copy is not counted among the photos that look like it (the audit of stop 52)
    assert no_look_alike_note(["a.jpg", "b.jpg", "c.jpg"], copies=True).startswith(
        "Photoscope sees no photo besides copies that clearly looks like a.jpg, b.jpg or c.jpg:"
    )
    assert "looks like a.jpg:" in no_look_alike_note(["a.jpg", "a.jpg"])
    # audit 80: "besides copies" where the library holds none of the photos' copies
    assert no_look_alike_note(["a.jpg"]).startswith("Photoscope sees no photo that clearly looks like a.jpg:")


def test_the_window_counts_and_names_one_likely_photo_as_one() -> None:
    """Audit 78 (minor 5): "a horse" read "1 likely match" and "The first is listed by its folder or
    file name" ("the first" of the one counted); "a weighing scale", its one photo likely, read "1
    photo" where the CLI said "it is a likely match". The note counts within what the label counts."""
    from typing import Any

    from photoscope.gui.wording import results_count

    five: list[Any] = [object()] * 5  # the wording reads how many there are, not what
    horse = Results(five, [], relevant=1, by_name=1)  # weaker ones wait behind "Show more"
    assert (results_count(horse), results_message(horse)) == (
        "1 likely match",
        "It is listed by its folder or file name.",
    )
    scale = Results(five[:1], [], relevant=1, by_name=1)
    assert (results_count(scale), results_message(scale)) == (
        "1 likely match",
        "It is listed by its folder or file name.",
    )
    both = Results(five[:2], [], relevant=2, by_name=1)  # all likely, as the CLI's "both are likely"
    assert results_count(both) == "2 likely matches"
    assert results_message(both) == "The first is listed by its folder or file name."
    # more named than counted likely: the note speaks of what is on show, the likely one (audit 85's
    # notes: "All 3 are listed by their folder or file names" under "1 likely match" and one tile,
    # the other two behind Show more)
    named = Results(five, [], relevant=1, by_name=2)
    assert results_count(named) == "1 likely match"
    assert results_message(named) == "It is listed by its folder or file name."
    assert results_count(Results(five, [], relevant=0)) == "5 closest guesses"  # none likely: as before


def test_photos_waiting_to_be_indexed_are_not_called_none() -> None:
    """Audit 83's fix helper heard "No photos yet. Your folders hold no photos yet: add a folder
    that has some. 61 photos not searched yet": the library was read as holding none a moment
    before its scan counted the photos that the answer's note then counted."""
    stale = EmptyAnswer(PhotoCounts(), waiting=61)  # the window's count, read before the scan's
    assert why_nothing(stale) is WhyNothing.WAITING
    assert nothing_found(why_nothing(stale)) == (
        "Nothing found yet",
        "Photos show up here as they are indexed.",
    )
    assert why_nothing(EmptyAnswer(PhotoCounts())) is WhyNothing.NO_PHOTOS
    assert nothing_found(WhyNothing.NO_PHOTOS)[0] == "No photos yet"


def test_a_query_of_no_words_asks_nothing_in_the_window_as_on_the_command_line() -> None:
    """Audit 85's notes: "🐶" and "!!!" made the window say "No photos found: Try describing it in
    other words", as if photos had been searched; the command line said the query holds no words,
    and the window says of "a" that there is nothing to search for."""
    from photoscope.api import asks_nothing

    for text in ("🐶", "!!!", "a"):
        assert asks_nothing(text, other_terms=False), text
        answer = EmptyAnswer(PhotoCounts(indexed=5), says_nothing=asks_nothing(text, other_terms=False))
        assert nothing_found(why_nothing(answer))[0] == "Nothing to search for", text
    assert not asks_nothing("🐶", other_terms=True)  # beside a photo or a chip: the others ask
    assert not asks_nothing("a dog", other_terms=False)


def test_the_count_s_words_are_explained() -> None:
    """Audit 90's notes: nothing in the window said what "likely matches", "closest guesses" or the
    weaker ones behind Show more mean; a newcomer needed the README."""
    from typing import Any

    from photoscope.gui.wording import results_count_tip

    five: list[Any] = [object()] * 5  # the wording reads how many there are, not what
    likely = results_count_tip(Results(five, [], relevant=2))
    assert (
        likely.startswith("2 likely matches: photos Photoscope is fairly sure show ")
        and "Show more" in likely
    )
    one = results_count_tip(Results(five, [], relevant=1))  # audit 91's notes: "photos … show" of one
    assert one.startswith("1 likely match: a photo Photoscope is fairly sure shows what you asked")
    guesses = results_count_tip(Results(five, [], unsure=("espresso",)))
    assert guesses.startswith("5 closest guesses: ") and "cannot clearly see" in guesses
    none = results_count_tip(Results(five, [], relevant=0))  # none likely: guesses too
    assert none.startswith("5 closest guesses: ")


def test_the_window_s_exclude_question_names_the_window_s_forget_not_a_command() -> None:
    """Audit 97 (note): the window's "Exclude photos" question told the user to run `photoscope
    folders exclude --forget`, with the rule's Forget its photos button in the same dialog."""
    from photoscope.gui.wording import exclusion_question

    asked = exclusion_question(3, 3)
    assert "Forget its photos" in asked and "photoscope" not in asked


def test_check_and_repair_says_what_is_in_the_way_of_the_library_s_files(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Audit 98's notes: the window's Check and repair said "The library is in order" with a folder
    where the search's vectors file goes, and with a backup it could not write; `doctor` says both."""
    from photoscope.api import DoctorReport
    from photoscope.gui.wording import describe_repair

    report = DoctorReport(tmp_path / "library.db", vectors_blocked=tmp_path / "library.db.vectors")
    said = describe_repair(report)
    assert "move it away" in said and str(tmp_path / "library.db.vectors") in said, said
    said = describe_repair(DoctorReport(tmp_path / "library.db", backup_unwritten="is a directory"))
    assert "backup cannot be written (is a directory)" in said, said


def test_the_window_says_a_chip_at_next_to_no_weight_counts_for_nothing() -> None:
    """Audit 100 (repro_1): a term under a hundredth of the heaviest counts for nothing, as at 0;
    the window's notes say it as the command line does."""
    from types import SimpleNamespace

    said = results_message(Results([SimpleNamespace()], [], relevant=1, next_to_nothing=("“snow”",)))  # type: ignore[list-item]
    assert "“snow” weighs next to nothing beside the other terms: it counts for nothing." in said, said
