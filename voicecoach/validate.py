"""Validation of the scorer against a labeled corpus: `python -m voicecoach.validate`.

The corpus (tests/corpus/) is text with labels; the audio is synthesized with
espeak-ng and flite voices into tests/.cache/corpus/ (git-ignored), so every filler
and inserted pause has an exact, known time. Each clip goes through the real
pipeline (VAD, Whisper, scoring) and the report is compared with the labels:

- filler precision/recall (filled pauses, discourse fillers), matched in time;
- pause detection: every inserted silence of 1 s or more found within +-0.3 s;
- wpm error against the true speaking span;
- weak/strong pairs: the strong answer scores higher on structure and overall, and
  the weak one carries the finding that names its flaw (as text, and spoken);
- with `--filler-prompt all`, the same clips with and without Whisper's filler
  priming prompt, to choose its default from numbers; `--prompt-text` adds other
  wordings of the prompt, and held-out clips are reported apart.

`--quick` runs the small subset used by `make test` and exits non-zero when a target
is missed; the full run prints the table that docs/scoring.md carries
(`--write-docs` replaces it there).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np
import tomllib

from voicecoach.analysis.words import norm

REPO = Path(__file__).resolve().parents[1]
CORPUS_DIR = REPO / "tests" / "corpus"
CACHE_DIR = REPO / "tests" / ".cache" / "corpus"
DOCS = REPO / "docs" / "scoring.md"

MATCH_TOLERANCE_S = 0.4  # Whisper's word times for fillers are this loose (measured)
PAUSE_TOLERANCE_S = 0.3
TARGET_PAUSE_S = 1.0
JOIN_GAP_S = 0.08  # between speech pieces: bridged by the VAD, like a breath-free join
TARGETS = {"filled_precision": 0.9, "filled_recall": 0.7, "pauses_found": 1.0}
# The pairs are snippets of an answer, each checking rules on purpose: judged whatever
# their length (an app's answer below the minimum gets no structure verdict).
SNIPPET_RULES = {"min_judged_words": 0, "min_judged_s": 0.0}
TRACES = ("isolated", "between", "lead", "long-word", "island")
DOC_BEGIN = "<!-- validation:begin -->"
DOC_END = "<!-- validation:end -->"


@dataclass(frozen=True)
class Label:
    kind: str  # "filled_pause" | "discourse" | "pause"
    text: str
    start: float
    end: float


@dataclass
class LabeledClip:
    id: str
    voice: str
    path: Path
    text: str  # reference words, fillers excluded
    labels: list[Label]
    speech_start: float
    speech_end: float
    heldout: bool = False  # never used to tune anything (tests/corpus/fillers.toml)

    @property
    def fillers(self) -> list[Label]:
        return [x for x in self.labels if x.kind != "pause"]

    @property
    def pauses(self) -> list[Label]:
        return [x for x in self.labels if x.kind == "pause" and
                x.end - x.start >= TARGET_PAUSE_S]

    @property
    def true_wpm(self) -> float:
        words = len(self.text.split()) + sum(1 for f in self.fillers if f.kind == "discourse")
        return words / (self.speech_end - self.speech_start) * 60


# ------------------------------------------------------------------ corpus and audio


def load_toml(name: str) -> dict:
    return tomllib.loads((CORPUS_DIR / name).read_text(encoding="utf-8"))


def _gap(key: str, lo: float = 0.06, hi: float = 0.22) -> float:
    """A deterministic pseudo-random short silence around a filler."""
    h = int(hashlib.sha256(key.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
    return lo + (hi - lo) * h


def synthesize(clip_id: str, parts: list, voice: str) -> LabeledClip:
    """Build (or reuse from the cache) one clip and its labels."""
    from voicecoach.asr.base import SAMPLE_RATE
    from voicecoach.audio.io import save_wav
    from voicecoach.synth import speak

    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    key = hashlib.sha256(json.dumps([parts, voice, JOIN_GAP_S]).encode()).hexdigest()[:12]
    stem = f"{clip_id}-{voice.replace(':', '_')}"
    wav, meta = CACHE_DIR / f"{stem}.wav", CACHE_DIR / f"{stem}.json"
    if wav.exists() and meta.exists():
        stored = json.loads(meta.read_text())
        if stored.get("key") == key:
            return LabeledClip(stored["id"], voice, wav, stored["text"],
                               [Label(**x) for x in stored["labels"]],
                               stored["speech_start"], stored["speech_end"])
    pieces: list[np.ndarray] = []
    labels: list[Label] = []
    text: list[str] = []
    t = 0.0
    first_speech = last_speech = None

    def add(samples: np.ndarray) -> tuple[float, float]:
        nonlocal t
        start = t
        pieces.append(samples.astype(np.float32))
        t += len(samples) / SAMPLE_RATE
        return start, t

    def silence(seconds: float) -> tuple[float, float]:
        return add(np.zeros(int(round(seconds * SAMPLE_RATE)), dtype=np.float32))

    for i, part in enumerate(parts):
        if isinstance(part, (int, float)):
            a, b = silence(float(part))
            labels.append(Label("pause", "", round(a, 3), round(b, 3)))
            continue
        if part.startswith("{") and part.endswith("}"):
            body = part[1:-1]
            kind, word = ("discourse", body[2:]) if body.startswith("d:") else \
                ("filled_pause", body)
            silence(_gap(f"{clip_id}{i}a"))
            a, b = add(speak(word, voice))
            silence(_gap(f"{clip_id}{i}b"))
            labels.append(Label(kind, word, round(a, 3), round(b, 3)))
        else:
            if pieces and not isinstance(parts[i - 1], (int, float)) and \
                    not str(parts[i - 1]).startswith("{"):
                silence(JOIN_GAP_S)
            a, b = add(speak(part, voice))
            text.append(part)
        first_speech = a if first_speech is None else first_speech
        last_speech = b
    silence(0.5)  # the recording does not stop on the last syllable
    save_wav(wav, np.concatenate(pieces))
    clip = LabeledClip(clip_id, voice, wav, " ".join(text), labels,
                       round(first_speech or 0.0, 3), round(last_speech or 0.0, 3))
    meta.write_text(json.dumps({"key": key, "id": clip_id, "text": clip.text,
                                "labels": [asdict(x) for x in labels],
                                "speech_start": clip.speech_start,
                                "speech_end": clip.speech_end}))
    return clip


def filler_clips(quick: bool, voices: list[str] | None = None) -> list[LabeledClip]:
    spec = load_toml("fillers.toml")
    chosen = voices or (spec["quick_voices"] if quick else spec["voices"])
    return [replace(synthesize(c["id"], c["parts"], v), heldout=c.get("heldout", False))
            for c in spec["clip"] if c.get("quick") or not quick
            for v in chosen]


def real_clips() -> list[LabeledClip]:
    spec = load_toml("real.toml")
    return [LabeledClip(c["id"], "real", (CORPUS_DIR / c["path"]).resolve(), c["text"], [],
                        c["speech_start"], c["speech_end"]) for c in spec["clip"]]


# ------------------------------------------------------------------ measuring


@dataclass
class ClipResult:
    id: str
    voice: str
    heldout: bool = False
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
    traces: dict[str, list[int]] = field(default_factory=dict)  # trace -> [correct, total]


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


def evaluate(report, clip: LabeledClip) -> ClipResult:
    from voicecoach.wer import word_error_rate

    res = ClipResult(clip.id, clip.voice, clip.heldout)
    labels = clip.fillers
    flagged = [f for f in report.fillers if f.kind != "repetition"]
    pairs = match(flagged, labels)
    matched_labels = {j: i for i, j in pairs.items()}
    for j, lab in enumerate(labels):
        if lab.kind == "filled_pause":
            res.filled_labels += 1
            if j in matched_labels:
                res.filled_found += 1
                if flagged[matched_labels[j]].kind == "filled_pause":
                    res.filled_found_lexical += 1
        else:
            res.discourse_labels += 1
            res.discourse_found += j in matched_labels
    res.detections = len(flagged)
    res.correct = len(pairs)
    for i, f in enumerate(flagged):
        if f.kind in ("filled_pause", "acoustic"):
            res.filled_detections += 1
            res.filled_correct += i in pairs
        if i not in pairs:
            res.false_flags.append(f"{f.kind}:{f.text.strip()}@{f.start:.2f}")
    for lab in clip.pauses:
        res.pauses += 1
        best = min(report.pauses, default=None,
                   key=lambda p: abs(p.start - lab.start) + abs(p.end - lab.end))
        if best is not None:
            err = max(abs(best.start - lab.start), abs(best.end - lab.end))
            if err <= PAUSE_TOLERANCE_S:
                res.pauses_found += 1
                res.pause_errors.append(err)
    inserted = [x for x in clip.labels if x.kind == "pause"]
    res.false_pauses = sum(
        1 for p in report.pauses if p.duration >= TARGET_PAUSE_S and
        not any(p.start < x.end + PAUSE_TOLERANCE_S and p.end > x.start - PAUSE_TOLERANCE_S
                for x in inserted))
    # Every acoustic trace, flagged or not, scored on its own (docs: "Acoustic fillers").
    from voicecoach.analysis.acoustic import acoustic_candidates
    from voicecoach.analysis.rules import ScoringRules

    lexical = [f for f in report.fillers if f.kind != "acoustic"]
    cands = acoustic_candidates(report.words, report.speech, ScoringRules(), lexical,
                                report.islands)
    for trace in TRACES:  # each trace on its own: two may point at the same filler
        mine = [c for c, t in cands if t == trace]
        if mine:
            res.traces[trace] = [len(match(mine, labels)), len(mine)]
    res.wpm_true = clip.true_wpm
    res.wpm_measured = report.metrics.wpm
    filler_words = {"um", "umm", "uh", "uhh", "uhm", "er", "erm", "ah", "ahh", "hmm", "hm",
                    "mm", "mmm", "eh"}
    hyp = " ".join(w.text for w in report.words if norm(w.text) not in filler_words)
    res.wer = word_error_rate(clip.text, hyp)
    return res


@dataclass
class ConfigResult:
    name: str
    clips: list[ClipResult]
    seconds: float = 0.0

    def total(self, attr: str) -> float:
        return sum(getattr(c, attr) for c in self.clips)

    def ratio(self, num: str, den: str) -> float | None:
        d = self.total(den)
        return self.total(num) / d if d else None

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
        }


def run_config(name: str, filler_prompt: bool, clips: list[LabeledClip], engine_name: str,
               model: str, log: Callable[[str], None], prompt_text: str | None = None
               ) -> ConfigResult:
    """Score every clip with one decoding configuration; `prompt_text` replaces the
    filler prompt's wording (to compare candidate wordings)."""
    from voicecoach.asr.base import FILLER_PROMPT, TranscribeOptions
    from voicecoach.asr.models import load_engine
    from voicecoach.config import Settings
    from voicecoach.pipeline import score_file

    t0 = time.perf_counter()
    options = TranscribeOptions(filler_prompt=filler_prompt,
                                filler_prompt_text=prompt_text or FILLER_PROMPT)
    engine = load_engine(engine_name, model, options)
    settings = Settings(engine=engine_name, model=model, filler_prompt=filler_prompt)
    results = []
    for clip in clips:
        report = score_file(clip.path, engine, settings)
        res = evaluate(report, clip)
        results.append(res)
        if res.false_flags:
            log(f"  {name} {clip.id}/{clip.voice}: false flags {res.false_flags}")
    return ConfigResult(name, results, time.perf_counter() - t0)


# ------------------------------------------------------------------ weak/strong pairs


@dataclass
class PairResult:
    id: str
    mode: str  # "text" or the voice
    source: str
    flaw: str
    weak: dict[str, int]
    strong: dict[str, int]
    weak_findings: list[str]
    filled_flags: int = 0  # filled pauses flagged in either answer: none is in the text

    @property
    def ok_structure(self) -> bool:
        return self.strong["structure"] > self.weak["structure"]

    @property
    def ok_overall(self) -> bool:
        return self.strong["overall"] > self.weak["overall"]

    @property
    def ok_flaw(self) -> bool:
        return self.flaw in self.weak_findings

    @property
    def ok(self) -> bool:
        return self.ok_structure and self.ok_overall and self.ok_flaw


def text_pairs() -> list[PairResult]:
    from voicecoach.analysis.rules import ScoringRules
    from voicecoach.analysis.scoring import score_report
    from voicecoach.analysis.synthetic import report_from_text
    from voicecoach.prompts import get_prompt

    out = []
    for p in load_toml("answers.toml")["pair"]:
        prompt = get_prompt(p["prompt"]) if p.get("prompt") else None
        reports = {}
        for side in ("weak", "strong"):
            r = report_from_text(p[side])
            score_report(r, prompt, ScoringRules().with_overrides(SNIPPET_RULES))
            reports[side] = r
        out.append(PairResult(p["id"], "text", p["source"], p["flaw"],
                              reports["weak"].scores, reports["strong"].scores,
                              [f.id for f in reports["weak"].findings]))
    return out


def spoken_pairs(quick: bool, voices: list[str], engine_name: str, model: str,
                 filler_prompt: bool) -> list[PairResult]:
    from voicecoach.asr.base import TranscribeOptions
    from voicecoach.asr.models import load_engine
    from voicecoach.config import Settings
    from voicecoach.pipeline import score_file

    engine = load_engine(engine_name, model, TranscribeOptions(filler_prompt=filler_prompt))
    settings = Settings(engine=engine_name, model=model, filler_prompt=filler_prompt,
                        scoring=SNIPPET_RULES)
    out = []
    for p in load_toml("answers.toml")["pair"]:
        if not p.get("spoken") or (quick and not p.get("quick")):
            continue
        for voice in voices:
            reports = {}
            for side in ("weak", "strong"):
                clip = synthesize(f"pair-{p['id']}-{side}", [p[side]], voice)
                reports[side] = score_file(clip.path, engine, settings, p.get("prompt"))
            flags = sum(f.kind in ("filled_pause", "acoustic")
                        for r in reports.values() for f in r.fillers)
            out.append(PairResult(p["id"], voice, p["source"], p["flaw"],
                                  reports["weak"].scores, reports["strong"].scores,
                                  [f.id for f in reports["weak"].findings], flags))
    return out


# ------------------------------------------------------------------ output


def _fmt(x: float | None, pct: bool = False) -> str:
    if x is None:
        return "-"
    return f"{x:.0%}" if pct else f"{x:.2f}"


def _count(c: ConfigResult, num: str, den: str) -> str:
    """"0.68 (65/95)": a ratio with the counts behind it."""
    return f"{_fmt(c.ratio(num, den))} ({int(c.total(num))}/{int(c.total(den))})"


def prompt_helps(off: dict, on: dict) -> bool:
    """Precision first, and the transcript must not get worse: a dropped sentence costs
    every score, which a missed "um" never does. Then recall decides."""
    return ((on["filled_precision"] or 0) >= TARGETS["filled_precision"]
            and (on["filled_recall"] or 0) > (off["filled_recall"] or 0)
            and (on["wer_mean"] or 0) <= (off["wer_mean"] or 0) + 0.01
            and (on["wpm_error_max"] or 0) <= (off["wpm_error_max"] or 0) + 0.05)


def format_tables(configs: list[ConfigResult], pairs: list[PairResult], clips: int,
                  voices: list[str], quick: bool, verdicts: list[str],
                  engine: str = "faster-whisper tiny.en") -> str:
    lines = [f"Corpus: {clips} synthetic clips ({', '.join(voices)}) + real speech (jfk.wav); "
             f"{'quick subset' if quick else 'full corpus'}; engine {engine}.",
             "",
             "| filler prompt | filled-pause precision | recall | recall, transcript only "
             "| discourse recall | all-filler precision | pauses >= 1 s found (+-0.3 s) "
             "| pause error mean / max | false pauses | wpm error mean / max | WER | time |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for c in configs:
        s = c.summary
        lines.append(
            f"| {c.name} | {_count(c, 'filled_correct', 'filled_detections')} | "
            f"{_count(c, 'filled_found', 'filled_labels')} | "
            f"{_fmt(s['filled_recall_lexical'])} | {_fmt(s['discourse_recall'])} | "
            f"{_fmt(s['all_precision'])} | {_count(c, 'pauses_found', 'pauses')} | "
            f"{_fmt(s['pause_error_mean_s'])} / {_fmt(s['pause_error_max_s'])} s | "
            f"{int(s['false_pauses'] or 0)} | {_fmt(s['wpm_error_mean'], True)} / "
            f"{_fmt(s['wpm_error_max'], True)} | {_fmt(s['wer_mean'], True)} | "
            f"{c.seconds:.0f} s |")
    lines += ["", "Filled-pause precision / recall per voice:", "",
              "| filler prompt | " + " | ".join(voices) + " |",
              "|---|" + "---|" * len(voices)]
    for c in configs:
        cells = []
        for v in voices:
            sub = ConfigResult(v, [r for r in c.clips if r.voice == v])
            p, r = sub.ratio("filled_correct", "filled_detections"), \
                sub.ratio("filled_found", "filled_labels")
            cells.append(f"{_fmt(p)} / {_fmt(r)}")
        lines.append(f"| {c.name} | " + " | ".join(cells) + " |")
    if any(r.heldout for r in configs[0].clips):
        lines += ["", "Held-out clips only (written after the prompt's wording was chosen):", "",
                  "| filler prompt | filled-pause precision | recall |", "|---|---|---|"]
        for c in configs:
            sub = ConfigResult(c.name, [r for r in c.clips if r.heldout])
            lines.append(f"| {c.name} | {_count(sub, 'filled_correct', 'filled_detections')} "
                         f"| {_count(sub, 'filled_found', 'filled_labels')} |")
    if verdicts:
        lines += [""] + verdicts
    lines += ["", "Acoustic traces (candidates Whisper left without a filler word), precision "
                  "against the labels; only the traces in `acoustic_traces` are flagged:", "",
              "| filler prompt | " + " | ".join(TRACES) + " |",
              "|---|" + "---|" * len(TRACES)]
    for c in configs:
        cells = []
        for t in TRACES:
            ok = sum(r.traces.get(t, [0, 0])[0] for r in c.clips)
            n = sum(r.traces.get(t, [0, 0])[1] for r in c.clips)
            cells.append(f"{ok / n:.2f} ({ok}/{n})" if n else "-")
        lines.append(f"| {c.name} | " + " | ".join(cells) + " |")
    lines += ["", "| pair | source | mode | structure weak -> strong | overall weak -> strong "
                  "| weak carries | ok |", "|---|---|---|---|---|---|---|"]
    for p in pairs:
        lines.append(f"| {p.id} | {p.source} | {p.mode} | {p.weak['structure']} -> "
                     f"{p.strong['structure']} | {p.weak['overall']} -> {p.strong['overall']} "
                     f"| {p.flaw}{'' if p.ok_flaw else ' (MISSING)'} | "
                     f"{'yes' if p.ok else 'NO'} |")
    ok = sum(p.ok for p in pairs)
    lines += ["", f"Pairs passing: {ok}/{len(pairs)}."]
    spoken = [p for p in pairs if p.mode != "text"]
    if spoken:
        lines += ["", f"Filled pauses flagged in the {2 * len(spoken)} spoken pair answers "
                      f"(their text has none, so each is false): "
                      f"{sum(p.filled_flags for p in spoken)}."]
    return "\n".join(lines)


def write_docs(table: str, path: Path = DOCS) -> None:
    text = path.read_text(encoding="utf-8")
    a, b = text.index(DOC_BEGIN) + len(DOC_BEGIN), text.index(DOC_END)
    path.write_text(text[:a] + "\n" + table + "\n" + text[b:], encoding="utf-8")


def failures(configs: list[ConfigResult], pairs: list[PairResult], main: str) -> list[str]:
    out = []
    chosen = next(c for c in configs if c.name == main)
    s = chosen.summary
    for key, target in TARGETS.items():
        value = s[key]
        if value is not None and value < target:
            out.append(f"{key} {value:.2f} < {target} ({chosen.name})")
    out += [f"pair {p.id} ({p.mode}) failed" for p in pairs if not p.ok]
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m voicecoach.validate",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="the small make-test subset")
    parser.add_argument("--filler-prompt", choices=("off", "on", "all", "default"),
                        default="default", help="Whisper filler priming, with its built-in"
                        " fallback (default: the setting's default; 'all' compares off and on)")
    parser.add_argument("--prompt-text", action="append", default=[], metavar="TEXT",
                        help="also score with this filler prompt wording (repeatable), "
                        "to compare wordings against the default")
    parser.add_argument("--voices", help="comma-separated voices (espeak, flite, flite:kal...)")
    parser.add_argument("--engine", default="faster-whisper")
    parser.add_argument("--model", default="tiny.en")
    parser.add_argument("--no-spoken-pairs", action="store_true")
    parser.add_argument("--write-docs", action="store_true",
                        help=f"replace the table in {DOCS.relative_to(REPO)}")
    parser.add_argument("--json", action="store_true", help="print the raw numbers as JSON")
    args = parser.parse_args(argv)

    from voicecoach.config import Settings
    from voicecoach.synth import available_voices

    def log(msg: str) -> None:
        print(msg, file=sys.stderr)

    t0 = time.perf_counter()
    voices = args.voices.split(",") if args.voices else None
    have = available_voices()
    if not have:
        log("validate: no espeak-ng or flite on this machine; cannot synthesize the corpus")
        return 2
    clips = filler_clips(args.quick, voices)
    used_voices = sorted({c.voice for c in clips})
    clips += real_clips()
    default = Settings().filler_prompt
    modes = {"off": [False], "on": [True], "all": [False, True],
             "default": [default]}[args.filler_prompt]
    configs = [run_config("on" if fp else "off", fp, clips, args.engine, args.model, log)
               for fp in modes]
    configs += [run_config(f'"{text}"', True, clips, args.engine, args.model, log, text)
                for text in args.prompt_text]
    pairs = text_pairs()
    if not args.no_spoken_pairs:
        pair_voices = ["espeak", "flite"] if args.quick else ["espeak", "flite", "flite:rms"]
        pairs += spoken_pairs(args.quick, pair_voices, args.engine, args.model, default)
    # Targets are checked on the configuration users get by default.
    main_cfg = "on" if default else "off"
    if main_cfg not in [c.name for c in configs]:
        main_cfg = configs[0].name
    verdicts = [f"Filler prompt {c.name} vs off: "
                + ("better (precision kept, recall up, transcript no worse)"
                   if prompt_helps(configs[0].summary, c.summary) else
                   "not better (see precision, WER and the worst wpm error)")
                for c in configs[1:] if configs[0].name == "off"]
    table = format_tables(configs, pairs, len(clips) - len(real_clips()), used_voices,
                          args.quick, verdicts, f"{args.engine} {args.model}")
    if args.json:
        print(json.dumps({"configs": {c.name: c.summary for c in configs},
                          "pairs": [asdict(p) for p in pairs]}, indent=2))
    else:
        print(table)
    print(f"\nvalidation took {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    if args.write_docs:
        write_docs(table)
    problems = failures(configs, pairs, main_cfg)
    for p in problems:
        log(f"validate: target missed: {p}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
