"""Other ways of saying a key point: cues beyond the prompt's phrase list.

Keyed by (prompt id, key point id), in the phrase syntax of analysis/phrases.py. Each
cue is weighed like a phrase (analysis/keypoints.py): a specific multi-word cue alone
makes the point, a single common word only together with another cue. Written from
what each key point means, looking only at the "dev" half of the labeled sentences in
tests/corpus/keypoints.toml. A prompt not listed here is matched on its phrases and
label alone.
"""

from __future__ import annotations

SENSES: dict[tuple[str, str], tuple[str, ...]] = {
    # ML system design
    ("design-fraud-detection", "clarify"): (
        "which mistake", "which error", "hurts more", "worse to", "genuine customer*",
        "block* a real", "block* a genuine", "let* a thief", "thief through", "fraud through",
        "what are we optimi*", "what matters more"),
    ("design-fraud-detection", "labels"): (
        "dispute*", "weeks later", "never reported", "learn that", "find out later",
        "reported", "fraudulent", "confirmed fraud", "ground truth"),
    ("design-fraud-detection", "latency"): (
        "answer before", "gives up waiting", "times out", "time out", "quick*", "fast enough",
        "response time*", "in time", "payment path", "checkout", "while the customer"),
    ("design-fraud-detection", "imbalance"): (
        "handful of", "in every ten thousand", "one in a thousand", "tiny share",
        "very few", "caught nothing", "accuracy would look", "accuracy looks", "stolen",
        "needle"),
    ("design-fraud-detection", "adaptation"): (
        "change their tactics", "change tactics", "tactics", "criminals", "go stale",
        "patterns change", "attackers", "fraudsters", "new schemes", "stale"),
    ("design-fraud-detection", "fallback"): (
        "goes down", "go down", "is down", "hand written checks", "hand written rules",
        "keep flowing", "keep working", "unavailable", "backup", "if the model fails",
        "if the service fails"),
    ("design-feed-ranking", "objective"): (
        "optimi* for", "time well spent", "come back", "what we want people",
        "success looks like", "meaningful", "long term", "retention"),
    ("design-feed-ranking", "stages"): (
        "narrow* them", "narrow* down", "cheap step", "cheap model", "heavier model",
        "few hundred", "millions of posts", "first pass", "second pass", "shortlist"),
    ("design-feed-ranking", "data"): (
        "tapped", "tap what", "what we showed", "already showed", "at the top", "what people",
        "positions", "shown first", "interactions"),
    ("design-feed-ranking", "latency"): (
        "per request", "serving cost", "fast enough", "response time*", "compute budget"),
    ("design-feed-ranking", "online-eval"): (
        "real users", "slice of users", "live test", "live experiment", "offline gain",
        "split of users", "controlled experiment", "treatment"),
    ("design-feed-ranking", "monitoring"): (
        "own recommendations", "the loop", "refresh* it", "narrowing", "echo chamber",
        "watch for", "every day", "daily"),
    ("design-search-autocomplete", "constraints"): (
        "keypress*", "between two keys", "typed past", "as they type", "each key*",
        "instant*", "within a few"),
    ("design-search-autocomplete", "data"): (
        "past shoppers typed", "what people typed", "names and addresses",
        "scrub*", "anonymi*", "personal data", "recent searches"),
    ("design-search-autocomplete", "baseline"): (
        "most common", "most frequent", "start with what was typed", "starts with",
        "before any learning", "counts of", "top searches"),
    ("design-search-autocomplete", "safety"): (
        "obscene", "hateful", "slur*", "never complete", "never suggest", "embarrassing",
        "harmful suggestion*", "block list"),
    ("design-search-autocomplete", "metrics"): (
        "pick a suggestion", "picks a suggestion", "typing it saves", "saves them",
        "how often people pick", "live experiment", "success is"),
    ("design-recsys-cold-start", "cold-start"): (
        "added this morning", "nobody's history", "no history", "no interactions yet",
        "describe it by", "its title", "new arrivals", "launched today"),
    ("design-recsys-cold-start", "data"): (
        "bought only", "almost empty", "who bought what", "few purchases", "most shoppers have",
        "long tail"),
    ("design-recsys-cold-start", "baseline"): (
        "best sellers", "bestsellers", "top sellers", "anything fancier", "has to beat",
        "most bought"),
    ("design-recsys-cold-start", "exploration"): (
        "slice of the traffic", "a chance to", "prove themselves", "give new", "give fresh",
        "show new products to"),
    ("design-recsys-cold-start", "evaluation"): (
        "slice of shoppers", "comparing sales", "the real test", "replaying", "live test",
        "holdout group", "controlled experiment"),
    ("design-recsys-cold-start", "monitoring"): (
        "out of date", "turns over", "rebuild it", "nightly", "hit rate daily", "daily",
        "goes stale", "watch"),
    ("design-content-moderation", "policy"): (
        "kinds of harm", "which harms", "trust and safety", "which mistakes are worse",
        "what counts as harmful", "what we act on", "rules for what"),
    ("design-content-moderation", "labels"): (
        "people tagging", "tagging", "taggers", "disturbing content", "rotate them",
        "agree with each other", "wellbeing", "support"),
    ("design-content-moderation", "human-loop"): (
        "is unsure", "unsure", "goes to a person", "a person decides", "a moderator",
        "instead of being removed automatically", "manual review"),
    ("design-content-moderation", "adversarial"): (
        "bad actors", "misspell*", "slip past", "tricks", "workarounds", "dodge"),
    ("design-content-moderation", "fairness"): (
        "slang", "dialect*", "one group of speakers", "each of those groups", "minority",
        "error rates for each", "per group"),
    ("design-content-moderation", "monitoring"): (
        "contest a removal", "contest*", "overturned", "those cases feed",
        "next training run", "where the model is wrong"),
    ("design-eta-prediction", "objective"): (
        "arriving early", "arriving late", "worse than", "symmetric*", "asymmetric*",
        "over promise", "under promise", "promise"),
    ("design-eta-prediction", "data"): (
        "kitchen", "rider", "riders", "congested", "roads", "preparation time*", "how long each"),
    ("design-eta-prediction", "leakage"): (
        "known when the order", "when the order is placed", "recorded later",
        "only use what is known", "only what we know"),
    ("design-eta-prediction", "latency"): (
        "in a blink", "up to date", "checkout screen", "computed quickly", "instantly"),
    ("design-eta-prediction", "monitoring"): (
        "rainy", "festival*", "new cities", "throw it off", "watch the errors", "by city",
        "rebuild it"),
    # Data and labeling
    ("data-checks-before-training", "schema"): (
        "single record", "a record represents", "one record", "each record", "represents",
        "level of detail"),
    ("data-checks-before-training", "labels"): (
        "target column", "who decided", "disagree", "how the answers", "annotators"),
    ("data-checks-before-training", "missing"): (
        "empty cells", "empty values", "impossible values", "blank", "negative ages"),
    ("data-checks-before-training", "imbalance"): (
        "percent of rows", "one class", "only covers", "biggest customers", "skewed"),
    ("data-checks-before-training", "leakage"): (
        "after the outcome", "filled in after", "look brilliant", "too good"),
    ("data-checks-before-training", "split"): (
        "later weeks", "evaluation rows", "come from later", "by time", "out of time"),
    ("data-build-dataset", "definition"): (
        "write down", "what counts as toxic", "counts as", "rude", "sarcastic", "examples of"),
    ("data-build-dataset", "annotation"): (
        "three people", "same answer", "how often they", "consistent*", "reviewers disagree"),
    ("data-build-dataset", "sampling"): (
        "tiny share", "extra candidates", "keyword search", "early model", "pull extra",
        "oversampl*"),
    ("data-build-dataset", "coverage"): (
        "regional slang", "slang", "minority groups", "how they talk", "dialect*",
        "different regions"),
    ("data-build-dataset", "quality"): (
        "double checked", "experts", "score every model against", "trusted set",
        "gold set"),
    ("data-label-noise", "measure"): (
        "hand check*", "a couple hundred", "myself", "how often the rule", "spot check*",
        "check a few hundred"),
    ("data-label-noise", "understand"): (
        "cluster", "always fails", "scattered", "fails on", "which cases"),
    ("data-label-noise", "methods"): (
        "fix the worst labels", "by hand", "less sensitive", "noise robust",
        "wrong targets", "down weight*"),
    ("data-label-noise", "eval-set"): (
        "person has verified", "verified", "judged on", "never on the heuristic"),
    ("data-label-noise", "tradeoff"): (
        "costs weeks", "costs", "expensive", "only do it where", "pays off"),
    ("data-label-bias", "labels-bias"): (
        "favored", "favoured", "looked like them", "past hiring", "learn exactly that",
        "repeat past", "prejudice"),
    ("data-label-bias", "fairness"): (
        "selection rates", "women and men", "ethnicity", "employment law", "gender",
        "per group"),
    ("data-label-bias", "counterfactual"): (
        "turned away", "we hired turned out", "no outcome", "never see how",
        "people we rejected"),
    ("data-label-bias", "interpretability"): (
        "see why", "final call", "recruiter should", "a person decides", "understand why"),
    ("data-label-bias", "push-back"): (
        "question if", "at all", "question whether", "a good idea", "keep it to"),
    ("data-imbalance", "metric"): (
        "always says no", "alerts are real", "real cases it catches", "right 99",
        "accuracy is useless", "useless"),
    ("data-imbalance", "business"): (
        "cut off", "cutoff", "missed case costs", "needless alert", "what a miss costs"),
    ("data-imbalance", "sampling"): (
        "more of the rare", "weight them", "weighting", "probabilities still mean",
        "oversampl*"),
    ("data-imbalance", "data"): (
        "wrongly marked", "double check them", "so few positives", "every positive"),
    ("data-imbalance", "validation"): (
        "each fold", "every fold", "enough of the rare", "swing wildly", "folds"),
    # Leakage
    ("leak-too-good", "suspicion"): (
        "a jump like that", "something is broken", "never comes from modeling",
        "until i can explain", "too good to be true", "assume something"),
    ("leak-too-good", "leakage"): (
        "carrying the answer", "only set after", "after the outcome", "gives away the answer"),
    ("leak-too-good", "feature-importance"): (
        "leans on", "target in disguise", "which inputs", "most important inputs",
        "drop each"),
    ("leak-too-good", "split"): (
        "both sides", "same customers", "train and test divide", "appear in both"),
    ("leak-too-good", "online"): (
        "after training ended", "run it silently", "beside the current", "weeks after",
        "newer data"),
    # Drift and monitoring
    ("drift-detect-handle", "types"): (
        "relationship between inputs", "the inputs change", "outcome mix",
        "different fixes", "kinds of drift"),
    ("drift-detect-handle", "inputs"): (
        "feature histograms", "histogram*", "statistical distance", "this week's"),
    ("drift-detect-handle", "outputs"): (
        "scores the model emits", "emits", "true outcomes arrive", "how accurate it was"),
    ("drift-detect-handle", "subgroups"): (
        "average can hide", "one region", "new customers", "for some users", "per region"),
    ("drift-detect-handle", "response"): (
        "source table broke", "fix the pipeline", "refit", "recent data", "root cause"),
    # Productionizing
    ("prod-productionize-model", "pipeline"): (
        "scheduled job", "pulls the raw data", "same features every time", "checks it",
        "automated job"),
    ("prod-productionize-model", "registry"): (
        "data snapshot", "code commit", "rebuild any", "stored with the exact", "track which"),
    ("prod-productionize-model", "rollout"): (
        "copy of live traffic", "without acting on", "one percent of users", "small share of"),
    ("prod-productionize-model", "serving"): (
        "while the user waits", "computed overnight", "how many per second", "overnight",
        "per second"),
    ("prod-productionize-model", "monitoring"): (
        "must be told", "start looking different", "someone is told", "page someone"),
    ("prod-productionize-model", "fallback"): (
        "crashes", "times out", "carry on with", "last week's answers", "simple rule",
        "if it fails"),
    ("prod-latency-budget", "profile"): (
        "which step eats", "find out which step", "where the time goes", "the network",
        "time each step"),
    ("prod-latency-budget", "simpler"): (
        "student model", "mimic the big one", "eight bits", "fewer layers", "smaller network"),
    ("prod-latency-budget", "features"): (
        "ahead of time", "looked up", "does not change per request",
        "computed ahead"),
    ("prod-latency-budget", "tradeoff"): (
        "losing half a point", "point of accuracy", "make that call", "is fine if",
        "give up some accuracy"),
    ("prod-latency-budget", "architecture"): (
        "cheap model to throw out", "throw out most", "expensive one only", "top few",
        "filter first"),
}
