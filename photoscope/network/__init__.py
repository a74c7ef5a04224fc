"""The network: the frozen encoder, the caption network and everything that runs them.

Its door is ``PhotoscopeModel`` and the value types below; nothing outside this package (but
``training``, which builds the network) imports its modules. Names are imported on first use, so
what needs no PyTorch (the concept words, say) costs no PyTorch import.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from photoscope.network.bundle import BundleError, ModelIdentity, model_identity_of, model_version_of
    from photoscope.network.caption_check import CaptionRule
    from photoscope.network.concepts import (
        Concepts,
        NearClasses,
        class_index,
        imagenet_classes,
        load_concepts,
        load_near_classes,
    )
    from photoscope.network.decoding import Caption
    from photoscope.network.inversion import InversionOptions, torch_threads
    from photoscope.network.lexicon import WORD_MIN_COUNT, Lexicon, load_lexicon
    from photoscope.network.model import (
        DecodeOptions,
        PhotoDescription,
        PhotoEmbedding,
        PhotoscopeModel,
        WordEmbeddings,
    )
    from photoscope.network.naming import Namer, bundle_namer, concepts_from_tags
    from photoscope.network.text_model import QueryWords, TextModel
    from photoscope.network.versions import DESCRIPTION_VERSION
    from photoscope.network.vocab import FUNCTION_WORDS

_HOMES = {
    "DESCRIPTION_VERSION": "versions",
    "FUNCTION_WORDS": "vocab",
    "BundleError": "bundle",
    "Caption": "decoding",
    "CaptionRule": "caption_check",
    "Concepts": "concepts",
    "DecodeOptions": "model",
    "InversionOptions": "inversion",
    "Lexicon": "lexicon",
    "WORD_MIN_COUNT": "lexicon",
    "Namer": "naming",
    "NearClasses": "concepts",
    "PhotoDescription": "model",
    "PhotoEmbedding": "model",
    "PhotoscopeModel": "model",
    "QueryWords": "text_model",
    "TextModel": "text_model",
    "WordEmbeddings": "model",
    "class_index": "concepts",
    "concepts_from_tags": "naming",
    "bundle_namer": "naming",
    "imagenet_classes": "concepts",
    "load_concepts": "concepts",
    "load_lexicon": "lexicon",
    "load_near_classes": "concepts",
    "model_version_of": "bundle",
    "model_identity_of": "bundle",
    "ModelIdentity": "bundle",
    "torch_threads": "inversion",
}

__all__ = [
    "DESCRIPTION_VERSION",
    "FUNCTION_WORDS",
    "WORD_MIN_COUNT",
    "BundleError",
    "Caption",
    "CaptionRule",
    "Concepts",
    "DecodeOptions",
    "InversionOptions",
    "Lexicon",
    "ModelIdentity",
    "Namer",
    "NearClasses",
    "PhotoDescription",
    "PhotoEmbedding",
    "PhotoscopeModel",
    "QueryWords",
    "TextModel",
    "WordEmbeddings",
    "bundle_namer",
    "class_index",
    "concepts_from_tags",
    "imagenet_classes",
    "load_concepts",
    "load_lexicon",
    "load_near_classes",
    "model_identity_of",
    "model_version_of",
    "torch_threads",
]


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(import_module(f"photoscope.network.{_HOMES[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
