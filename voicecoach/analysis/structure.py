"""The shape of the reasoning, judged the way the article's interviewers judge it.

Elements a strong answer shows (framing, signposts, clarifying questions, data before
model, constraints, tradeoffs, risks, monitoring, a closing summary) each carry a
weight; the structure score is the share of expected weight present, minus the
article's anti-patterns (opening with a model, tool lists without reasons,
over-engineering). Which elements are expected depends on the prompt category
(behavioral answers are judged on outcome and lesson instead of data and monitoring)
and on length (a 20-word answer is not asked for a summary).
"""

from __future__ import annotations

from voicecoach.analysis.outcome import Outcome, quote
from voicecoach.analysis.phrases import Match, lexicon
from voicecoach.analysis.rules import FRAME_PRINCIPLE, FRAME_WHY_HOW, ScoringRules
from voicecoach.analysis.text import Transcript

TECHNICAL = ("framing", "signposts", "clarify", "data_first", "constraints", "tradeoffs",
             "risks", "monitoring", "summary")
BEHAVIORAL = ("framing", "signposts", "tradeoffs", "risks", "outcome", "learning", "summary")

# Messages and tips for a missing element; {..} filled from what was heard.
MISSING = {
    "framing": ("no-framing", "No framing sentence at the start, so the listener cannot "
                "tell where the answer is going.",
                "Open with your plan in one sentence: \"Let me structure this in three "
                "parts: the data, the model, and how we run it.\""),
    "signposts": ("no-signposts", "No signposts (first, next, finally), so the parts of "
                  "the answer blur together.",
                  "Say where you are: \"First...\", \"Next...\", \"Finally...\"."),
    "clarify": ("no-clarifying", "No clarifying question or stated assumption.",
                "Ask what changes the design (real-time or batch? acceptable latency? cost "
                "of a false positive?) or state your assumptions out loud."),
    "data_first": ("no-data", "The data never came up: labels, quality, leakage, "
                   "imbalance.",
                   "Talk about data before models: \"Let's start by understanding the data: "
                   "the schema, how labels are made, leakage, imbalance.\""),
    "constraints": ("no-constraints", "No constraint named (latency, cost, memory, scale).",
                    "Anchor choices in a constraint: \"Since latency matters more than a "
                    "1-2% accuracy gain, I'd keep P95 under 40 ms.\""),
    "tradeoffs": ("no-tradeoffs", "No explicit tradeoff: choices are stated, not weighed.",
                  "Say what each choice costs: \"it gains accuracy, but costs memory and "
                  "interpretability.\""),
    "risks": ("no-risks", "No risks or failure modes.",
              "Say what could go wrong and what you would do then: leakage, drift, bias, "
              "a fallback."),
    "monitoring": ("no-monitoring", "Nothing on monitoring: how you would know it broke "
                   "in production.",
                   "Add how you would watch it: input and output distributions, alerts, "
                   "drift, retraining triggers, a fallback."),
    "summary": ("no-summary", "No closing summary.",
                "End with one sentence that ties it together: \"To summarize: ...\"."),
    "outcome": ("no-outcome", "No measurable outcome of the story.",
                "Close the story with a result in numbers: what improved, by how much."),
    "learning": ("no-learning", "No lesson learned.",
                 "Say what you learned and what you do differently since."),
}

PRAISE = {
    "framing": "Framed the answer up front",
    "signposts": "Signposted the parts of the answer",
    "clarify": "Clarified the problem or stated assumptions",
    "data_first": "Discussed the data before any model",
    "constraints": "Anchored choices in constraints",
    "tradeoffs": "Made tradeoffs explicit",
    "risks": "Raised risks and failure modes",
    "monitoring": "Covered monitoring and what happens in production",
    "summary": "Closed with a summary",
    "outcome": "Gave a measurable outcome",
    "learning": "Said what was learned",
}

_NOT_SIGNPOST_BEFORE = frozenset({"per", "a", "one", "split", "milli", "every", "at",
                                  "the", "in", "for"})
_PAUSE_AFTER_SIGNPOST = frozenset({"and", "but", "so"})


def profile_for(category: str | None) -> tuple[str, ...]:
    return BEHAVIORAL if category == "Behavioral" else TECHNICAL


def signpost_matches(tr: Transcript, rules: ScoringRules) -> list[Match]:
    """Signposts, plus "then" when it opens a clause (not "and then", a chain)."""
    texts = tr.texts
    out = []
    for m in lexicon(rules.signposts).find(texts):
        before = texts[m.first - 1] if m.first else ""
        # "per second", "the first model" are not signposts; "the first" is listed
        # explicitly as a phrase, so only a lone ordinal after these is skipped.
        if m.phrase in ("second", "first", "third", "last", "next") and \
                before in _NOT_SIGNPOST_BEFORE:
            continue
        out.append(m)
    for i, t in enumerate(tr.tokens):
        if t.text == "then" and tr.boundary_before(i, 0.3) and \
                (i == 0 or texts[i - 1] not in _PAUSE_AFTER_SIGNPOST):
            out.append(Match("then", i, i))
    return sorted(out, key=lambda m: m.first)


def analyze_structure(tr: Transcript, rules: ScoringRules, category: str | None = None
                      ) -> Outcome:
    out = Outcome()
    texts = tr.texts
    n = len(texts)
    words = len(tr.words)
    find = {name: lexicon(getattr(rules, name)).find(texts) for name in (
        "framing", "clarify", "data", "models", "tools", "reasons", "constraints",
        "tradeoffs", "risks", "monitoring", "summary", "overengineering", "simplicity",
        "outcome", "learning")}
    signposts = signpost_matches(tr, rules)
    for m in signposts:
        out.mark("signpost", tr.tokens[m.first].start, tr.tokens[m.last].end,
                 tr.span_text(m.first, m.last))

    def at(m: Match) -> float:
        return tr.tokens[m.first].start

    def said(m: Match, pad: int = 0) -> str:
        return quote(tr.span_text(max(0, m.first - pad), min(n - 1, m.last + pad))
                     ).strip(" ,.;:?!")

    present: dict[str, Match | None] = {}
    framing = [m for m in find["framing"] if m.first < rules.framing_window_words]
    present["framing"] = framing[0] if framing else None
    present["signposts"] = signposts[1] if len(signposts) >= 2 else None
    # A question asked in the first half counts as clarifying, even unlisted.
    questions = [Match("?", s.first, s.last) for s in tr.sentences
                 if tr.words[tr.tokens[s.last].word].text.rstrip().endswith("?")
                 and s.first < 0.5 * n]
    present["clarify"] = find["clarify"][0] if find["clarify"] else (
        questions[0] if questions else None)
    first_data = find["data"][0] if find["data"] else None
    first_model = find["models"][0] if find["models"] else None
    model_first = first_model is not None and (first_data is None
                                               or first_model.first < first_data.first)
    present["data_first"] = first_data if first_data and not model_first else None
    for name in ("constraints", "tradeoffs", "risks", "monitoring", "outcome", "learning"):
        present[name] = find[name][0] if find[name] else None
    tail = n - max(1, int(n * rules.summary_window_frac))
    closing = [m for m in find["summary"] if m.first >= tail]
    present["summary"] = closing[0] if closing else None

    expected = [e for e in profile_for(category) if _long_enough(e, words, rules)]
    weights = {e: rules.structure_weights.get(e, 0) for e in expected}
    total = sum(weights.values()) or 1
    for element in expected:
        match = present.get(element)
        if match is not None:
            out.praise(element, "structure", PRAISE[element], at(match), said(match))
            continue
        fid, message, tip = MISSING[element]
        points = weights[element] * 100 / total
        if element == "data_first" and model_first:
            out.take(points, "model-before-data", "structure",
                     f"Named a model (\"{said(first_model)}\") before saying anything "
                     "about the data.", MISSING["data_first"][2], at(first_model),
                     tr.tokens[first_model.last].end, said(first_model, 4))
            continue
        out.take(points, fid, "structure", message, tip)

    _anti_patterns(out, tr, rules, find, present)
    out.details = {
        "profile": "behavioral" if category == "Behavioral" else "technical",
        "expected": expected,
        "elements": {e: present.get(e) is not None for e in weights},
        "signposts": len(signposts),
        "signpost_times": [round(at(m), 2) for m in signposts],
        "signpost_tokens": [m.first for m in signposts],
        "framing_at": round(at(find["framing"][0]), 2) if find["framing"] else None,
        "framing_token": find["framing"][0].first if find["framing"] else None,
        "frames": frames_coverage(texts),
    }
    for frame, parts in out.details["frames"].items():
        if all(parts.values()):
            out.praise(f"frame-{frame}", "structure",
                       f"Covered the whole {FRAME_NAMES[frame]} frame")
    return out


def _long_enough(element: str, words: int, rules: ScoringRules) -> bool:
    need = {"framing": rules.min_words_framing, "signposts": rules.min_words_signposts,
            "summary": rules.min_words_summary}.get(element, 0)
    return words >= need


def _anti_patterns(out: Outcome, tr: Transcript, rules: ScoringRules,
                   find: dict[str, list[Match]], present: dict[str, Match | None]) -> None:
    n = len(tr.tokens)

    def span(a: int, b: int) -> str:
        return quote(tr.span_text(max(0, a), min(n - 1, b))).strip(" ,.;:?!")

    # Opening with a model or tool, before any framing, data, question or reason.
    choices = sorted(find["models"] + find["tools"], key=lambda m: m.first)
    if choices and choices[0].first < rules.opening_window_words:
        first = choices[0]
        context = [m for k in ("framing", "data", "clarify", "reasons", "constraints")
                   for m in find[k] if m.first < first.first]
        if not context:
            out.take(10, "opening-with-model", "structure",
                     f"Opened with a model or tool (\"{span(first.first, first.last)}\") "
                     "instead of the problem.",
                     "Start from the goal and the data; bring in the model once you can say "
                     "why it fits.",
                     tr.tokens[first.first].start, tr.tokens[first.last].end,
                     span(0, first.last + 3))

    # Tool lists: several tools in a row with no reason between them.
    tools = sorted({m.first: m for m in find["tools"] + find["models"]}.values(),
                   key=lambda m: m.first)
    reasons = {m.first for m in find["reasons"] + find["tradeoffs"] + find["constraints"]}
    runs: list[list[Match]] = []
    for m in tools:
        if runs and m.first - runs[-1][-1].last <= rules.tool_list_gap_words + 1 and \
                not any(runs[-1][-1].last < r < m.first for r in reasons):
            runs[-1].append(m)
        else:
            runs.append([m])
    lists = [r for r in runs if len({m.phrase for m in r}) >= rules.tool_list_min]
    if lists:
        worst = max(lists, key=len)
        out.take(10, "tool-list", "structure",
                 f"Listed {len(worst)} tools in a row without saying why "
                 f"({', '.join(span(m.first, m.last) for m in worst)}).",
                 "For each tool, give the reason and the cost: \"because decisions affect "
                 "users, I'd use SHAP, but I'd check attribution stability.\"",
                 tr.tokens[worst[0].first].start, tr.tokens[worst[-1].last].end,
                 span(worst[0].first, worst[-1].last))
    else:
        # A single choice with no reason, tradeoff or constraint in its sentence or the next.
        unjustified = []
        for m in choices:
            s = tr.tokens[m.first].sentence
            near = [r for r in reasons if tr.tokens[r].sentence in (s, s + 1)]
            if not near:
                unjustified.append(m)
        if unjustified:
            m = unjustified[0]
            out.take(5, "unjustified-choice", "structure",
                     f"Chose \"{span(m.first, m.last)}\" without a reason, tradeoff or "
                     "constraint.",
                     "Say why it fits this problem and what it costs: Principle, Technique, "
                     "Limitation, Decision.",
                     tr.tokens[m.first].start, tr.tokens[m.last].end,
                     span(m.first - 3, m.last + 4))

    # Over-engineering: heavy machinery with no word of simplicity or a baseline.
    if find["overengineering"] and not find["simplicity"]:
        m = find["overengineering"][0]
        out.take(10, "over-engineering", "structure",
                 f"Reached for heavy machinery (\"{span(m.first, m.last)}\") with no "
                 "simple baseline.",
                 "Start from the simplest model that could work, and say what evidence "
                 "would justify something bigger.",
                 tr.tokens[m.first].start, tr.tokens[m.last].end, span(m.first - 3, m.last + 3))


FRAME_NAMES = {
    "why_how": "Why / How / What else / Limitations / Impact",
    "principle": "Principle -> Technique -> Limitation -> Decision",
}


def frames_coverage(texts: list[str]) -> dict[str, dict[str, bool]]:
    """Which parts of the article's two answer frames the answer touched."""
    return {
        "why_how": {part: bool(lexicon(phrases).find(texts))
                    for part, phrases in FRAME_WHY_HOW.items()},
        "principle": {part: bool(lexicon(phrases).find(texts))
                      for part, phrases in FRAME_PRINCIPLE.items()},
    }
