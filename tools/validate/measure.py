"""One report against one labeled clip, and one decoding configuration over a corpus.

- filler precision/recall: a flag matches a labeled filler when they overlap within
  +-0.4 s, one-to-one; labels without a time (real transcripts the TextGrid does not
  time) take the flags left over, by count within the clip;
- pauses: every labeled pause of 1 s or more found within +-0.3 s;
- wpm error against the true speaking span; WER and invented phrases (`align`).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from tools.validate.align import (
    Invented,
    hypothesis_tokens,
    invented_phrases,
    reference_tokens,
    wer_counts,
)
from tools.validate.corpus import TARGET_PAUSE_S, Label, LabeledClip

MATCH_TOLERANCE_S = 0.4  # Whisper's word times for fillers are this loose (measured)
PAUSE_TOLERANCE_S = 0.3
TRACES = ("isolated", "between", "lead", "long-word", "island")
FILLED_KINDS = ("filled_pause", "acoustic")
CONTEXT_S = 1.5  # words shown around a false or missed filler


@dataclass
class ClipResult:
    id: str
    voice: str
    heldout: bool = False
    group: str = "synthetic"
    filled_labels: int = 0
    filled_found: int = 0  # labels matched by any detection
    filled_found_lexical: int = 0  # ... by a transcribed filler word
    discourse_labels: int = 0
    discourse_found: int = 0
    detections: int = 0  # filled_pause + acoustic + discourse flags
    correct: int = 0  # of those, matched to a labeled filler
    filled_detections: int = 0  # filled_pause + acoustic flags
    filled_correct: int = 0
    false_flags: list[str] = field(default_factory=list)
    pauses: int = 0
    pauses_found: int = 0
    pause_errors: list[float] = field(default_factory=list)
    false_pauses: int = 0
    wpm_true: float = 0.0
    wpm_measured: float = 0.0
    wer: float = 0.0
    wer_edits: int = 0
    wer_words: int = 0
    invented: list[Invented] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # every filler/pause error, in context
    traces: dict[str, list[int]] = field(default_factory=dict)  # trace -> [correct, total]
    seconds: float = 0.0  # audio length

    @property
    def invented_count(self) -> int:
        return sum(not x.misheard for x in self.invented)


def match(detections: list, labels: list[Label], tolerance: float = MATCH_TOLERANCE_S
          ) -> dict[int, int]:
    """One-to-one matching of detections to labels that overlap within `tolerance`.

    Returns {detection index: label index}; nearest centres are paired first.
    """
    pairs = []
    for i, d in enumerate(detections):
        for j, lab in enumerate(labels):
            if d.start < lab.end + tolerance and d.end > lab.start - tolerance:
                dist = abs((d.start + d.end) / 2 - (lab.start + lab.end) / 2)
                pairs.append((dist, i, j))
    out: dict[int, int] = {}
    used: set[int] = set()
    for _, i, j in sorted(pairs):
        if i not in out and j not in used:
            out[i] = j
            used.add(j)
    return out


def context(words: list, start: float, end: float, span: float = CONTEXT_S) -> str:
    """The transcript around [start, end]: '... before [inside] after ...'."""
    def pick(lo: float, hi: float, closed: bool = False) -> str:
        return " ".join(w.text for w in words
                        if lo <= (c := (w.start + w.end) / 2) < hi or (closed and c == hi))

    inside = pick(start, end, closed=True) or "·"  # a zero-length word is inside its instant
    after = " ".join(w.text for w in words if end < (w.start + w.end) / 2 < end + span)
    return f"...{pick(start - span, start)} [{inside}] {after}..."


def evaluate(report, clip: LabeledClip) -> ClipResult:
    res = ClipResult(clip.id, clip.voice, clip.heldout, clip.group,
                     seconds=report.duration_s)
    flagged = [f for f in report.fillers if f.kind != "repetition"]
    if clip.judge_fillers:
        _score_fillers(res, flagged, clip, report.words)
    else:  # the transcript leaves fillers out: a flag is neither right nor wrong
        res.notes += [f"unjudged {f.kind} {f.start:.2f}s {context(report.words, f.start, f.end)}"
                      for f in flagged if f.kind in FILLED_KINDS]
    _score_pauses(res, report, clip)
    if clip.judge_fillers and not clip.untimed_filled:  # a trace needs a time to match
        _score_traces(res, report, clip.fillers)
    res.wpm_true = clip.true_wpm
    res.wpm_measured = report.metrics.wpm
    hyp = hypothesis_tokens(report.words)
    res.wer_edits, res.wer_words = wer_counts(reference_tokens(clip.text), hyp)
    res.wer = res.wer_edits / res.wer_words if res.wer_words else float(bool(hyp))
    res.invented = invented_phrases(reference_tokens(clip.said or clip.text), hyp)
    return res


def _score_fillers(res: ClipResult, flagged: list, clip: LabeledClip, words: list) -> None:
    labels = clip.fillers
    pairs = match(flagged, labels)
    matched_labels = {j: i for i, j in pairs.items()}
    for j, lab in enumerate(labels):
        if lab.kind == "filled_pause":
            res.filled_labels += 1
            if j in matched_labels:
                res.filled_found += 1
                res.filled_found_lexical += flagged[matched_labels[j]].kind == "filled_pause"
            else:
                res.notes.append(f"missed {lab.text} {lab.start:.2f}s "
                                 f"{context(words, lab.start, lab.end)}")
        else:
            res.discourse_labels += 1
            res.discourse_found += j in matched_labels
    res.detections = len(flagged)
    res.correct = len(pairs)
    false: list = []
    left: list = []  # filled flags no timed label took: candidates for the untimed labels
    for i, f in enumerate(flagged):
        if f.kind in FILLED_KINDS:
            res.filled_detections += 1
            res.filled_correct += i in pairs
        if i not in pairs:
            (left if f.kind in FILLED_KINDS and clip.untimed_filled else false).append(f)
    if clip.untimed_filled:
        found = min(len(left), clip.untimed_filled)
        res.filled_labels += clip.untimed_filled
        res.filled_found += found
        res.filled_correct += found
        res.filled_found_lexical += min(found, sum(f.kind == "filled_pause" for f in left))
        if len(left) != clip.untimed_filled:
            where = "; ".join(f"{f.kind} {f.start:.2f}s" for f in left) or "none"
            res.notes.append(f"untimed: {len(left)} flags ({where}) for the transcript's "
                             f"{clip.untimed_filled} filled pauses; transcript "
                             f"{clip.said!r}, heard {' '.join(w.text for w in words)!r}")
    for f in false:
        if f.kind == "discourse" and clip.group == "real":
            # Real transcripts mark few discourse fillers ("yknow"): not judged.
            res.detections -= 1
            res.notes.append(f"unjudged discourse {f.start:.2f}s "
                             f"{context(words, f.start, f.end)}")
            continue
        res.false_flags.append(f"{f.kind}:{f.text.strip()}@{f.start:.2f}")
        res.notes.append(f"false {f.kind} {f.start:.2f}s {context(words, f.start, f.end)}")


def _score_pauses(res: ClipResult, report, clip: LabeledClip) -> None:
    for lab in clip.pauses:
        res.pauses += 1
        best = min(report.pauses, default=None,
                   key=lambda p: abs(p.start - lab.start) + abs(p.end - lab.end))
        err = None if best is None else max(abs(best.start - lab.start),
                                            abs(best.end - lab.end))
        if err is not None and err <= PAUSE_TOLERANCE_S:
            res.pauses_found += 1
            res.pause_errors.append(err)
        else:
            near = f"nearest {best.start:.2f}-{best.end:.2f}s" if best else "no pause reported"
            res.notes.append(f"missed pause {lab.start:.2f}-{lab.end:.2f}s ({near}) "
                             f"{context(report.words, lab.start, lab.end)}")
    if not clip.pauses_known:
        return
    inserted = [x for x in clip.labels if x.kind == "pause"]
    for p in report.pauses:
        if p.duration >= TARGET_PAUSE_S and not any(
                p.start < x.end + PAUSE_TOLERANCE_S and p.end > x.start - PAUSE_TOLERANCE_S
                for x in inserted):
            res.false_pauses += 1
            res.notes.append(f"false pause {p.start:.2f}-{p.end:.2f}s "
                             f"{context(report.words, p.start, p.end)}")


def _score_traces(res: ClipResult, report, labels: list[Label]) -> None:
    """Every acoustic trace, flagged or not, scored on its own (docs: "Acoustic fillers")."""
    from voicecoach.analysis.acoustic import acoustic_candidates
    from voicecoach.analysis.rules import ScoringRules

    lexical = [f for f in report.fillers if f.kind != "acoustic"]
    cands = acoustic_candidates(report.words, report.speech, ScoringRules(), lexical,
                                report.islands)
    for trace in TRACES:  # each trace on its own: two may point at the same filler
        mine = [c for c, t in cands if t == trace]
        if mine:
            res.traces[trace] = [len(match(mine, labels)), len(mine)]


@dataclass
class ConfigResult:
    name: str
    clips: list[ClipResult]
    seconds: float = 0.0  # wall time
    engine: str = ""
    cpu_seconds: float = 0.0  # CPU time of all threads: what a shared machine does not blur

    def only(self, group: str | None = None, voice: str | None = None,
             heldout: bool | None = None) -> ConfigResult:
        keep = [c for c in self.clips if (group is None or c.group == group)
                and (voice is None or c.voice == voice)
                and (heldout is None or c.heldout == heldout)]
        return ConfigResult(self.name, keep, self.seconds, self.engine, self.cpu_seconds)

    def total(self, attr: str) -> float:
        return sum(getattr(c, attr) for c in self.clips)

    def ratio(self, num: str, den: str) -> float | None:
        d = self.total(den)
        return self.total(num) / d if d else None

    @property
    def audio_s(self) -> float:
        return self.total("seconds")

    @property
    def summary(self) -> dict[str, float | None]:
        errs = [e for c in self.clips for e in c.pause_errors]
        wpm = [abs(c.wpm_measured - c.wpm_true) / c.wpm_true for c in self.clips if c.wpm_true]
        return {
            "filled_precision": self.ratio("filled_correct", "filled_detections"),
            "filled_recall": self.ratio("filled_found", "filled_labels"),
            "filled_recall_lexical": self.ratio("filled_found_lexical", "filled_labels"),
            "discourse_recall": self.ratio("discourse_found", "discourse_labels"),
            "all_precision": self.ratio("correct", "detections"),
            "pauses_found": self.ratio("pauses_found", "pauses"),
            "pause_error_mean_s": float(np.mean(errs)) if errs else None,
            "pause_error_max_s": float(np.max(errs)) if errs else None,
            "false_pauses": self.total("false_pauses"),
            "wpm_error_mean": float(np.mean(wpm)) if wpm else None,
            "wpm_error_max": float(np.max(wpm)) if wpm else None,
            "wer_mean": float(np.mean([c.wer for c in self.clips])) if self.clips else None,
            "wer_pooled": self.ratio("wer_edits", "wer_words"),
            "invented": self.total("invented_count"),
            "misheard": sum(len(c.invented) - c.invented_count for c in self.clips),
        }


def run_config(name: str, options, clips: list[LabeledClip], engine_name: str, model: str,
               log: Callable[[str], None], reports: Path | None = None) -> ConfigResult:
    """Score every clip with one decoding configuration (`TranscribeOptions`).

    With `reports`, each report is kept there as JSON, and one already there is read
    instead of decoded again: metrics can be re-checked without the hour of decoding.
    The time of a configuration decoded whole is kept beside them (seconds.json) and
    reported again when all of it is read back.
    """
    from voicecoach.asr.models import load_engine
    from voicecoach.config import Settings
    from voicecoach.pipeline import score_file
    from voicecoach.report import Report

    t0, cpu0 = time.perf_counter(), time.process_time()
    engine = None
    settings = Settings(engine=engine_name, model=model, filler_prompt=options.filler_prompt)
    results = []
    decoded = 0
    for clip in clips:
        kept = None if reports is None else reports / re.sub(
            r"[^\w.-]+", "_", f"{engine_name}-{name}-{clip.id}-{clip.voice}.json")
        if kept is not None and kept.exists():
            report = Report.from_dict(json.loads(kept.read_text(encoding="utf-8")))
        else:
            engine = engine or load_engine(engine_name, model, options)
            report = score_file(clip.path, engine, settings)
            decoded += 1
            if kept is not None:
                kept.parent.mkdir(parents=True, exist_ok=True)
                kept.write_text(report.to_json(), encoding="utf-8")
        res = evaluate(report, clip)
        results.append(res)
        for x in res.invented:
            log(f"  {engine_name} {name} {clip.id}/{clip.voice}: "
                f"{'split word' if x.misheard else 'INVENTED'} {x.describe()}")
        if res.false_flags:
            log(f"  {engine_name} {name} {clip.id}/{clip.voice}: false flags {res.false_flags}")
    spent = (time.perf_counter() - t0, time.process_time() - cpu0)
    if reports is not None:
        spent = _kept_seconds(reports, f"{engine_name} {name} {len(clips)} clips", spent,
                              whole=decoded == len(clips), reused=decoded == 0)
    return ConfigResult(name, results, spent[0], engine_name, spent[1])


def _kept_seconds(reports: Path, key: str, spent: tuple[float, float], whole: bool,
                  reused: bool) -> tuple[float, float]:
    """(wall, CPU) seconds of a configuration, kept in or read from seconds.json."""
    path = reports / "seconds.json"
    kept = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    if whole:
        kept[key] = [round(x, 1) for x in spent]
        path.write_text(json.dumps(kept, indent=1), encoding="utf-8")
    if reused and key in kept:
        return tuple(kept[key]) if isinstance(kept[key], list) else (kept[key], 0.0)
    return spent
