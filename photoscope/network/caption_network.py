"""The one network: photo feature -> latent -> caption decoder, and a text -> latent encoder.

The latent (``latent_dim`` numbers per photo) is the decoder's first input, the vector photos are
compared by, and the space text search inverts into. The text encoder is trained jointly with a
contrastive loss so that a caption's encoding lands near its photo's latent: it gives text search
a fast first guess that inversion of the decoder then refines.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence


@dataclass(frozen=True)
class NetworkShape:
    """The sizes a training run chooses; ``TrainConfig`` extends it, so each is declared once."""

    latent_dim: int = 256
    hidden_dim: int = 512
    text_hidden_dim: int = 256
    dropout: float = 0.3
    rnn: str = "gru"

    def shape(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(NetworkShape)}


@dataclass(frozen=True, kw_only=True)
class NetworkConfig(NetworkShape):
    vocab_size: int
    feature_dim: int = 1280

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class CaptionNetwork(nn.Module):
    def __init__(self, config: NetworkConfig) -> None:
        super().__init__()
        self.config = config
        c = config
        self.project = nn.Linear(c.feature_dim, c.latent_dim)
        self.embed = nn.Embedding(c.vocab_size, c.latent_dim)
        rnn_type = {"gru": nn.GRU, "lstm": nn.LSTM}[c.rnn]
        self.rnn = rnn_type(c.latent_dim, c.hidden_dim, batch_first=True)
        self.drop = nn.Dropout(c.dropout)
        self.out = nn.Linear(c.hidden_dim, c.vocab_size)
        # Text -> latent: its own embeddings, a bidirectional GRU, mean pooling over words.
        self.text_embed = nn.Embedding(c.vocab_size, c.latent_dim)
        self.text_rnn = nn.GRU(c.latent_dim, c.text_hidden_dim, batch_first=True, bidirectional=True)
        self.text_out = nn.Linear(2 * c.text_hidden_dim, c.latent_dim)
        self.log_temperature = nn.Parameter(torch.tensor(-2.6))  # exp(-2.6) ~ 0.07, learned

    def latent(self, features: torch.Tensor) -> torch.Tensor:
        latent: torch.Tensor = self.project(features)
        return latent

    def decoder_logits(self, latent: torch.Tensor, inputs: torch.Tensor) -> torch.Tensor:
        """Teacher-forced logits: the latent is step 0, then ``inputs`` (<start> w1 .. wn).

        Returns B x (1 + T) x V; position t predicts the token after input t, so position 0
        (after the latent) predicts <start> and carries no information: callers drop it.
        """
        hidden = self.decoder_states(latent, inputs)
        logits: torch.Tensor = self.out(self.drop(hidden).transpose(0, 1)).transpose(0, 1)
        return logits

    def decoder_states(self, latent: torch.Tensor, inputs: torch.Tensor) -> torch.Tensor:
        """Teacher-forced recurrent outputs, B x (1 + T) x H, before the output layer
        (``decoder_logits``), laid out time-major in memory."""
        steps = self.drop(torch.cat([latent.unsqueeze(1), self.embed(inputs)], dim=1))
        # The GRU runs time-major: given its input and read its output in that memory order, its
        # input projection and the output layer are one matrix product each, not one per row of the
        # batch (a latent inversion of three texts took 5.5 ms a step that way, 4.8 ms so).
        hidden: torch.Tensor = self.rnn(_time_major_memory(steps))[0]
        return hidden

    def step(self, tokens: torch.Tensor, state: Any) -> tuple[torch.Tensor, Any]:
        """One decoding step from token ids ``tokens`` (B) and a recurrent state."""
        hidden, state = self.rnn(self.embed(tokens).unsqueeze(1), state)
        return self.out(hidden.squeeze(1)).log_softmax(dim=-1), state

    def start_state(self, latent: torch.Tensor) -> Any:
        """The recurrent state after reading the latent (then <start> is fed by the decoder)."""
        _, state = self.rnn(latent.unsqueeze(1))
        return state

    def encode_texts_alone(self, tokens: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """What ``encode_text`` gives each row encoded alone, unpadded, as a search query is.

        In a padded batch the backward direction reads the padding first, so a text's encoding
        would depend on its batch-mates; packing runs each row over its own words only.
        """
        lengths = lengths.clamp(min=1)
        packed = pack_padded_sequence(
            self.text_embed(tokens), lengths.cpu(), batch_first=True, enforce_sorted=False
        )
        hidden, _ = pad_packed_sequence(
            self.text_rnn(packed)[0], batch_first=True, total_length=tokens.shape[1]
        )
        pooled = hidden.sum(1) / lengths.unsqueeze(1)  # padded outputs are zeros
        latent: torch.Tensor = self.text_out(pooled)
        return latent

    def encode_text(self, tokens: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """Latents for padded token batches (B x T) with their true ``lengths`` (B)."""
        hidden, _ = self.text_rnn(self.text_embed(tokens))
        positions = torch.arange(tokens.shape[1], device=tokens.device)
        mask = (positions.unsqueeze(0) < lengths.unsqueeze(1)).unsqueeze(-1)
        pooled = (hidden * mask).sum(1) / lengths.clamp(min=1).unsqueeze(1)
        latent: torch.Tensor = self.text_out(pooled)
        return latent


def _time_major_memory(batch_first: torch.Tensor) -> torch.Tensor:
    """The same B x T x D values, laid out T x B x D in memory (what a batch-first GRU reads)."""
    return batch_first.transpose(0, 1).contiguous().transpose(0, 1)
