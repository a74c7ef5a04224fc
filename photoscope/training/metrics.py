"""Caption metrics from pycocoevalcap's maintained scorers (BLEU-1..4 and CIDEr).

Captions are tokenised the way the model tokenises (lower-case alphabetic words), so
references and candidates are compared on the same terms without needing Java's PTB tokenizer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from photoscope.network.vocab import tokenize


def caption_metrics(
    candidates: Mapping[str, str], references: Mapping[str, Sequence[str]]
) -> dict[str, float]:
    from pycocoevalcap.bleu.bleu import Bleu
    from pycocoevalcap.cider.cider import Cider

    keys = sorted(candidates)
    res = {k: [" ".join(tokenize(candidates[k])) or "a"] for k in keys}
    gts = {k: [" ".join(tokenize(r)) for r in references[k]] for k in keys}
    bleu, _ = Bleu(4).compute_score(gts, res, verbose=0)
    cider, _ = Cider().compute_score(gts, res)
    metrics = {f"bleu{i + 1}": float(b) for i, b in enumerate(bleu)}
    metrics["cider"] = float(cider)
    return metrics
