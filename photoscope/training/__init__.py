"""Training and evaluation of the caption network (needs the ``train`` extra for metrics)."""
