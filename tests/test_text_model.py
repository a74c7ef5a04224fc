"""The network's text side in NumPy (``TextModel``, issue #18): the app's first searches, made before
PyTorch is imported, use the same text encoder and read a query's words the same way as the network."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

QUERIES = [
    "a dog runs on the grass",
    "two dogs play in the snow",
    "a man in a red shirt climbs a rock",
    "beach",
    "a qwxzy in paris",  # words the decoder does not know: <unk>, as the network reads them
    "the cathedral and an espresso",
    "",
]


def test_the_numpy_text_encoder_matches_the_networks(shipped_model_dir: Path) -> None:
    """The shipped bundle's weights: one text, as search encodes it, and several encoded alone."""
    import torch

    from photoscope.network import PhotoscopeModel, TextModel

    light = TextModel(shipped_model_dir)
    model = PhotoscopeModel(shipped_model_dir)
    for text in QUERIES[:-1]:
        expected = model.encode_text([text]).numpy()
        np.testing.assert_allclose(light.encode_text([text]), expected, rtol=1e-4, atol=1e-5)
    vocab, network = model.bundle.vocab, model.bundle.network
    rows = [vocab.encode(t, add_end=False) for t in QUERIES[:-1]]
    tokens = torch.zeros(len(rows), max(map(len, rows)), dtype=torch.long)
    for i, row in enumerate(rows):
        tokens[i, : len(row)] = torch.tensor(row)
    with torch.inference_mode():
        alone = network.encode_texts_alone(tokens, torch.tensor([len(r) for r in rows])).numpy()
    np.testing.assert_allclose(light.encode_text(QUERIES[:-1]), alone, rtol=1e-4, atol=1e-5)
    assert light.encode_text([""]).shape == (1, model.latent_dim)


def test_it_is_the_same_model(tiny_model_dir: Path) -> None:
    """Version, latent size and the words of a query as ``PhotoscopeModel`` reads them (a second
    bundle, of other sizes: the tiny one)."""
    from photoscope.network import PhotoscopeModel, TextModel

    light, model = TextModel(tiny_model_dir), PhotoscopeModel(tiny_model_dir)
    assert (light.version, light.latent_dim) == (model.version, model.latent_dim)
    for text in QUERIES:
        assert light.query_words(text) == model.query_words(text)
        np.testing.assert_allclose(light.encode_text([text]), model.encode_text([text]).numpy(), atol=1e-5)
    assert light.word_count("dog") == model.word_count("dog")
    assert light.suggest("dgo") == model.suggest("dgo")


def test_a_damaged_bundle_is_refused(tiny_model_dir: Path, tmp_path: Path) -> None:
    import shutil

    from photoscope.network import BundleError, TextModel

    copy = tmp_path / "bundle"
    shutil.copytree(tiny_model_dir, copy)
    with (copy / "model.safetensors").open("r+b") as f:
        f.seek(-8, 2)
        f.write(b"\0" * 8)
    with pytest.raises(BundleError, match="checksum"):
        TextModel(copy)


def test_a_bundle_without_the_text_encoder_is_refused(tiny_model_dir: Path, tmp_path: Path) -> None:
    import hashlib
    import json
    import shutil

    from safetensors.numpy import load_file, save_file

    from photoscope.network import BundleError, TextModel

    copy = tmp_path / "bundle"
    shutil.copytree(tiny_model_dir, copy)
    weights = load_file(str(copy / "model.safetensors"))
    del weights["text_out.bias"]
    save_file(weights, str(copy / "model.safetensors"))
    meta = json.loads((copy / "bundle.json").read_text())
    meta["weights_sha256"] = hashlib.sha256((copy / "model.safetensors").read_bytes()).hexdigest()
    (copy / "bundle.json").write_text(json.dumps(meta))
    with pytest.raises(BundleError, match=r"text_out\.bias"):
        TextModel(copy)


def test_a_word_known_in_the_other_number_reads_as_it_everywhere(shipped_model_dir: Path) -> None:
    """The network's and the quick answer's text encoders, the inversion and the query's words all
    read "dandelions" as the decoder's "dandelion" (unknown to it before: the check set of stop 63),
    and the notes still name the word as typed."""
    from photoscope.network import PhotoscopeModel, TextModel

    model, quick = PhotoscopeModel(shipped_model_dir), TextModel(shipped_model_dir)
    assert np.allclose(model.encode_text(["dandelions"]).numpy(), model.encode_text(["dandelion"]).numpy())
    assert np.allclose(quick.encode_text(["dandelions"]), quick.encode_text(["dandelion"]))
    query = model.query_words("dandelions in a field")
    assert query.decoder_words == ["dandelion", "field"] and not query.unknown
    assert query.typed["dandelion"] == "dandelions"
    assert model.knows_any("dandelions")


def test_a_letter_typed_alone_is_no_word_but_one_in_a_word_still_is(shipped_model_dir: Path) -> None:
    """Audit 85 (repro_6): "n", "o", "s" and "t" are decoder words (pieces of "rock n roll", "man 's",
    "t-shirt" in its training captions), so "n" alone listed arbitrary photos and "dog n" lost the
    dog's likely match. Typed alone a letter is unknown, as "x" is; in a word it reads as before."""
    from photoscope.network import PhotoscopeModel, TextModel

    model, quick = PhotoscopeModel(shipped_model_dir), TextModel(shipped_model_dir)
    vocab = quick.vocab
    for reader in (model, quick):
        stray = reader.query_words("dog n")
        assert stray.decoder_words == ["dog"] and stray.unknown == ["n"]
        assert reader.query_words("t").unknown == ["t"]
        kept = reader.query_words("a man's hat in a t-shirt")  # as the captions had them
        assert not kept.unknown and {"s", "t"} <= set(kept.decoder_words) | set(kept.content)
    assert vocab.encode_query("dog n", add_end=False) == [vocab.index("dog"), vocab.unk]
    assert vocab.encode_query("a man 's hat", add_end=False)[2] == vocab.index("s")
    assert np.allclose(quick.encode_text(["dog n"]), quick.encode_text(["dog x"]))
    assert model.unknown_words("dog n") == ["n"] and not model.knows_any("n")
    assert all(len(word) > 1 for word in model.suggest("t"))  # a letter is no word to offer
