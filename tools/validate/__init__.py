"""Validation of the scorer against a labeled corpus: `python -m tools.validate`.

The corpus (tests/corpus/) is synthetic speech with exact labels (espeak-ng and flite
voices, synthesized into tests/.cache/corpus/) and real recorded speech with labels
from its transcripts (jfk.wav, MFA monologues and clips, a spontaneous clip). Each
clip goes through the real pipeline (VAD, Whisper, scoring) and the report is
compared with the labels, real speech reported apart from synthetic, per engine:

- filled-pause precision/recall (and discourse fillers), matched in time, or by count
  where a real transcript's filler has no time;
- invented phrases (runs of 2+ words nobody said) and WER against the reference;
- pauses: every labeled silence of 1 s or more found within +-0.3 s;
- wpm error against the true speaking span;
- same audio, same report: a clip scored three times per engine, compared as JSON;
- weak/strong pairs: the strong answer scores higher on structure and overall, and
  the weak one carries the finding that names its flaw (as text, and spoken);
- `--filler-prompt all` / `--cost`: the same clips without the filler prompt and
  without the temperature fallback, to see what each costs; `--prompt-text` adds
  other wordings of the prompt, and held-out clips are reported apart.

`--quick` runs the small subset used by `make test` and exits non-zero when a target
is missed; the full run prints the tables that docs/scoring.md carries
(`--write-docs` replaces them there), `--details FILE` lists every error in context.
Modules: corpus (synthetic clips), real (real clips' labels), align (WER, invented
phrases), measure (one report against its labels), checks (determinism), pairs,
tables (output and targets), cli.
"""

from tools.validate.corpus import (
    TARGET_PAUSE_S,
    Label,
    LabeledClip,
    filler_clips,
    load_toml,
    synthesize,
)
from tools.validate.measure import ClipResult, evaluate, match
from tools.validate.pairs import text_pairs
from tools.validate.real import real_clips
from tools.validate.tables import prompt_helps

__all__ = ["TARGET_PAUSE_S", "ClipResult", "Label", "LabeledClip", "evaluate",
           "filler_clips", "load_toml", "match", "prompt_helps", "real_clips",
           "synthesize", "text_pairs"]
