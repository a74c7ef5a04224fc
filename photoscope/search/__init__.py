"""Search: ranking by description and by example over the in-memory vectors, the network's words,
and the maps. It runs the network only through ``photoscope.network.PhotoscopeModel``."""
