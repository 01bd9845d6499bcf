"""Stream of consciousness versus structured thinking aloud.

The article's "stream-of-consciousness trap": answering before framing, narrating
every thought, abandoning paths, chaining clauses with "and then... and so... but
then", hedging without resolving. Thinking aloud is not the fault; thinking aloud
without structure is. So a self-correction now and then costs nothing, and the
answer's style ("structured", "loose", "rambling") is reported with its reasons.

Each rule is a small function over one shared `FlowContext`; `FLOW_RULES` lists them
in the order they run (later rules read what earlier ones found, e.g. the hedge rule
skips words the self-correction rule took).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from voicecoach.analysis.outcome import Outcome, also_at, densest, quote
from voicecoach.analysis.phrases import Match, lexicon
from voicecoach.analysis.rules import ScoringRules
from voicecoach.analysis.text import Transcript
from voicecoach.timefmt import clock

_CLAUSE_CONJ = frozenset({"and", "but", "so"})
# "wait" is a verb too: "wait for the labels", "we wait until".
_WAIT_VERB_AFTER = frozenset({"for", "until", "time", "times", "on", "list", "a", "the"})
_WAIT_VERB_BEFORE = frozenset({"to", "we", "they", "you", "i", "will", "would", "can", "could",
                               "should", "must", "the", "a", "long", "not", "need"})
_DEPENDS_RESOLVED = frozenset({"on", "upon", "whether", "if", "how", "what", "which", "who",
                               "where", "when"})
# Deductions that say the answer's thinking aloud lacked structure: with any of them,
# the answer is not praised as "structured, few detours" (analysis/consistency.py).
DETOURS = ("run-on", "conjunction-chain", "self-corrections", "late-framing",
           "no-signpost-stretch", "unresolved-it-depends")


@dataclass
class FlowContext:
    tr: Transcript
    rules: ScoringRules
    signpost_tokens: list[int]
    framing_token: int | None
    filler_tokens: frozenset[int]
    found: dict[str, Any] = field(default_factory=dict)  # what each rule found, for later ones

    @property
    def texts(self) -> list[str]:
        return self.tr.texts

    def span(self, a: int, b: int) -> str:
        n = len(self.tr.tokens)
        return quote(self.tr.span_text(max(0, a), min(n - 1, b)))

    def at(self, tok: int) -> float:
        return self.tr.tokens[tok].start


Rule = Callable[[FlowContext, Outcome], None]


def run_ons(c: FlowContext, out: Outcome) -> None:
    """Long sentences not held together by signposts."""
    posts = set(c.signpost_tokens)
    found = [s for s in c.tr.sentences if s.length > c.rules.run_on_words
             and sum(1 for t in range(s.first, s.last + 1) if t in posts) < 2]
    c.found["run_ons"] = found
    if not found:
        return
    worst = max(found, key=lambda s: s.length)
    extra = _also(found, worst, lambda s: s.start)
    out.take(min(16, 4 * len(found)), "run-on", "flow",
             f"{len(found)} run-on sentence{'s' if len(found) > 1 else ''} "
             f"(longest {worst.length} words){extra}.",
             "Finish the thought, stop, then start the next one; a full stop gives "
             "the listener a place to catch up.",
             worst.start, worst.end, c.span(worst.first, worst.first + 14))


def conjunction_chains(c: FlowContext, out: Outcome) -> None:
    """Two-word connectors ("and then") anywhere, or many clause-opening and/so/but
    inside one sentence; "late, so labels lag, and some fraud..." is ordinary speech."""
    tr, rules, texts = c.tr, c.rules, c.texts
    marks = [m.first for m in lexicon(rules.connectors).find(texts)]
    chains = _clusters(sorted(set(marks)), rules.chain_window_words, rules.chain_min)
    for s in tr.sentences:
        joins = [i for i in range(s.first + 1, s.last + 1) if texts[i] in _CLAUSE_CONJ
                 and tr.boundary_before(i, 0.3)]
        if len(joins) >= rules.chain_min + 1 and not any(
                ch[0] <= joins[-1] and joins[0] <= ch[-1] for ch in chains):
            chains.append(joins)
    c.found["chains"] = chains
    if not chains:
        return
    worst = max(chains, key=len)
    extra = _also(chains, worst, lambda ch: c.at(ch[0]))
    out.take(min(12, 4 * len(chains)), "conjunction-chain", "flow",
             f"Clauses chained with and/so/but ({len(worst)} links in a row){extra}.",
             "Replace \"and then... and so...\" with separate sentences and a "
             "signpost: \"Next, ...\".",
             c.at(worst[0]), tr.tokens[worst[-1]].end, c.span(worst[0], worst[-1] + 2))


def self_corrections(c: FlowContext, out: Outcome) -> None:
    """Abandoned paths; one change of mind a minute is normal thinking aloud."""
    texts = c.texts
    found = [m for m in lexicon(c.rules.self_corrections).find(texts)
             if not _wait_is_verb(texts, m)]
    c.found["corrections"] = found
    if not found:
        return
    allowance = max(1, int(c.tr.minute_count()))
    excess = len(found) - allowance
    m = found[0]
    plural = "s" if len(found) > 1 else ""
    out.take(min(15, 4 * max(0, excess)), "self-corrections", "flow",
             f"{len(found)} abandoned path{plural} or self-correction{plural} "
             f"({m.phrase}){_also(found, m, lambda x: c.at(x.first))}.",
             "Pause and decide before you speak; if you change course, say so as a "
             "decision: \"A better option is X, because...\".",
             c.at(m.first), c.tr.tokens[m.last].end, c.span(m.first - 4, m.last + 4))


def hedging(c: FlowContext, out: Outcome) -> None:
    """Hedges, except words already counted as fillers or self-corrections."""
    tr, rules = c.tr, c.rules
    taken = c.filler_tokens | {i for m in c.found.get("corrections", [])
                               for i in range(m.first, m.last + 1)}
    hedges = [m for m in lexicon(rules.hedges).find(c.texts)
              if not any(i in taken for i in range(m.first, m.last + 1))]
    c.found["hedges"] = hedges
    for m in hedges:
        out.mark("hedge", c.at(m.first), tr.tokens[m.last].end, tr.span_text(m.first, m.last))
    density = 100 * len(hedges) / max(1, len(tr.words))
    c.found["hedge_density"] = density
    if not hedges or density <= rules.hedge_per_100_max:
        return
    points = 15 if density > 2 * rules.hedge_per_100_max else 8
    top = _most_common([m.phrase for m in hedges])
    worst = hedges[densest([c.at(m.first) for m in hedges])]
    out.take(points, "hedging", "flow",
             f"Hedged {len(hedges)} times ({density:.1f} per 100 words; most: {top}).",
             "Commit, then qualify once: \"I'd choose X; the risk is Y, and I'd "
             "watch for it by Z.\"",
             c.at(worst.first), tr.tokens[worst.last].end,
             c.span(worst.first - 3, worst.last + 3))


def unresolved_depends(c: FlowContext, out: Outcome) -> None:
    """"It depends" left hanging."""
    texts = c.texts
    found = [m for m in lexicon(("it depends", "that depends", "depends")).find(texts)
             if not any(t in _DEPENDS_RESOLVED for t in texts[m.last + 1:m.last + 3])]
    c.found["unresolved"] = found
    if not found:
        return
    m = found[0]
    out.take(min(16, 8 * len(found)), "unresolved-it-depends", "flow",
             "Said \"it depends\" without saying on what.",
             "Resolve it: \"It depends on the latency budget: under 50 ms I'd pick X, "
             "otherwise Y.\"",
             c.at(m.first), c.tr.tokens[m.last].end, c.span(m.first - 6, m.last + 2))


def signpost_stretches(c: FlowContext, out: Outcome) -> None:
    """Long stretches with no signpost (only meaningful in longer answers)."""
    tr = c.tr
    start, end = tr.words[0].start, tr.words[-1].end
    if end - start <= 60:
        return
    times = sorted(c.at(i) for i in c.signpost_tokens)
    marks = [start, *(t for t in times if start <= t <= end), end]
    stretches = [(a, b) for a, b in zip(marks, marks[1:]) if b - a > c.rules.signpost_gap_s]
    if not stretches:
        return
    a, b = max(stretches, key=lambda ab: ab[1] - ab[0])
    # The place to add a signpost: the first sentence that starts well into the stretch.
    where = next((s for s in tr.sentences if s.start >= a + 15 and s.start < b), None)
    out.take(min(12, 6 * len(stretches)), "no-signpost-stretch", "flow",
             f"{b - a:.0f} s without a signpost ({_clock_range(a, b)}): the listener "
             "loses the thread.",
             "Every 30-45 s, say where you are: \"So that's the data. Next, the model.\"",
             where.start if where else a, where.end if where else b,
             c.span(where.first, where.first + 12) if where else "")


def late_framing(c: FlowContext, out: Outcome) -> None:
    """Answering before framing: the frame arrives after the answer has started."""
    tok = c.framing_token
    if tok is None or tok < c.rules.framing_window_words:
        return
    t = c.tr.tokens[tok]
    out.take(6, "late-framing", "flow",
             "The framing came only after the answer had started.",
             "Frame first, then answer: take a breath and say the plan before the "
             "first detail.", t.start, t.end, c.span(tok, tok + 8))


def thinking_style(c: FlowContext, out: Outcome) -> None:
    """Structured, loose or rambling; praised only with no detour found."""
    penalty = sum(d.points for d in out.deductions)
    structured = c.framing_token is not None or len(c.signpost_tokens) >= 3
    detours = [d for d in out.deductions if d.finding.id in DETOURS]
    if penalty < 15 and structured:
        c.found["style"] = "structured"
        if not detours:
            first = c.framing_token if c.framing_token is not None else c.signpost_tokens[0]
            out.praise("structured-thinking", "flow",
                       "Thought aloud with structure: framed, signposted, few detours",
                       c.at(first), c.span(first, first + 8))
    elif penalty >= 25 or (c.found.get("chains") and not structured):
        c.found["style"] = "rambling"
    else:
        c.found["style"] = "loose"


FLOW_RULES: tuple[Rule, ...] = (run_ons, conjunction_chains, self_corrections, hedging,
                                unresolved_depends, signpost_stretches, late_framing,
                                thinking_style)


def analyze_flow(tr: Transcript, rules: ScoringRules, signpost_tokens: list[int],
                 framing_token: int | None, filler_tokens: frozenset[int] = frozenset()
                 ) -> Outcome:
    out = Outcome()
    if not tr.tokens:
        return out
    c = FlowContext(tr, rules, signpost_tokens, framing_token, filler_tokens)
    for rule in FLOW_RULES:
        rule(c, out)
    f = c.found
    out.details = {
        "style": f["style"],
        "run_ons": len(f["run_ons"]),
        "chains": len(f["chains"]),
        "self_corrections": len(f["corrections"]),
        "hedges": len(f["hedges"]),
        "hedges_per_100_words": round(f["hedge_density"], 2),
        "unresolved_it_depends": len(f["unresolved"]),
        "sentences": len(tr.sentences),
        "punctuated": tr.punctuated,
    }
    return out


def _wait_is_verb(texts: list[str], m: Match) -> bool:
    if m.phrase != "wait":
        return False
    before = texts[m.first - 1] if m.first else ""
    after = texts[m.last + 1] if m.last + 1 < len(texts) else ""
    return before in _WAIT_VERB_BEFORE or after in _WAIT_VERB_AFTER


def _clusters(positions: list[int], window: int, min_count: int) -> list[list[int]]:
    """Maximal runs where each mark is within `window` tokens of the run's first mark."""
    out: list[list[int]] = []
    i = 0
    while i < len(positions):
        j = i
        while j + 1 < len(positions) and positions[j + 1] - positions[i] <= window:
            j += 1
        if j - i + 1 >= min_count:
            out.append(positions[i:j + 1])
            i = j + 1
        else:
            i += 1
    return out


def _most_common(items: list[str], k: int = 3) -> str:
    counts: dict[str, int] = {}
    for x in items:
        counts[x] = counts.get(x, 0) + 1
    top = sorted(counts.items(), key=lambda kv: -kv[1])[:k]
    return ", ".join(f"{w} x{c}" for w, c in top)


def _clock_range(a: float, b: float) -> str:
    return f"{clock(a)}-{clock(b)}"


def _also(items, chosen, when) -> str:
    return also_at([when(x) for x in items if x is not chosen])

