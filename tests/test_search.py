from __future__ import annotations

from pathlib import Path

import pytest
import torch

from photoscope.library.photos import load_photo
from photoscope.network.decoding import caption_log_prob, pad_batch
from photoscope.network.inversion import InversionOptions, invert
from photoscope.network.model import PhotoscopeModel
from photoscope.search.ranking import SearchEngine, TextSearchOptions
from photoscope.search.vectors import VectorStore
from photoscope.search.words import UnknownWordError, WordSpace


@pytest.fixture(scope="module")
def shapes_library(trained_tiny: Path, shapes_dataset: Path) -> tuple[SearchEngine, list[str]]:
    """The generated shapes as a library, embedded by the really trained tiny network."""
    model = PhotoscopeModel(trained_tiny)
    names = sorted(p.name for p in (shapes_dataset / "images").iterdir())
    embeddings = model.embed([load_photo(shapes_dataset / "images" / n) for n in names])
    store = VectorStore(model.bundle.network.config.latent_dim)
    store.upsert(
        range(len(names)),
        torch.stack([e.latent for e in embeddings]),
        torch.stack([e.feature for e in embeddings]),
    )
    return SearchEngine(model, store), names


def test_inversion_lowers_the_loss_and_finds_the_photo_latent(shapes_library) -> None:
    engine, names = shapes_library
    net, vocab = engine.model.bundle.network, engine.model.bundle.vocab
    target_row = names.index("blue_square_3.jpg")
    text = "a blue square"
    targets, lengths = pad_batch([vocab.encode(text)], vocab.pad)
    start = engine.store.vectors("latent").mean(0, keepdim=True)
    after = invert(
        net, start, targets, lengths, vocab.start, InversionOptions(steps=60, lr=0.1, prior_weight=0)
    )
    with torch.inference_mode():
        loss_at = [
            -float(caption_log_prob(net, z, targets, lengths, vocab.start)[0]) for z in (start, after.latents)
        ]
    assert loss_at[1] < 0.7 * loss_at[0]
    # The recovered latent is closer to the photo's than where it started.
    photo = engine.store.vectors("latent")[target_row]
    cos = torch.nn.functional.cosine_similarity
    assert cos(after.latents[0], photo, dim=0) > cos(start[0], photo, dim=0)


@pytest.mark.parametrize("method", ["plain", "encoder", "shipped"])
def test_text_search_ranks_the_described_photos_first(shapes_library, method: str) -> None:
    engine, names = shapes_library
    for colour, shape in [("red", "circle"), ("yellow", "square"), ("green", "square")]:
        result = engine.search_text(f"a {colour} {shape}", k=3, options=TextSearchOptions(method=method))
        top = [names[h.photo_id] for h in result.hits]
        assert all(n.startswith(f"{colour}_{shape}") for n in top), (method, colour, shape, top)


def test_unknown_words_are_reported_with_suggestions(shapes_library) -> None:
    engine, _ = shapes_library
    # "zebras" would be known since the ImageNet concepts (#14): a word nobody knows is made up
    result = engine.search_text("a blu sqare circle on blorptastic", k=5)
    unknown = {u.word: u.suggestions for u in result.unknown_words}
    assert set(unknown) == {"blu", "sqare", "blorptastic"}
    assert "square" in unknown["sqare"] and "blue" in unknown["blu"]
    assert result.hits  # the known words still search


def test_whose_photo_it_is_is_no_unknown_word(shapes_library) -> None:
    """The honest-results walk: "a picture of my cat" said the model does not know "my"."""
    engine, _ = shapes_library
    result = engine.search_text("my red square and our blue circle", k=5)
    assert result.unknown_words == [] and result.hits


def test_a_query_of_only_unknown_words_finds_nothing(shapes_library) -> None:
    engine, _ = shapes_library
    result = engine.search_text("blorptastic", k=5)
    assert result.hits == [] and result.unknown_words[0].word == "blorptastic"


def test_unknown_words_as_many_as_the_known_ones_are_left_out_of_what_the_network_reads(
    shapes_library,
) -> None:
    """The audit of stop 39: "dog rexie bolly" listed a windmill first ("<unk> <unk>" outweighed
    "dog"); one unknown word among several known ones is read as the decoder's "<unk>"."""
    from photoscope.search.path_words import tokens
    from photoscope.search.quick import without_words
    from photoscope.search.ranking import TextRanker

    engine, _ = shapes_library
    ranker, options = TextRanker(engine.model, engine.store), TextSearchOptions()
    alone, names = ranker.scores(["red circle", "red circle zqxv wvkq"], options)
    assert torch.equal(alone, names)
    one, without = ranker.scores(["a red circle on zqxv", "a red circle on"], options)
    assert not torch.equal(one, without)  # one unknown word among three is read as "<unk>"
    assert tokens(without_words("A red, Circle zqxv-wvkq!", ["zqxv", "wvkq"])) == ["a", "red", "circle"]
    assert tokens(without_words("dog-rexie bolly", ["rexie", "bolly"])) == ["dog"]  # the review


def test_search_by_example_finds_the_same_kind_and_flags_copies(shapes_library) -> None:
    engine, names = shapes_library
    row = names.index("green_circle_2.jpg")
    result = engine.search_similar_to(row, k=4)
    assert row not in [h.photo_id for h in result.hits]
    assert all(names[h.photo_id].startswith("green_circle") for h in result.hits[:3])
    copy = engine.store.vector_of(row, "feature")
    dup = engine.search_vector(copy, k=2)
    assert dup.hits[0].photo_id == row and row in dup.near_duplicates


def test_similar_words_and_analogies_from_embeddings(tiny_model_dir: Path) -> None:
    model = PhotoscopeModel(tiny_model_dir)
    bundle = model.bundle
    net, vocab = bundle.network, bundle.vocab
    words = ["a", "dog", "runs", "red", "square", "two", "dogs", "play"]
    bundle.vocab = type(vocab)(vocab.words, tuple(0 if w not in words else 50 for w in vocab.words))
    emb = torch.zeros_like(net.out.weight)  # the decoder's output word vectors
    axes = {
        "dog": [1, 0, 0],
        "dogs": [1, 1, 0],
        "runs": [0, 0, 1],
        "play": [0, 1, 1],
        "square": [0.2, -1, 0.5],
        "red": [0.3, -1, 0.5],
        "two": [0, 1, -0.2],
    }
    for word, vec in axes.items():
        emb[vocab.index(word), :3] = torch.tensor(vec)
    emb[vocab.index("a"), 5] = 1.0
    with torch.no_grad():
        net.out.weight.copy_(emb)
    space = WordSpace(model, min_count=20)
    assert space.similar("square", 1)[0].word == "red"
    # dog : dogs :: runs : ?  ->  dogs - dog + runs = play
    assert space.analogy("dog", "dogs", "runs", 1)[0].word == "play"
    with pytest.raises(UnknownWordError, match="did you mean"):
        space.similar("squar")
    bundle.vocab = type(vocab)(vocab.words, tuple(5 for _ in vocab.words))
    rare = WordSpace(model, min_count=20)
    with pytest.raises(UnknownWordError):
        rare.similar("dog")


def test_inversion_adam_is_torch_adam() -> None:
    """The inversion's own Adam (it avoids importing TorchDynamo) takes torch.optim.Adam's steps."""
    from photoscope.network.inversion import _Adam

    target = torch.randn(4, 8, generator=torch.Generator().manual_seed(0))
    theirs = torch.zeros(4, 8, requires_grad=True)
    optimizer = torch.optim.Adam([theirs], lr=0.05)
    ours = torch.zeros(4, 8)
    adam = _Adam(ours, lr=0.05)
    for _ in range(10):
        optimizer.zero_grad()
        (theirs - target).pow(2).sum().backward()
        optimizer.step()
        ours = adam.step(torch.arange(4), ours, 2 * (ours - target))
    assert torch.allclose(ours, theirs.detach(), atol=1e-6)


def test_a_description_searched_again_is_not_inverted_again(shapes_library, monkeypatch) -> None:
    """A refresh (photos came or went), Back, a filter or a photo chip's weight changed run the same
    texts again: the inversion, most of a text query's time, is kept for them (exactly: the same
    latents), not run again."""
    import photoscope.network.model as model_module

    engine, _ = shapes_library
    calls: list[list[str]] = []
    real = model_module.invert

    def counted(net, starts, targets, lengths, start_token, options=None):  # type: ignore[no-untyped-def]
        calls.append(list(targets.shape))
        return real(net, starts, targets, lengths, start_token, options)

    monkeypatch.setattr(model_module, "invert", counted)
    first = engine.search_text("a blue square on the white grass", k=5)
    again = engine.search_text("a blue square on the white grass", k=5)
    assert len(calls) == 1 and again.hits == first.hits
    engine.search_text("the yellow circle on a background", k=5)
    assert len(calls) == 2
    latents = engine.model.invert_text(
        ["the yellow circle on a background"], engine.model.encode_text(["the yellow circle on a background"])
    )
    latents.zero_()  # what a caller does to its copy does not reach the kept latents
    assert len(calls) == 2 and engine.search_text("the yellow circle on a background", k=5).hits
    assert (
        engine.model.invert_text(
            ["the yellow circle on a background"],
            engine.model.encode_text(["the yellow circle on a background"]),
        )
        .abs()
        .sum()
        > 0
    )


def _alone_and_batched(
    engine: SearchEngine, texts: list[str]
) -> tuple[list[torch.Tensor], torch.Tensor, list[int]]:
    """Each text inverted alone (its latent, its steps), and all of them as one batch."""
    net, vocab = engine.model.bundle.network, engine.model.bundle.vocab
    starts = engine.model.encode_text(texts)
    options = InversionOptions(steps=40, tolerance=1e-3)
    alone, steps = [], []
    for i, text in enumerate(texts):
        targets, lengths = pad_batch([vocab.encode(text)], vocab.pad)
        result = invert(net, starts[i : i + 1], targets, lengths, vocab.start, options)
        alone.append(result.latents[0])
        steps.append(result.steps)
    targets, lengths = pad_batch([vocab.encode(t) for t in texts], vocab.pad)
    return alone, invert(net, starts, targets, lengths, vocab.start, options).latents, steps


def test_a_text_inverted_with_others_gets_the_latent_it_gets_alone(shapes_library) -> None:
    """Evaluation inverts its queries in batches and a combined query its texts together; the app
    inverts a search's one text alone. Each row stops when its own loss stops improving, so the
    figures measured in batches are the app's, and a combined query's text is the text searched."""
    engine, _ = shapes_library
    texts = ["a red circle", "a blue square on the white grass in front of a green circle", "square"]
    alone, batched, steps = _alone_and_batched(engine, texts)
    assert len(set(steps)) > 1  # the rows stop at different steps: the case that differed
    for row, latent in enumerate(alone):
        assert torch.allclose(batched[row], latent, atol=1e-5), (texts[row], steps)


def test_a_combined_query_s_texts_invert_on_two_threads_as_they_would_alone(
    shapes_library, monkeypatch
) -> None:
    """The decoder's products for a few texts are too small to share among cores: a combined query's
    texts invert in two groups at once, each on a thread running PyTorch on one (benchmarks/search.py
    --terms), each text to the latent it gets alone."""
    import threading

    import photoscope.network.model as model_module

    model = shapes_library[0].model
    texts = ["a red circle", "a blue square on the white grass in front of a green circle", "square"]
    starts = model.encode_text(texts)
    model.inversions.clear()
    alone = torch.cat([model.invert_text([t], starts[i : i + 1]) for i, t in enumerate(texts)])
    model.inversions.clear()
    threads: list[tuple[str, int, int]] = []
    real = model_module.invert

    def watched(net, starts, targets, lengths, start_token, options=None):  # type: ignore[no-untyped-def]
        threads.append((threading.current_thread().name, len(starts), torch.get_num_threads()))
        return real(net, starts, targets, lengths, start_token, options)

    monkeypatch.setattr(model_module, "invert", watched)
    callers = torch.get_num_threads()
    together = model.invert_text(texts, starts)
    assert len({name for name, _, _ in threads}) == 2
    assert sorted(rows for _, rows, _ in threads) == [1, 2]  # the long text alone, the two short together
    assert {count for _, _, count in threads} == {1}  # PyTorch on one thread in each
    assert torch.get_num_threads() == callers  # the caller's own count is kept
    assert torch.allclose(together, alone, atol=1e-5)


def test_a_combined_query_inverts_only_its_texts_not_searched_before(shapes_library, monkeypatch) -> None:
    """Chips are added one at a time: "a red circle", then "- square". The text searched a moment
    ago keeps its inversion; only the new term's is run."""
    import photoscope.network.model as model_module
    from photoscope.search.combine import CombinedRanker, Term

    engine, _ = shapes_library
    engine.model.inversions.clear()
    inverted: list[int] = []
    real = model_module.invert

    def counted(net, starts, targets, lengths, start_token, options=None):  # type: ignore[no-untyped-def]
        inverted.append(len(starts))
        return real(net, starts, targets, lengths, start_token, options)

    monkeypatch.setattr(model_module, "invert", counted)
    engine.search_text("a red circle", k=5)
    assert inverted == [1]
    CombinedRanker(engine.model, engine.store).rank(
        [Term(text="a red circle"), Term(text="square", negative=True)]
    )
    assert inverted == [1, 1]  # "square" alone


def test_a_text_encoded_with_others_gets_the_guess_it_gets_alone(shapes_library) -> None:
    """The text encoder's guess (inversion's start) of a short text in a batch with a long one is its
    guess alone: a padded batch's backward direction read the padding first."""
    model = shapes_library[0].model
    texts = ["square", "a blue square on the white grass in front of a green circle"]
    together = model.encode_text(texts)
    for row, text in enumerate(texts):
        assert torch.allclose(together[row], model.encode_text([text])[0], atol=1e-5), text
