"""Does an answer make a key point? Weighed cues in one sentence, negation-aware.

A key point's phrases (prompts/*.toml) were matched anywhere, alone: "class weights"
touched a tradeoff, any "monitor" touched adversarial drift, and a paraphrase with
none of the phrases missed the point. Here every sentence is weighed on its own:

- cues are the key point's phrases, its other ways of saying it (the bank's in
  analysis/senses/*.toml via analysis/keypoint_senses.py, a user prompt's in its
  `senses` field) and the content words of its label;
- a specific cue (two or more content words, or a technical term such as "latency"
  or "chargeback") weighs 2; a single common word ("cost", "monitor", "online"), and
  any one-word phrase of the prompt (its search keywords), weighs 1; the label's
  words add 1 at most (they support a cue, never replace it), except words of the
  question itself, which any answer repeats;
- a cue right after a negation in the same clause ("we don't need a fallback")
  weighs nothing;
- the sentence makes the point at a weight of 2: one specific cue, or two common ones.

Words are compared by a light stem (labels = label = labeled), and a phrase's `*` still
matches any ending. Cost: one pass per key point over the answer's tokens.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from voicecoach.analysis.keypoint_senses import senses
from voicecoach.analysis.pauses import FUNCTION_WORDS
from voicecoach.analysis.phrases import Match, lexicon, pattern
from voicecoach.analysis.text import Transcript
from voicecoach.prompts import KeyPoint, Prompt

MAKES_POINT = 2
NEGATORS = frozenset({"not", "no", "never", "without", "nor", "nothing"})
_NOT_NEGATING = frozenset({"only", "just", "necessarily"})  # "not only the average"
# Words too common in any ML answer to say which point is being made.
_GENERIC = """
model models data feature features system use using new time one same each all look
like make get good well way thing things need needs want first then also
"""
GENERIC = FUNCTION_WORDS | frozenset(_GENERIC.split())
# Single words with one meaning in an ML answer: each makes its point alone where it is
# one of the point's cues. From "learned": the behavioral answers' ("I learned that…",
# "the decision was…" make the point); then words the senses (analysis/senses/*.toml)
# rely on, spelling variants included ("quantise", "learnt").
_SPECIFIC = """
latency chargeback chargebacks imbalance imbalanced leak leakage leaks leaking drift
fallback adversarial adversary p95 p99 milliseconds retrain retraining retrained
backtest backtesting quantize quantization quantized distill distillation distilled
canary registry counterfactual stratify stratified stratification kappa dedup
deduplicate deduplication calibration calibrate recalibrate recalibration lineage schema
granularity annotator annotators annotation guideline guidelines rubric bandit bandits
ndcg psi holdout trie blocklist offensive dialect dialects covariate precompute
precomputed bottleneck bottlenecks fraudsters oversample oversampling undersample
undersampling engagement retrieval skew shadow seasonality suspicious
learned lesson lessons decided decision chose
outlier outliers missingness outage outages overstate overstates overstated inflated
rollback hallucination hallucinations hallucinate hallucinates hallucinated
hallucinating distil distils quantise quantised quantisation quantising quantizing
adam adamw sgd optimizer optimiser autoscale autoscaled autoscaler autoscaling bf16
fp16 int8 millisecond calibrated calibrating miscalibrated uncalibrated saliency shap
shapley sensitivity specificity overengineered overengineering overkill underpowered
blameless descope descoped descoping hindsight learnt mvp postmortem takeaway
"""
SPECIFIC = frozenset(_SPECIFIC.split())


@lru_cache(maxsize=4096)  # called for every token of every sentence, per key point
def stem(word: str) -> str:
    for suffix in ("ations", "ation", "ings", "ing", "edly", "ed", "es", "s", "ly"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


@dataclass(frozen=True)
class Cues:
    phrases: tuple[str, ...]  # matched with the phrase lexicon
    strong: frozenset[str]  # those of them that weigh 2
    label_stems: frozenset[str]  # label content words, weighing 1


def _strong(phrase: str) -> bool:
    tokens = [t.rstrip("*") for t in pattern(phrase)]
    content = [t for t in tokens if t not in GENERIC]
    return len(content) >= 2 or (len(tokens) == 1 and tokens[0] in SPECIFIC)


@lru_cache(maxsize=1024)
def cues_for(prompt_id: str, kp: KeyPoint, question: str = "") -> Cues:
    phrases = tuple(dict.fromkeys((*kp.phrases, *kp.senses,
                                   *senses().get((prompt_id, kp.id), ()))))
    # The question's own words are in any answer to it ("payment", "hospital",
    # "serving"), so a label word that is one of them says nothing about this point.
    asked = {stem(t) for t in pattern(question)}
    label = {stem(t) for t in pattern(kp.label) if t not in GENERIC and len(t) > 2} - asked
    # A one-word phrase of the prompt is a search keyword: alone it is "keyword
    # coverage" ("drift in my career", "shadow a senior engineer"), so it weighs 1.
    keywords = {p for p in kp.phrases if len(pattern(p)) == 1}
    strong = frozenset(p for p in phrases if _strong(p) and p not in keywords)
    return Cues(phrases, strong, frozenset(label))


def _negated(tr: Transcript, first: int, reach: int = 5) -> bool:
    """A negation within `reach` tokens before `first`, in the same clause."""
    texts, toks = tr.texts, tr.tokens
    for i in range(first - 1, max(-1, first - 1 - reach), -1):
        if toks[i].last_in_word and tr.clause_end[toks[i].word]:
            return False  # a comma or full stop between: another clause
        if texts[i] in NEGATORS and texts[i + 1] not in _NOT_NEGATING:
            return True
    return False


def weigh_sentence(tr: Transcript, cues: Cues, first: int, last: int
                   ) -> tuple[int, Match | None]:
    """The weight of the cues in tokens first..last, and the strongest cue found."""
    texts = tr.texts[first:last + 1]
    weight, best, used = 0, None, set()
    for m in lexicon(cues.phrases).find(texts):
        at = Match(m.phrase, m.first + first, m.last + first)
        if _negated(tr, at.first):
            continue
        strong = m.phrase in cues.strong
        weight += 2 if strong else 1
        used.update(range(m.first, m.last + 1))
        # Evidence: the first cue, or the first specific one after common ones.
        if best is None or (strong and best.phrase not in cues.strong):
            best = at
    # Label words support a cue but never make the point alone ("payments" and
    # "scoring" are in the latency point's label and in any fraud answer).
    for i, t in enumerate(texts):
        if i not in used and stem(t) in cues.label_stems and not _negated(tr, i + first):
            weight += 1
            best = best or Match(t, i + first, i + first)
            break
    return weight, best


def cues_of(prompt: Prompt, kp: KeyPoint) -> Cues:
    """The cues of one of the prompt's key points. A follow-up's points are its
    parent's, and so are their senses; its own question is the one answered."""
    return cues_for(prompt.parent or prompt.id, kp, prompt.text)


def warm(prompts: Iterable[Prompt]) -> None:
    """Compile every key point's cues now (0.17 s for the bank, half of it reading the
    senses), so the first report of a session does not pay for it."""
    for prompt in prompts:
        for kp in prompt.key_points:
            lexicon(cues_of(prompt, kp).phrases)


def find_key_point(tr: Transcript, kp: KeyPoint, prompt: Prompt) -> Match | None:
    """The first place the answer makes the prompt's key point (its clearest cue), or
    None."""
    cues = cues_of(prompt, kp)
    for s in tr.sentences:
        weight, best = weigh_sentence(tr, cues, s.first, s.last)
        if weight >= MAKES_POINT:
            return best
    return None
