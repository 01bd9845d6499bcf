"""Content coverage: which of a prompt's key points the answer touched.

Each key point in `prompts/*.toml` lists the phrases that count as touching it; a
phrase counts when it occurs as whole words (see voicecoach.prompts.KeyPoint).
"""

from __future__ import annotations

from typing import Any

from voicecoach.analysis.outcome import Outcome, quote
from voicecoach.analysis.phrases import lexicon
from voicecoach.analysis.text import Transcript
from voicecoach.prompts import Prompt


def analyze_coverage(tr: Transcript, prompt: Prompt) -> Outcome:
    out = Outcome()
    texts = tr.texts
    points: list[dict[str, Any]] = []
    for kp in prompt.key_points:
        hits = lexicon(tuple(kp.phrases)).find(texts)
        hit = hits[0] if hits else None
        points.append({
            "id": kp.id,
            "label": kp.label,
            "touched": hit is not None,
            "start": round(tr.tokens[hit.first].start, 3) if hit else None,
            "evidence": quote(tr.span_text(max(0, hit.first - 3),
                                           min(len(texts) - 1, hit.last + 3))) if hit else "",
        })
    total = len(points)
    touched = [p for p in points if p["touched"]]
    missed = [p for p in points if not p["touched"]]
    score = round(100 * len(touched) / total) if total else 100
    if missed:
        shown = "; ".join(p["label"] for p in missed[:2])
        more = f"; and {len(missed) - 2} more" if len(missed) > 2 else ""
        out.take(100 - score, "missed-key-points", "content",
                 f"Missed {len(missed)} of {total} key points: {shown}{more}.",
                 f"Next take, cover: {missed[0]['label'].lower()}.")
    if touched:
        out.praise("key-points", "content",
                   f"Touched {len(touched)} of {total} key points", touched[0]["start"])
    out.details = {"prompt_id": prompt.id, "touched": len(touched), "total": total,
                   "score": score, "key_points": points}
    return out
