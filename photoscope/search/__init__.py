"""Search: ranking by description and by example over the in-memory vectors, the network's words,
and the maps. It uses the network only through its package's door (``photoscope.network``): the
task-level calls of ``PhotoscopeModel`` (encode and invert a text, likelihood, word detectors,
concepts), and for the quick first answer, which must not wait for PyTorch, the door's readers that
need none (``TextModel``: the text encoder in NumPy; the lexicon and the concept tables)."""
