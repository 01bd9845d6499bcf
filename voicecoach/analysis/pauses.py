"""Pauses, sorted by what surrounds them, and the rules that judge them.

A pause after a completed sentence, before a new idea, is deliberate: it reads as
confidence and never costs points. A pause inside a phrase ("the ... model") is a
search for the word. A pause followed by a restart or a self-repair ("sorry, where was
I", "the... the model") is a lost thread, whatever precedes it: the listener hears
the speaker lose their place, so it costs delivery points and gets a finding at its
time. (Issue #12: a 3 s silence before "sorry, where was I" had been praised.)
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field

from voicecoach.analysis.outcome import Outcome, also_at, quote
from voicecoach.analysis.phrases import lexicon
from voicecoach.analysis.rules import ScoringRules
from voicecoach.analysis.text import Transcript
from voicecoach.analysis.words import norm
from voicecoach.audio.vad import Span
from voicecoach.report import Metrics

# A pause right after one of these is inside a phrase: the speaker is searching.
_FUNCTION = """
a an the to of for with in on at by from into about as and or but nor so if than that
this these those my our your their its his her is are was were be been being am would
will can could should must might may do does did have has had i we you they it he she
very more most some any each every which who whose whom what where when how not no
because since like just also really
"""
FUNCTION_WORDS = frozenset(_FUNCTION.split())
# A pause right before one of these opens a new idea: deliberate.
_OPENERS = """
first second third next then finally lastly so now after before also another one two
three the let okay right well to in for however but because since if once overall
"""
IDEA_OPENERS = frozenset(_OPENERS.split())
# Said right after a pause, these mean the speaker lost their place.
LOST_THREAD = (
    "sorry", "where was i", "where were we", "what was i saying", "what was i",
    "let me start over", "let me start again", "start over", "lost my train",
    "lost the thread", "lost track", "i forgot", "i lost", "never mind", "scratch that",
    "let me rephrase", "no wait", "wait", "hold on", "anyway", "anyways",
)
_REPAIR_WITHIN = 4  # tokens after the pause a repair phrase may start in
_SKIP = frozenset({"um", "uh", "er", "erm", "hmm", "hm", "ah", "oh", "okay", "ok", "so"})

KINDS = ("between_ideas", "clause", "hesitation", "lost_thread")


def word_before(tr: Transcript, pause: Span) -> int | None:
    """The last word of the run of words that ended by the pause (none: None)."""
    i = bisect_right(tr.ends_by, pause.start + 0.2) - 1
    return i if i >= 0 else None


def classify_pause(tr: Transcript, pause: Span) -> tuple[str, int | None]:
    """'between_ideas' | 'clause' | 'hesitation' | 'lost_thread', and the index of the
    word before it."""
    before = word_before(tr, pause)
    if before is None or before + 1 >= len(tr.words):
        return "between_ideas", before
    if repair_follows(tr, before):
        return "lost_thread", before
    nxt = norm(tr.words[before + 1].text)
    if tr.sentence_end[before]:
        return "between_ideas", before
    prev = norm(tr.words[before].text)
    if tr.clause_end[before]:
        return ("between_ideas" if nxt in IDEA_OPENERS else "clause"), before
    if prev in FUNCTION_WORDS:
        return "hesitation", before
    if nxt in IDEA_OPENERS and nxt not in FUNCTION_WORDS:
        return "between_ideas", before
    return "hesitation", before


def repair_follows(tr: Transcript, before: int) -> bool:
    """After word `before`: a self-repair phrase within the first few words, or a
    restart (the words before the pause said again)."""
    toks = tr.tokens
    first = tr.first_token.get(before + 1)
    if first is None:
        return False
    texts = tr.texts
    after = first
    while after < len(toks) and texts[after] in _SKIP:
        after += 1
    window = texts[after:after + _REPAIR_WITHIN + 3]
    for m in lexicon(LOST_THREAD).find(window):
        if m.first < _REPAIR_WITHIN and not _wait_is_verb(window, m.first):
            return True
    for size in (3, 2, 1):
        # "the data [2 s] the data is", "we [2 s] we": the words before, said again;
        # "[2 s] the, the labels": a stutter right after the silence.
        a = texts[max(0, first - size):first]
        if len(a) == size and texts[after:after + size] == a and \
                not (size == 1 and a[0] not in FUNCTION_WORDS):
            return True
        b = texts[after:after + size]
        if len(b) == size and texts[after + size:after + 2 * size] == b:
            return True
    return False


def _wait_is_verb(texts: list[str], i: int) -> bool:
    return texts[i] == "wait" and i + 1 < len(texts) and texts[i + 1] in ("for", "until")


@dataclass
class PauseContext:
    tr: Transcript
    rules: ScoringRules
    metrics: Metrics
    kinds: dict[str, list[Span]] = field(default_factory=lambda: {k: [] for k in KINDS})
    contexts: dict[Span, str] = field(default_factory=dict)

    def counted(self, kind: str) -> list[Span]:
        """The pauses of `kind` long enough to count (`hesitation_min_s`)."""
        return [p for p in self.kinds[kind] if p.duration >= self.rules.hesitation_min_s]


def sort_pauses(tr: Transcript, pauses: list[Span], c: PauseContext) -> None:
    for p in pauses:
        kind, before = classify_pause(tr, p)
        c.kinds[kind].append(p)
        if before is not None:
            said = " ".join(w.text for w in tr.words[max(0, before - 3):before + 1])
            then = " ".join(w.text for w in tr.words[before + 1:before + 5])
            c.contexts[p] = f"{said} [{p.duration:.1f} s] {then}"


def long_start(c: PauseContext, out: Outcome) -> None:
    if c.metrics.think_time_s > c.rules.think_time_max_s:
        out.take(4, "long-start", "pauses",
                 f"{c.metrics.think_time_s:.0f} s of silence before the first word.",
                 "If you need time, say so: \"Let me take a moment to structure this.\"",
                 0.0, c.metrics.think_time_s)


def _longest(c: PauseContext, kind: str) -> tuple[list[Span], Span, str] | None:
    """The pauses of `kind` long enough to count, the longest, and where the others are."""
    found = c.counted(kind)
    if not found:
        return None
    worst = max(found, key=lambda p: p.duration)
    return found, worst, also_at([p.start for p in found if p is not worst])


def lost_thread(c: PauseContext, out: Outcome) -> None:
    if (got := _longest(c, "lost_thread")) is None:
        return
    found, worst, also = got
    out.take(min(15, 8 * len(found)), "lost-thread", "pauses",
             f"Lost the thread: a {worst.duration:.1f} s silence, then a restart or an "
             f"apology{also}.",
             "When you lose your place, recap instead of apologising: \"So far: the "
             "data and the model. Next, monitoring.\"",
             worst.start, worst.end, quote(c.contexts.get(worst, "")))


def hesitations(c: PauseContext, out: Outcome) -> None:
    if (got := _longest(c, "hesitation")) is None:
        return
    found, worst, also = got
    out.take(min(15, 3 * len(found)), "hesitation", "pauses",
             f"{len(found)} pause{'s' if len(found) > 1 else ''} of "
             f"{c.rules.hesitation_min_s:g} s or more in the middle of a phrase (longest "
             f"{worst.duration:.1f} s){also}.",
             "Pause between ideas, not inside them: finish the phrase, then stop.",
             worst.start, worst.end, quote(c.contexts.get(worst, "")))


def long_silences(c: PauseContext, out: Outcome) -> None:
    lost = set(c.kinds["lost_thread"])
    found = [p for kind in KINDS for p in c.kinds[kind]
             if p.duration >= c.rules.long_silence_s and p not in lost]
    if not found:
        return
    worst = max(found, key=lambda p: p.duration)
    out.take(min(10, 5 * len(found)), "long-silence", "pauses",
             f"A {worst.duration:.0f} s silence mid-answer: the listener wonders if "
             "you are lost.",
             "Think out loud through the gap: \"I'm weighing two options here...\"",
             worst.start, worst.end, quote(c.contexts.get(worst, "")))


def deliberate(c: PauseContext, out: Outcome) -> None:
    """Praise needs positive evidence (two pauses between ideas) and no pause fault."""
    found = [p for p in c.kinds["between_ideas"] if p.duration < c.rules.long_silence_s]
    faulted = any(d.finding.category == "pauses" for d in out.deductions)
    if len(found) >= 2 and not faulted:
        out.praise("deliberate-pauses", "pauses",
                   f"Paused between ideas ({len(found)} times): deliberate pauses read "
                   "as confidence", found[0].start, quote(c.contexts.get(found[0], "")))


PAUSE_RULES: tuple[Callable[[PauseContext, Outcome], None], ...] = (
    long_start, lost_thread, hesitations, long_silences, deliberate)


def analyze_pauses(tr: Transcript, pauses: list[Span], metrics: Metrics,
                   rules: ScoringRules, out: Outcome) -> PauseContext:
    c = PauseContext(tr, rules, metrics)
    sort_pauses(tr, pauses, c)
    for rule in PAUSE_RULES:
        rule(c, out)
    return c
