"""Every threshold, weight and word list the scorer uses, in one user-changeable place.

Defaults are documented in docs/scoring.md with where each number comes from. A user
overrides any field in the `[scoring]` table of settings.toml, e.g.

    [scoring]
    run_on_words = 50
    hedges = ["maybe", "i guess", "perhaps"]

Phrases are matched on normalised tokens with contractions expanded ("I'd" is
"i would", "let's" is "let us"); a trailing `*` on a word matches any ending.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field, fields
from typing import Any

from voicecoach.asr.base import FILLED_PAUSES
from voicecoach.errors import VoiceCoachError

# ---------------------------------------------------------------------------------
# Lexicons. The article (docs/scoring.md, "Sources") is the source of the structure
# vocabulary; Toastmasters' ah-counter and Read.ai's coach the source of filler lists.
# ---------------------------------------------------------------------------------

FRAMING = (
    "let me structure", "let me break", "break this down", "break it down",
    "i would approach", "i will approach", "approach this", "my approach",
    "in three parts", "in two parts", "in four parts", "three parts", "two parts",
    "three steps", "two steps", "four steps", "a few steps", "a few parts",
    "three things", "two things", "three areas", "let me outline", "let me walk",
    "walk through", "let me think through", "zoom out", "end to end",
    "here is how i would", "let me start by", "i will start by", "i will cover",
    "there are three", "there are two", "at a high level", "high level",
    "let us start by understanding", "data first", "my plan", "i would structure",
    "structure my", "i would organize", "i will organize", "before i answer",
    "the way i would think about", "i would frame", "let me frame", "three key",
    "two key", "three main", "two main",
)

SIGNPOSTS = (
    "first", "firstly", "first of all", "second", "secondly", "third", "thirdly",
    "next", "after that", "finally", "lastly", "last", "step one", "step two",
    "step three", "number one", "number two", "moving on", "the first", "to start",
    "to begin", "now for", "now let us", "on the data side", "in terms of",
    "turning to", "beyond that", "then for",
)

CLARIFY = (
    "clarify", "clarifying", "clarification", "i would ask", "i would want to know",
    "i would like to know", "i would like to understand", "first question",
    "assum*", "is it real time or batch", "real time or batch", "batch or real time",
    "what is the acceptable", "how costly", "do we have", "are we", "who are the users",
    "what does success", "what is the goal", "what is the objective", "requirements",
    "it depends on whether", "questions", "ask about",
)

DATA = (
    "data", "dataset*", "data set*", "label*", "schema", "granularity", "annotat*",
    "sampl*", "missing*", "imbalance*", "leak*", "distribution*", "noise", "noisy",
    "ground truth", "features", "feature engineering", "logs", "logged", "training set",
    "examples", "outlier*", "bias in the data", "data quality", "quality of the data",
)

MODELS = (
    "xgboost", "xg boost", "x g boost", "lightgbm", "light gbm", "catboost",
    "random forest*", "neural network*", "neural net*", "deep learning", "deep model*",
    "transformer*", "resnet", "bert", "gpt", "cnn", "rnn", "lstm", "logistic regression",
    "linear regression", "gradient boost*", "gradient boosted", "boosted trees",
    "decision tree*", "svm", "support vector", "k means", "knn", "naive bayes",
    "large language model*", "llm", "llms", "autoencoder*", "embedding model*",
)

TOOLS = (
    "xgboost", "xg boost", "lightgbm", "catboost", "shap", "lime", "optuna", "mlflow",
    "ml flow", "pytorch", "tensorflow", "keras", "scikit learn", "sklearn", "kubeflow",
    "airflow", "sagemaker", "vertex", "spark", "kafka", "docker", "kubernetes",
    "hugging face", "huggingface", "weights and biases", "ray", "feast", "bigquery",
    "snowflake", "databricks", "resnet", "bert", "transformer*", "random forest*",
    "neural network*", "hyperopt", "grid search", "tensorboard",
)

REASONS = (
    "because", "since", "so that", "which means", "given", "due to", "in order to",
    "the reason", "that way", "which lets", "which helps", "to avoid", "to reduce",
    "to keep", "so we can", "so i can", "as long as", "only if", "if",
)

CONSTRAINTS = (
    "latency", "p95", "p 95", "p99", "p 99", "p50", "millisecond*", "throughput",
    "cost", "costs", "costly", "budget", "memory", "real time", "batch", "sla",
    "slas", "qps", "requests per second", "per request", "compute", "regulat*",
    "privacy", "compliance", "deadline", "scale", "at scale", "scalab*", "footprint",
    "inference cost", "response time*", "constraint*", "limited", "storage", "gpu*",
    "cpu", "hardware", "time budget",
)

TRADEOFFS = (
    "tradeoff*", "trade off*", "trade offs", "versus", "vs", "at the cost of",
    "the downside", "downside*", "on the other hand", "in exchange", "sacrific*",
    "worth it", "worth the", "rather than", "instead of", "balance", "balancing",
    "the price", "gain versus", "but it costs", "comes at", "pros and cons",
    "matters more than", "weigh", "weighs", "weighing", "weighed", "against", "downshift*",
    "cheaper", "the catch",
)

RISKS = (
    "risk*", "failure mode*", "fail", "fails", "failure*", "failing", "what could go wrong",
    "edge case*", "silently", "outage*", "adversar*", "fairness", "unfair", "bias",
    "biased", "leakage", "break*", "breaks", "fallback", "fall back", "rollback",
    "roll back", "canary", "shadow", "safe default", "degrad*", "harm*", "danger*",
    "limitation*", "caveat*", "worst case", "go wrong", "unreliable",
)

MONITORING = (
    "monitor*", "drift", "drifts", "drifting", "alert*", "dashboard*", "observab*",
    "detect drift", "track*", "distribution shift", "data shift", "retraining trigger*",
    "on call", "logging", "watch the",
)

SUMMARY = (
    "to summarize", "to summarise", "in summary", "summing up", "to sum up", "sum up",
    "in short", "to recap", "recap", "the bottom line", "in conclusion", "to conclude",
    "to wrap up", "wrapping up", "so overall", "overall", "my recommendation",
    "so my answer", "in a nutshell", "the key point", "the key takeaway",
)

OVERENGINEERING = (
    "state of the art", "cutting edge", "the most advanced", "the latest",
    "large transformer*", "huge transformer*", "giant model*", "billion parameter*",
    "deep reinforcement learning", "reinforcement learning", "ensemble of", "stack of",
    "fancy", "most powerful", "sota", "the biggest model", "a transformer",
    "transformers", "gan", "gans", "graph neural network*", "end to end deep",
)

SIMPLICITY = (
    "baseline", "simple", "simpler", "simplest", "start small", "logistic regression",
    "heuristic*", "rules based", "rule based", "keep it simple", "fit for purpose",
)

OUTCOME = (
    "result*", "outcome*", "improved", "reduced", "increased", "percent", "impact",
    "shipped", "launched", "saved", "lift",
)

LEARNING = (
    "learned", "lesson*", "next time", "would do differently", "taught me",
    "since then", "takeaway",
)

# Stream of consciousness. "might"/"may" are not hedges: naming a risk needs them.
CONNECTORS = (
    "and then", "and so", "but then", "so then", "and also", "but also", "and but",
    "or maybe", "and like", "so and", "and and",
)

SELF_CORRECTIONS = (
    "or maybe", "actually no", "no wait", "wait no", "scratch that", "never mind",
    "let me rephrase", "let me start over", "let me start again", "or rather",
    "no no", "sorry", "i mean no", "no actually", "well actually", "or actually",
    "hold on", "wait",
)

HEDGES = (
    "maybe", "i guess", "kind of", "sort of", "probably", "perhaps", "i suppose",
    "not sure", "i am not sure", "it depends", "somewhat",
    "i think maybe", "or something", "something like that", "i do not know",
)

# Fillers. Filled pauses are always fillers; discourse fillers only in context.

DISCOURSE_ALWAYS = ("basically",)
# Counted only when set off by punctuation or a pause on both sides (analysis/fillers.py).
# "so", "well", "okay", "right", "actually" are left out: as sentence openers they are
# ordinary discourse markers, and Whisper's commas are not reliable enough to tell a
# tic from a marker; a tic shows up instead as a crutch opener (many sentences).
DISCOURSE_BOUNDED = ("like", "you know", "i mean", "sort of", "kind of", "literally",
                     "you see")
# Repeated-word exceptions: grammatical doubles that are not restarts.
REPEAT_OK = ("that", "had", "very", "bye", "no", "yeah", "really", "so", "ha", "blah",
             "many", "long", "far", "more")

# Answer frames from the article, reported as coverage.
FRAME_WHY_HOW = {
    "why": ("because", "since", "the reason", "so that", "in order to", "the goal"),
    "how": ("by using", "using", "approach", "method", "pipeline", "step*", "we would",
            "i would use", "implement*", "train*", "build*"),
    "what else": ("alternative*", "instead", "another option", "other option*", "or we could",
                  "compare*", "versus", "rather than", "could also"),
    "limitations": ("limitation*", "downside*", "drawback*", "risk*", "however", "caveat*",
                    "fails when", "weakness*", "sacrific*", "the cost"),
    "impact": ("impact", "business", "users", "revenue", "customer*", "product",
               "cost", "latency", "reliab*"),
}
FRAME_PRINCIPLE = {
    "principle": ("principle", "in general", "fundamentally", "the key idea", "the goal",
                  "generally", "the idea is", "the core", "since", "because"),
    "technique": ("using", "approach", "method", "technique", "i would use", "we would use",
                  "pipeline", "model"),
    "limitation": ("limitation*", "downside*", "drawback*", "risk*", "however", "but",
                   "caveat*", "sacrific*", "fails"),
    "decision": ("i would choose", "i would go with", "i would pick", "my decision",
                 "decide", "i would recommend", "so i would", "i would start with",
                 "i would pivot", "i would downshift", "i would use", "i would prefer",
                 "i would keep"),
}


@dataclass(frozen=True)
class ScoringRules:
    """Thresholds and lexicons; `docs/scoring.md` explains each default."""

    # Pacing and pauses.
    pace_min_wpm: int = 120
    pace_max_wpm: int = 175
    pace_window_s: float = 20.0
    pace_hop_s: float = 10.0
    pace_window_slack: float = 0.10  # a window this far outside the band counts
    pace_cv_max: float = 0.25
    articulation_max_wpm: float = 240.0
    think_time_max_s: float = 15.0
    hesitation_min_s: float = 1.0
    long_silence_s: float = 5.0
    # Fillers.
    filler_curve: tuple[tuple[float, float], ...] = ((0, 100), (5, 100), (8, 85), (12, 50),
                                                     (20, 0))
    filler_word_share_max: float = 0.04
    burst_window_s: float = 5.0
    burst_min: int = 3
    burst_points: int = 8
    crutch_min_count: int = 4  # one opener starting this many sentences...
    crutch_min_share: float = 0.3  # ...and this share of all sentences is a tic
    acoustic_fillers: bool = True
    # Which traces count as fillers; the others are only listed as candidates.
    # Measured precision per trace is in docs/scoring.md ("Acoustic fillers"):
    # "isolated" was flagged too until real speech showed it on cut-off words.
    acoustic_traces: tuple[str, ...] = ("island",)
    acoustic_min_s: float = 0.22
    acoustic_max_s: float = 1.2
    acoustic_isolation_s: float = 0.12
    acoustic_low_probability: float = 0.5
    acoustic_short_word_letters: int = 4  # a "short word" for the two traces below
    acoustic_long_word_s: float = 0.6  # "long-word": a short word voiced this long
    acoustic_island_periodic: float = 0.85  # "island": pitch in this share of frames...
    acoustic_island_probability: float = 0.9  # ...under no word, or short words below this
    acoustic_onset_s: float = 0.4  # ...and not this close before a sentence's first word
    # Flow.
    run_on_words: int = 45
    chain_min: int = 3
    chain_window_words: int = 30
    hedge_per_100_max: float = 3.0
    signpost_gap_s: float = 45.0
    # Structure.
    framing_window_words: int = 40
    opening_window_words: int = 15
    tool_list_min: int = 3
    tool_list_gap_words: int = 8
    summary_window_frac: float = 0.25
    min_words_framing: int = 30
    min_words_signposts: int = 60
    min_words_summary: int = 120
    # Depth against the prompt's answer time (analysis/coverage.py).
    depth_short_frac: float = 0.5  # shorter than this share, with points open: a finding
    over_time_slack: float = 0.1  # this far past the time allowed: a finding
    structure_weights: dict[str, int] = field(default_factory=lambda: {
        "framing": 15, "signposts": 10, "clarify": 10, "data_first": 15, "constraints": 10,
        "tradeoffs": 10, "risks": 10, "monitoring": 10, "summary": 10,
        "outcome": 15, "learning": 10,
    })
    overall_weights: dict[str, float] = field(default_factory=lambda: {
        "structure": 0.35, "flow": 0.20, "delivery": 0.20, "fillers": 0.10, "content": 0.15,
    })
    # Lexicons.
    framing: tuple[str, ...] = FRAMING
    signposts: tuple[str, ...] = SIGNPOSTS
    clarify: tuple[str, ...] = CLARIFY
    data: tuple[str, ...] = DATA
    models: tuple[str, ...] = MODELS
    tools: tuple[str, ...] = TOOLS
    reasons: tuple[str, ...] = REASONS
    constraints: tuple[str, ...] = CONSTRAINTS
    tradeoffs: tuple[str, ...] = TRADEOFFS
    risks: tuple[str, ...] = RISKS
    monitoring: tuple[str, ...] = MONITORING
    summary: tuple[str, ...] = SUMMARY
    overengineering: tuple[str, ...] = OVERENGINEERING
    simplicity: tuple[str, ...] = SIMPLICITY
    outcome: tuple[str, ...] = OUTCOME
    learning: tuple[str, ...] = LEARNING
    connectors: tuple[str, ...] = CONNECTORS
    self_corrections: tuple[str, ...] = SELF_CORRECTIONS
    hedges: tuple[str, ...] = HEDGES
    filled_pauses: tuple[str, ...] = FILLED_PAUSES
    # The shortest answer whose structure and content are judged (docs/scoring.md).
    min_judged_words: int = 40
    min_judged_s: float = 15.0
    discourse_always: tuple[str, ...] = DISCOURSE_ALWAYS
    discourse_bounded: tuple[str, ...] = DISCOURSE_BOUNDED
    repeat_ok: tuple[str, ...] = REPEAT_OK

    def replace(self, **changes: Any) -> ScoringRules:
        return dataclasses.replace(self, **changes)

    @classmethod
    def from_settings(cls, settings: Any) -> ScoringRules:
        """Defaults, then the general settings that already exist, then `[scoring]`."""
        rules = cls(
            pace_min_wpm=settings.pace_min_wpm,
            pace_max_wpm=settings.pace_max_wpm,
            hesitation_min_s=settings.long_pause_s,
        )
        if settings.filler_words:
            extra = tuple(w.lower() for w in settings.filler_words)
            rules = rules.replace(discourse_always=rules.discourse_always + extra)
        return rules.with_overrides(getattr(settings, "scoring", None) or {})

    def with_overrides(self, table: dict[str, Any], where: str = "[scoring]") -> ScoringRules:
        """These rules with `table`'s fields changed; VoiceCoachError lists every bad one,
        one line each."""
        known = {f.name: f for f in fields(self)}
        changes: dict[str, Any] = {}
        problems: list[str] = []
        for name, value in table.items():
            if name not in known:
                problems.append(f"{where} field {name}: unknown scoring rule")
                continue
            try:
                changes[name] = _coerce(where, name, getattr(self, name), value)
            except VoiceCoachError as err:
                problems.append(str(err))
        if problems:
            raise VoiceCoachError("\n".join(problems))
        rules = self.replace(**changes)
        pairs = (("pace_min_wpm", "pace_max_wpm"), ("acoustic_min_s", "acoustic_max_s"))
        for low, high in pairs:
            if getattr(rules, low) >= getattr(rules, high):
                problems.append(f"{where} field {low}: must be below {high}")
        if not sum(rules.overall_weights.values()) > 0:
            problems.append(f"{where} field overall_weights: one weight must be "
                            "above 0")
        if problems:
            raise VoiceCoachError("\n".join(problems))
        return rules


# Ranges of the numeric rules (inclusive). A number not listed must be from 0 to
# DEFAULT_MAX; windows and hops must be positive, or a pass over the answer never ends
# (pace_hop_s = 0 looped forever).
DEFAULT_MAX = 10_000
RULE_BOUNDS: dict[str, tuple[float, float]] = {
    "pace_min_wpm": (40, 400), "pace_max_wpm": (40, 400),
    "pace_window_s": (5, 600), "pace_hop_s": (1, 600), "pace_window_slack": (0, 1),
    "pace_cv_max": (0, 10), "articulation_max_wpm": (60, 1000),
    "think_time_max_s": (0, 600), "hesitation_min_s": (0.1, 60), "long_silence_s": (0.5, 600),
    "filler_word_share_max": (0, 1), "burst_window_s": (0.5, 600), "burst_min": (1, 100),
    "burst_points": (0, 100), "crutch_min_count": (1, 1000), "crutch_min_share": (0, 1),
    "acoustic_min_s": (0.01, 10), "acoustic_max_s": (0.01, 10),
    "acoustic_isolation_s": (0, 10), "acoustic_low_probability": (0, 1),
    "acoustic_short_word_letters": (1, 100), "acoustic_long_word_s": (0.01, 10),
    "acoustic_island_periodic": (0, 1), "acoustic_island_probability": (0, 1),
    "acoustic_onset_s": (0, 10), "run_on_words": (1, DEFAULT_MAX), "chain_min": (1, 1000),
    "chain_window_words": (1, DEFAULT_MAX), "signpost_gap_s": (1, 3600),
    "framing_window_words": (1, DEFAULT_MAX), "opening_window_words": (1, DEFAULT_MAX),
    "tool_list_min": (1, 1000), "summary_window_frac": (0, 1),
    "depth_short_frac": (0, 1), "over_time_slack": (0, 10),
}
MAX_WEIGHT = 1000
MAX_CURVE_POINTS = 50
MAX_LEXICON, MAX_PHRASE = 2000, 100


def _coerce(where: str, name: str, default: Any, value: Any) -> Any:
    bad = VoiceCoachError(f"{where} field {name}: expected "
                          f"{type(default).__name__}, got {_short(value)}")
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise bad
        return value
    if isinstance(default, (int, float)):
        if isinstance(value, bool) or not isinstance(value, int if isinstance(default, int)
                                                     else (int, float)):
            raise bad
        lo, hi = RULE_BOUNDS.get(name, (0, DEFAULT_MAX))
        if not math.isfinite(value) or not lo <= value <= hi:
            raise VoiceCoachError(f"{where} field {name}: must be from {lo:g} to "
                                  f"{hi:g}, got {_short(value)}")
        return value if isinstance(default, int) else float(value)
    if isinstance(default, dict):
        if (not isinstance(value, dict) or not set(value) <= set(default)
                or not all(_number_in(v, 0, MAX_WEIGHT) for v in value.values())):
            raise VoiceCoachError(f"{where} field {name}: expected a table of "
                                  f"{', '.join(default)} with numbers from 0 to {MAX_WEIGHT}, "
                                  f"got {_short(value)}")
        return {**default, **value}
    if isinstance(default, tuple):
        if name == "filler_curve":
            return _curve(where, value)
        if (not isinstance(value, list) or len(value) > MAX_LEXICON
                or not all(isinstance(v, str) and 0 < len(v.strip()) <= MAX_PHRASE
                           for v in value)):
            raise VoiceCoachError(f"{where} field {name}: expected a list of at most "
                                  f"{MAX_LEXICON} phrases (1-{MAX_PHRASE} characters), got "
                                  f"{_short(value)}")
        return tuple(v.lower() for v in value)
    raise bad


def _number_in(value: Any, lo: float, hi: float) -> bool:
    return (isinstance(value, (int, float)) and not isinstance(value, bool)
            and math.isfinite(value) and lo <= value <= hi)


def _curve(where: str, value: Any) -> tuple[tuple[float, float], ...]:
    """Fillers per minute -> score points: x rising from 0, scores 0..100."""
    bad = VoiceCoachError(f"{where} field filler_curve: expected 1 to "
                          f"{MAX_CURVE_POINTS} [fillers per minute, score] pairs with the "
                          f"first rising (0-{DEFAULT_MAX}) and scores 0-100, got "
                          f"{_short(value)}")
    if not isinstance(value, list) or not 0 < len(value) <= MAX_CURVE_POINTS:
        raise bad
    if not all(isinstance(p, list) and len(p) == 2 and _number_in(p[0], 0, DEFAULT_MAX)
               and _number_in(p[1], 0, 100) for p in value):
        raise bad
    xs = [p[0] for p in value]
    if any(b <= a for a, b in zip(xs, xs[1:])):
        raise bad
    return tuple((float(a), float(b)) for a, b in value)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
