"""The window's query state without Qt: "Find similar" and Back, and which answer the grid shows."""

from __future__ import annotations

from photoscope.gui.query_state import LeftQuery, QueryState

BEACH = LeftQuery("a dog on the beach", None, (), "“a dog on the beach”")


def test_find_similar_keeps_the_query_for_back_once() -> None:
    state = QueryState()
    state.find_similar(7, "/p/dog.jpg", BEACH)
    assert state.similar == (7, "/p/dog.jpg") and state.can_go_back()
    assert state.back_text() == "“a dog on the beach”"
    # "Find similar" again from its results: Back still returns to the text, not to the first photo
    state.find_similar(9, "/p/cat.jpg", LeftQuery("", "/p/dog.jpg", (), "photos like dog.jpg"))
    assert state.similar == (9, "/p/cat.jpg")
    assert state.go_back() == BEACH
    assert state.similar is None and not state.can_go_back() and state.go_back() is None


def test_back_lands_on_the_photo_find_similar_started_from() -> None:
    state = QueryState()
    state.find_similar(7, "/p/dog.jpg", BEACH)
    state.find_similar(9, "/p/cat.jpg", None)  # and again from its results
    assert state.landing() is None  # nothing to land on before Back
    assert state.go_back() == BEACH
    assert state.landing() == 7  # the text query's results show the photo the user left them from
    assert state.landing() == 7  # ... a refresh replacing it before it answers too (stop 48's review)
    state.landed()  # an answer shown: once
    assert state.landing() is None
    state.find_similar(9, "/p/cat.jpg", BEACH, more_shown=True)
    assert state.go_back() == BEACH and state.more_wanted()
    state.forget()  # a new query typed meanwhile lands nowhere, opens nothing
    assert state.landing() is None and not state.more_wanted()


def test_find_similar_from_no_query_has_nothing_to_go_back_to() -> None:
    state = QueryState()
    state.find_similar(7, "/p/dog.jpg", None)  # from the timeline
    assert not state.can_go_back()
    state.photo_changed("/p/dog.jpg")  # the same photo: still the similar query
    assert state.similar == (7, "/p/dog.jpg")
    state.photo_changed("/p/other.jpg")  # another photo dropped: no longer "similar to 7"
    assert state.similar is None
    state.find_similar(7, "/p/dog.jpg", LeftQuery("snow", None, (), "“snow”"))
    state.forget()  # a new query
    assert state.similar is None and not state.can_go_back()


def test_only_the_latest_query_s_answers_show() -> None:
    state = QueryState()
    first = state.start()
    state.first_answer_shown(first, quick=True)
    assert state.first_answer == "quick"
    second = state.start()  # typed on before the network answered
    assert not state.is_latest(first) and state.is_latest(second)
    assert not state.answered(second)  # the grid's first answer was the earlier query's
    assert state.first_answer is None
    state.first_answer_shown(second, quick=False)
    assert state.first_answer == "captions"
    assert state.answered(second)  # replaces its own first answer: the selection is kept
    state.first_answer_shown(state.start(), quick=True)
    state.cleared()  # the search failed
    assert state.first_answer is None


def test_a_refresh_is_quiet_only_over_the_answer_to_the_query_asked() -> None:
    """Stop 49's intermittent failure: a refresh (a photo found gone) while a new query waited for
    its answer kept the grid on show's "Show more" opened in the new query's grid."""
    state = QueryState()
    assert not state.refreshes_answer_on_show()  # nothing on show
    first = state.start()
    state.answered(first)
    assert state.refreshes_answer_on_show()  # the query asked answered: a refresh keeps what it shows
    again = state.start(refresh=True)
    assert state.refreshes_answer_on_show()
    state.answered(again)
    state.start()  # a new query asked: the grid still shows the earlier one's answer
    assert not state.refreshes_answer_on_show()
    state.cleared()
    assert not state.refreshes_answer_on_show()
