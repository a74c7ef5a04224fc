"""Which of torch's modules the one-folder app must carry as .py source (packaging/photoscope.spec).

PyInstaller's torch hook copies the source of all of torch's ~1,900 modules (39 MB) beside their
compiled copies, for TorchScript's compiler. The app only traces (torch.jit.trace) and loads traced
modules, which read no source; but these modules read their own source as they are imported: the
config modules (install_config_module) and those with @torch.jit._overload functions (which warn on
every start without it). The spec keeps the rest compiled only.

Re-check after a PyTorch upgrade, in the build venv (it runs a caption twice, the first tracing the
encoder, and a word map, with inspect refusing the source of every other torch module):
    build/app-venv/bin/python packaging/torch_sources.py
"""

from __future__ import annotations

NEED_SOURCE = [
    "torch._dynamo.config",
    "torch._export.config",
    "torch._functorch.config",
    "torch._inductor.config",
    "torch._inductor.config_comms",
    "torch.compiler.config",
    "torch.distributed.config",
    "torch.fx.experimental._config",
    "torch.utils.serialization.config",
    "torch.functional",
    "torch.nn.functional",
    "torch.nn.modules.rnn",
]


def collection_modes() -> dict[str, str]:
    modes = {"torch": "pyz", "torchgen": "pyz"}
    modes.update(dict.fromkeys(NEED_SOURCE, "pyz+py"))
    return modes


def main() -> int:
    import collections
    import inspect
    import os
    import sys
    import tempfile
    import warnings
    from pathlib import Path

    refused: list[str] = []
    real = {name: getattr(inspect, name) for name in ("findsource", "getsource", "getsourcelines")}

    def refusing(name):  # type: ignore[no-untyped-def]
        def source(obj, *args, **kwargs):  # type: ignore[no-untyped-def]
            module = getattr(inspect.getmodule(obj), "__name__", "") or ""
            if module.split(".")[0] in ("torch", "torchgen") and module not in NEED_SOURCE:
                refused.append(f"{module} ({name})")
                raise OSError("could not get source code")
            return real[name](obj, *args, **kwargs)

        return source

    for name in real:
        setattr(inspect, name, refusing(name))
    root = Path(__file__).resolve().parent.parent
    sys.path.insert(0, str(root))
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp()  # a fresh cache: the encoder is traced
    photo = str(root / "resources" / "icons" / "photoscope-256.png")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        from photoscope.cli import main as cli

        assert cli(["caption", photo]) == 0 and cli(["caption", photo]) == 0
        assert cli(["map", "words", "--words", "60", "--out", os.environ["XDG_CACHE_HOME"] + "/m.png"]) == 0
    noisy = [str(w.message) for w in caught if "source" in str(w.message)]
    # Refusals that torch handles quietly (stack-frame lookups for debug messages) are only listed.
    print("source refused (handled):", dict(collections.Counter(refused)))
    for message in noisy:
        print("WARNING:", message)
    return 1 if noisy else 0


if __name__ == "__main__":
    raise SystemExit(main())
