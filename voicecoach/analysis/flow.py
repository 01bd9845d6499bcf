"""Stream of consciousness versus structured thinking aloud.

The article's "stream-of-consciousness trap": answering before framing, narrating
every thought, abandoning paths, chaining clauses with "and then... and so... but
then", hedging without resolving. Thinking aloud is not the fault; thinking aloud
without structure is. So a self-correction now and then costs nothing, and the
answer's style ("structured", "loose", "rambling") is reported with its reasons.
"""

from __future__ import annotations

from voicecoach.analysis.outcome import Outcome, also_at, quote
from voicecoach.analysis.phrases import Match, lexicon
from voicecoach.analysis.rules import ScoringRules
from voicecoach.analysis.text import Transcript

_CLAUSE_CONJ = frozenset({"and", "but", "so"})
# "wait" is a verb too: "wait for the labels", "we wait until".
_WAIT_VERB_AFTER = frozenset({"for", "until", "time", "times", "on", "list", "a", "the"})
_WAIT_VERB_BEFORE = frozenset({"to", "we", "they", "you", "i", "will", "would", "can", "could",
                               "should", "must", "the", "a", "long", "not", "need"})
_DEPENDS_RESOLVED = frozenset({"on", "upon", "whether", "if", "how", "what", "which", "who",
                               "where", "when"})


def analyze_flow(tr: Transcript, rules: ScoringRules, signpost_tokens: list[int],
                 framing_token: int | None, filler_tokens: frozenset[int] = frozenset()
                 ) -> Outcome:
    out = Outcome()
    texts = tr.texts
    n = len(texts)
    if n == 0:
        return out
    minutes = tr.minute_count()

    def span(a: int, b: int) -> str:
        return quote(tr.span_text(max(0, a), min(n - 1, b)))

    # Run-on sentences: long, and not held together by signposts.
    posts = set(signpost_tokens)
    signpost_times = [tr.tokens[i].start for i in signpost_tokens]
    run_ons = [s for s in tr.sentences if s.length > rules.run_on_words
               and sum(1 for t in range(s.first, s.last + 1) if t in posts) < 2]
    if run_ons:
        worst = max(run_ons, key=lambda s: s.length)
        extra = _also(run_ons, worst, lambda s: s.start)
        out.take(min(16, 4 * len(run_ons)), "run-on", "flow",
                 f"{len(run_ons)} run-on sentence{'s' if len(run_ons) > 1 else ''} "
                 f"(longest {worst.length} words){extra}.",
                 "Finish the thought, stop, then start the next one; a full stop gives "
                 "the listener a place to catch up.",
                 worst.start, worst.end, span(worst.first, worst.first + 14))

    # Conjunction chains: "and then... and so... but then".
    # Two-word connectors ("and then") anywhere, or many clause-opening and/so/but
    # inside one sentence; "late, so labels lag, and some fraud..." is ordinary speech.
    chain_marks = [m.first for m in lexicon(rules.connectors).find(texts)]
    chains = _clusters(sorted(set(chain_marks)), rules.chain_window_words, rules.chain_min)
    for s in tr.sentences:
        joins = [i for i in range(s.first + 1, s.last + 1) if texts[i] in _CLAUSE_CONJ
                 and tr.boundary_before(i, 0.3)]
        if len(joins) >= rules.chain_min + 1 and not any(
                c[0] <= joins[-1] and joins[0] <= c[-1] for c in chains):
            chains.append(joins)
    if chains:
        worst = max(chains, key=len)
        extra = _also(chains, worst, lambda c: tr.tokens[c[0]].start)
        out.take(min(12, 4 * len(chains)), "conjunction-chain", "flow",
                 f"Clauses chained with and/so/but ({len(worst)} links in a row){extra}.",
                 "Replace \"and then... and so...\" with separate sentences and a "
                 "signpost: \"Next, ...\".",
                 tr.tokens[worst[0]].start, tr.tokens[worst[-1]].end,
                 span(worst[0], worst[-1] + 2))

    # Self-corrections and abandoned paths.
    corrections = [m for m in lexicon(rules.self_corrections).find(texts)
                   if not _wait_is_verb(texts, m)]
    allowance = max(1, int(minutes))  # one change of mind a minute is normal thinking aloud
    if corrections:
        excess = len(corrections) - allowance
        m = corrections[0]
        out.take(min(15, 4 * max(0, excess)), "self-corrections", "flow",
                 f"{len(corrections)} abandoned path{'s' if len(corrections) > 1 else ''} "
                 f"or self-correction{'s' if len(corrections) > 1 else ''} "
                 f"(\"{m.phrase}\"){_also(corrections, m, lambda c: tr.tokens[c.first].start)}.",
                 "Pause and decide before you speak; if you change course, say so as a "
                 "decision: \"A better option is X, because...\".",
                 tr.tokens[m.first].start, tr.tokens[m.last].end, span(m.first - 4, m.last + 4))

    # Hedges (not the ones already counted as fillers or self-corrections).
    taken = filler_tokens | {i for m in corrections for i in range(m.first, m.last + 1)}
    hedges = [m for m in lexicon(rules.hedges).find(texts)
              if not any(i in taken for i in range(m.first, m.last + 1))]
    for m in hedges:
        out.mark("hedge", tr.tokens[m.first].start, tr.tokens[m.last].end,
                 tr.span_text(m.first, m.last))
    density = 100 * len(hedges) / max(1, len(tr.words))
    if hedges and density > rules.hedge_per_100_max:
        points = 15 if density > 2 * rules.hedge_per_100_max else 8
        top = _most_common([m.phrase for m in hedges])
        out.take(points, "hedging", "flow",
                 f"Hedged {len(hedges)} times ({density:.1f} per 100 words; most: {top}).",
                 "Commit, then qualify once: \"I'd choose X; the risk is Y, and I'd "
                 "watch for it by Z.\"",
                 tr.tokens[hedges[0].first].start, tr.tokens[hedges[-1].last].end,
                 span(hedges[0].first - 3, hedges[0].last + 3))

    # "It depends" left hanging.
    unresolved = [m for m in lexicon(("it depends", "that depends", "depends")).find(texts)
                  if not any(t in _DEPENDS_RESOLVED for t in texts[m.last + 1:m.last + 3])]
    if unresolved:
        m = unresolved[0]
        out.take(min(16, 8 * len(unresolved)), "unresolved-it-depends", "flow",
                 "Said \"it depends\" without saying on what.",
                 "Resolve it: \"It depends on the latency budget: under 50 ms I'd pick X, "
                 "otherwise Y.\"",
                 tr.tokens[m.first].start, tr.tokens[m.last].end, span(m.first - 6, m.last + 2))

    # Long stretches with no signpost (only meaningful in longer answers).
    start, end = tr.words[0].start, tr.words[-1].end
    if end - start > 60:
        marks = [start, *sorted(t for t in signpost_times if start <= t <= end), end]
        stretches = [(a, b) for a, b in zip(marks, marks[1:]) if b - a > rules.signpost_gap_s]
        if stretches:
            a, b = max(stretches, key=lambda ab: ab[1] - ab[0])
            out.take(min(12, 6 * len(stretches)), "no-signpost-stretch", "flow",
                     f"{b - a:.0f} s without a signpost: the listener loses the thread.",
                     "Every 30-45 s, say where you are: \"So that's the data. Next, the "
                     "model.\"", a, b)

    # Answering before framing: the frame arrives after the answer has started.
    if framing_token is not None and framing_token >= rules.framing_window_words:
        t = tr.tokens[framing_token]
        out.take(6, "late-framing", "flow",
                 "The framing came only after the answer had started.",
                 "Frame first, then answer: take a breath and say the plan before the "
                 "first detail.", t.start, t.end, span(framing_token, framing_token + 8))

    penalty = sum(d.points for d in out.deductions)
    structured = framing_token is not None or len(signpost_times) >= 3
    if penalty < 15 and structured:
        style = "structured"
        out.praise("structured-thinking", "flow",
                   "Thought aloud with structure: framed, signposted, few detours")
    elif penalty >= 25 or (chains and not structured):
        style = "rambling"
    else:
        style = "loose"
    out.details = {
        "style": style,
        "run_ons": len(run_ons),
        "chains": len(chains),
        "self_corrections": len(corrections),
        "hedges": len(hedges),
        "hedges_per_100_words": round(density, 2),
        "unresolved_it_depends": len(unresolved),
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
    return ", ".join(f"\"{w}\" x{c}" for w, c in top)


def _also(items, chosen, when) -> str:
    return also_at([when(x) for x in items if x is not chosen])
