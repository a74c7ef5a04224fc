"""The caption rule's version, on its own so that what needs only it (``photoscope status``) loads
no PyTorch and no NumPy."""

from __future__ import annotations

# The version of the rule that turns a photo's stored vectors into its caption
# (``caption_check.CaptionRule``). A library whose captions an older rule wrote re-captions its
# photos from their stored vectors (``Photoscope.rewrite_captions``); the model's version, which
# re-encodes photos, stays.
# 3: sure names (CaptionRule.kind_threshold), probes at 0.93; 4: the word detectors guide the
# beam, probes at 0.96 on unfamiliar photos, a dog the head sees as another animal discounted;
# 5: the detectors know "grass" and "leaves", a scene they do not see is not said, and a photo the
# head recognises nothing in is "a photo"; 6: a person's or a dog's kind ("rollerblader", "poodle")
# counts as the person or the dog, a re-written caption may not bring in what the detectors do not
# see, a ball the photo does not support is cut from the sentence, and classes are named in everyday
# English ("a gorilla", not "a gorilla gorilla"; "a polar bear", not "an ice bear"); 7: a wider
# beam whose caption is the one its likeliest captions agree with (``DecodeOptions.consensus``), a
# re-write's new word without a detector checked by the head ("a cat" for a drum kit), a dog's
# "his" is the dog's, and a caption that repeats a phrase is chosen only when all candidates do;
# 8: a caption that is only a name says where the thing is ("a bison in a field"), a mass noun's
# name takes "some" ("some furniture"), and no name comes from a sense not the photo's ("a surface");
# 9: a class keeps its everyday name over a rarer synonym ("a dalmatian", not "a coach dog") and a
# thing that comes in pairs is "a pair of sunglasses"; 10: a scene the word detectors barely see is
# not said unless the head sees it ("the sand" under a pillow is gone, a cathedral's building stays);
# 11: a caption about people the presence probes see is not replaced by the head's sure name, and a
# name as broad as "animal" must be surer to stand in for a caption that had to change; 12: a scene
# is said only where its detector also reaches the word's sight (a white teacup is not "the grass");
# 13: a class's name is written as the concepts show it ("an African crocodile", not "an african
# crocodile"); 14: on a photo the head sees as a landscape or a building a person is said only where
# the presence probe is very sure (no hiker on an empty mountain), and classes are named in the
# everyday words of stops 62 and 63 ("a mobile phone", not "a cellular telephone"); 15: a re-written
# caption that brings in a second of something ("a boat on a boat in the water") says less
DESCRIPTION_VERSION = "concepts-15"
