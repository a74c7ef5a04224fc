"""The network: the frozen encoder, the caption network and everything that runs them.

Its door is ``PhotoscopeModel`` and the value types below; nothing outside this package (but
``training``, which builds the network) imports its modules.
"""

from photoscope.network.bundle import BundleError
from photoscope.network.decoding import Caption
from photoscope.network.inversion import InversionOptions
from photoscope.network.model import (
    DecodeOptions,
    PhotoDescription,
    PhotoEmbedding,
    PhotoscopeModel,
    WordEmbeddings,
    torch_threads,
)

__all__ = [
    "BundleError",
    "Caption",
    "DecodeOptions",
    "InversionOptions",
    "PhotoDescription",
    "PhotoEmbedding",
    "PhotoscopeModel",
    "WordEmbeddings",
    "torch_threads",
]
