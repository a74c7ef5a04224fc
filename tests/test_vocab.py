from photoscope.network.vocab import END, PAD, START, UNK, Vocabulary, tokenize


def test_tokenize_lowercases_and_drops_punctuation_and_digits() -> None:
    assert tokenize("A Dog, running... in 2 PARKS!") == ["a", "dog", "running", "in", "parks"]


def test_vocabulary_keeps_frequent_words_and_specials() -> None:
    vocab = Vocabulary.build(["a dog runs", "a dog sits", "a cat"], min_count=2)
    assert vocab.words[:4] == (PAD, START, END, UNK)
    assert set(vocab.words[4:]) == {"a", "dog"}
    assert vocab.words[4] == "a"  # most frequent first
    assert vocab.counts[vocab.index("a")] == 3


def test_encode_decode_round_trip_with_unknown_words() -> None:
    vocab = Vocabulary.build(["a dog runs on grass"], min_count=1)
    ids = vocab.encode("A dog flies")
    assert ids[-1] == vocab.end and ids[2] == vocab.unk
    assert vocab.decode(ids) == f"a dog {UNK}"
    assert vocab.unknown_words("a dog flies high") == ["flies", "high"]


def test_accented_letters_are_folded_not_word_breaks() -> None:
    # The CLI audit: "café" was read as "caf" (an unknown word, "did you mean car, cap, cat?") and
    # "naïve dog" as "na", "ve" and "dog".
    assert tokenize("Café") == ["cafe"]
    assert tokenize("a naïve dog near the Eiffel façade") == [
        "a",
        "naive",
        "dog",
        "near",
        "the",
        "eiffel",
        "facade",
    ]
    assert tokenize("Straße") == ["strasse"]


def test_a_word_is_read_or_unknown_never_both() -> None:
    """The review of stop 45: "dog½" was searched as "dog" and said unknown as "dog½"; "m²" gave
    both "m" and "m²". The words read and the words not read come from one split."""
    from photoscope.network.vocab import tokenize, unreadable

    for text, read, unknown in [
        ("dog½", ["dog"], []),
        ("a 20 m² lawn", ["a", "m", "lawn"], []),
        ("猫 dog", ["dog"], ["猫"]),
        ("Ærø café", ["cafe"], ["ærø"]),
        ("кошка", [], ["кошка"]),
    ]:
        assert (tokenize(text), unreadable(text)) == (read, unknown), text


def test_a_query_word_the_decoder_knows_in_the_other_number_is_read_in_that_one() -> None:
    """The open-world check set (stop 63): "dandelions" was a word the model did not know, and its
    search found nothing, while the decoder knows "dandelion" (9 training captions); "tulip" the
    same, with "tulips" known. Training reads captions as written: only queries read so."""
    vocab = Vocabulary.build(["a dandelion in the grass", "tulips and a dog", "two dogs"], min_count=1)
    assert [vocab.reads(w) for w in ("dandelions", "tulip", "dog", "dogs", "flies")] == [
        "dandelion",
        "tulips",
        "dog",
        "dogs",
        "flies",
    ]
    assert vocab.encode_query("Dandelions and a tulip") == vocab.encode("dandelion and a tulips")
    assert vocab.encode("dandelions")[0] == vocab.unk  # captions as written
    assert vocab.unknown_words("dandelions and flies") == ["flies"]
