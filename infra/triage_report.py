"""How well crisis triage does on words it was and was not fitted to, and what it costs per message.

    python -m infra.triage_report [--no-ablation | --ablation-rows N,M] [--first-try REV] [--import-cost]
    python -m infra.triage_report --ablation-check ROW [--every N]

(``make triage`` runs it with no option.)

Reads the labelled corpus (``infra.triage_corpus``: rounds in tests/data/triage/) and prints, per
language:

- **training**: the shipped rules and the model fitted on every training round, on those same rounds
  (what the rules and the model were fitted to: an upper bound, not a promise);
- **held out by round**: the training rounds dealt into five groups of whole rounds, each group scored by a
  model fitted on the *other* groups, thresholds chosen on those too (the rules stay as shipped: they were
  written with every training round in view, so this figure flatters them);
- **frozen rounds**: rounds nobody here read; the shipped model and rules, totals only;
- per level and category on the held-out figures, microseconds per message, and (unless
  ``--no-ablation``) what each part contributes: the same held-out and frozen figures with parts
  removed. The ablation's rows are measured the cheap way, with the same urgent figures as each row trained
  on its own (``tests/unit/test_triage_ablation.py``): the rules read each text once
  (``RememberingTriager``), each row's kinds of feature are columns cut from one matrix
  (``Prepared.cut_from``), and only the ``urgent`` head is fitted (``evaluate``'s ``urgent_only``).
  ``--ablation-check ROW`` times one row both ways on a subset, alternated, and says whether they agree.

``--first-try REV`` scores every round with the triage of git revision REV (checked out in a temporary
worktree): how a round did before anything was changed for it. ``--import-cost`` prints what importing triage
costs IntakeFunction's cold start (CPU and memory, measured inside the handler's import in fresh
interpreters) and what its first message then loads. Nothing leaves the machine.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from inquiries.record import Level
from inquiries.triage import Triage, features
from inquiries.triage.model import BINARY_HEADS
from inquiries.triage.rules import RulesVerdict, Triager, load_shipped_triager

from infra import triage_corpus
from infra.triage_corpus import Phrasing
from infra.triage_train import UNION_PARTS, Prepared, Settings, reader_for, round_folds, train

MAX_MESSAGE_LENGTH = 2000  # the longest message InquiryIn accepts
REPO = Path(__file__).resolve().parent.parent
# Held out by round: the training rounds in this many groups of whole rounds, each scored by a model (and
# thresholds) fitted on the others.
HELD_OUT_FOLDS = 5
# The goals of issue 17, per language: held-out recall at least, false alarms at most.
GOALS = {"en": (0.97, 0.03), "es": (0.95, 0.05)}


@dataclass
class Figures:
    """Counts over a set of phrasings: urgent caught, false alarms, priority told apart, per category."""

    urgent: int = 0
    urgent_caught: int = 0
    not_urgent: int = 0
    false_alarms: int = 0
    priority: int = 0
    priority_flagged: int = 0  # priority phrasings marked priority or urgent
    ordinary: int = 0
    ordinary_flagged: int = 0  # none phrasings marked priority or urgent
    category_total: Counter[str] = field(default_factory=Counter)
    category_caught: Counter[str] = field(default_factory=Counter)
    missed_rounds: Counter[str] = field(default_factory=Counter)

    def add(self, phrasing: Phrasing, verdict: Triage) -> None:
        """Count one phrasing and its verdict."""
        if phrasing.level == "urgent":
            self.urgent += 1
            self.urgent_caught += verdict.urgent
            self.category_total[phrasing.category] += 1
            self.category_caught[phrasing.category] += verdict.urgent
            if not verdict.urgent:
                self.missed_rounds[phrasing.round] += 1
        else:
            self.not_urgent += 1
            self.false_alarms += verdict.urgent
        if phrasing.level == "priority":
            self.priority += 1
            self.priority_flagged += verdict.level != "none"
        if phrasing.level == "none":
            self.ordinary += 1
            self.ordinary_flagged += verdict.level != "none"

    @property
    def recall(self) -> float:
        """Urgent phrasings marked urgent."""
        return self.urgent_caught / self.urgent if self.urgent else 0.0

    @property
    def false_alarm_rate(self) -> float:
        """Non-urgent phrasings (priority and none) marked urgent."""
        return self.false_alarms / self.not_urgent if self.not_urgent else 0.0

    def line(self) -> str:
        """The headline: recall and false alarms with their counts."""
        return (f"urgent caught {_pct(self.urgent_caught, self.urgent)}; false alarms "
                f"{_pct(self.false_alarms, self.not_urgent)}; priority flagged "
                f"{_pct(self.priority_flagged, self.priority)}; ordinary flagged "
                f"{_pct(self.ordinary_flagged, self.ordinary)}")


def _pct(part: int, whole: int) -> str:
    return f"{part}/{whole} ({part / whole:.1%})" if whole else "0/0"


class Assessor(Protocol):
    """Anything that triages a message: the shipped reader, a fold's, the rules alone."""

    def assess(self, text: str) -> Triage:
        """The verdict on one message."""
        ...


def score(reader: Assessor, phrasings: Sequence[Phrasing]) -> dict[str, Figures]:
    """Figures per language for ``phrasings`` read by ``reader``."""
    out: dict[str, Figures] = {}
    for p in phrasings:
        out.setdefault(p.language, Figures()).add(p, reader.assess(p.text))
    return out


def merge(into: dict[str, Figures], more: dict[str, Figures]) -> None:
    """Add ``more``'s counts to ``into``, language by language."""
    for language, figures in more.items():
        target = into.setdefault(language, Figures())
        for name in ("urgent", "urgent_caught", "not_urgent", "false_alarms", "priority", "priority_flagged",
                     "ordinary", "ordinary_flagged"):
            setattr(target, name, getattr(target, name) + getattr(figures, name))
        target.category_total.update(figures.category_total)
        target.category_caught.update(figures.category_caught)
        target.missed_rounds.update(figures.missed_rounds)


@dataclass
class Evaluation:
    """One variant of triage measured three ways."""

    training: dict[str, Figures]
    held_out: dict[str, Figures]
    frozen: dict[str, Figures]


class RememberingTriager(Triager):
    """The rules, remembering what they read in each text: the ablation's rows and folds read the same
    phrasings again and again (each through a ``Reader``), and the rules' reading is the same every time."""

    def __init__(self, rules: Triager) -> None:
        """The same rules as ``rules`` (its compiled patterns shared), with a memory of its own."""
        self.__dict__.update(vars(rules))
        self._read: dict[str, tuple[RulesVerdict, str, str]] = {}

    def read(self, text: str) -> tuple[RulesVerdict, str, str]:
        """What ``Triager.read`` gives, read once per text."""
        found = self._read.get(text)
        if found is None:
            found = self._read[text] = super().read(text)
        return found


def evaluate(settings: Settings, rules: Triager, training: Prepared, frozen: Sequence[Phrasing],
             *, with_training: bool = True, urgent_only: bool = False) -> Evaluation:
    """Train on the training rounds (and on all but each round, in turn) and score as the module says.

    ``urgent_only``: fit only what decides *urgent* (the ``urgent`` head and its thresholds; no risk head, no
    categories): the figures' urgent caught and false alarms (all the ablation prints) are the same, and the
    levels below urgent (priority flagged, ordinary flagged) mean nothing."""
    heads = ("urgent",) if urgent_only else BINARY_HEADS
    full = reader_for(train(training, settings, categories=not urgent_only, heads=heads), rules)
    held_out: dict[str, Figures] = {}
    for test in round_folds(training.phrasings, HELD_OUT_FOLDS):
        held = set(test)
        fold = reader_for(train(training.subset([i for i in range(len(training.phrasings)) if i not in held]),
                                settings, categories=False, heads=heads), rules)
        merge(held_out, score(fold, [training.phrasings[i] for i in test]))
    return Evaluation(training=score(full, training.phrasings) if with_training else {},
                      held_out=held_out, frozen=score(full, frozen))


@dataclass(frozen=True)
class RulesAlone:
    """The phrase rules as a reader of their own (no model): danger matches urgent, the rest priority."""

    rules: Triager

    def assess(self, text: str) -> Triage:
        """The rules' verdict as a level."""
        found = self.rules.assess(text)
        if found.urgent:
            return Triage(level=Level.URGENT, matches=found.urgent)
        if found.priority:
            return Triage(level=Level.PRIORITY, matches=found.priority)
        return Triage()


def rules_only(rules: Triager, training: Sequence[Phrasing], frozen: Sequence[Phrasing]) -> Evaluation:
    """The phrase rules alone: what they catch and what they flag (they are not fitted, so held out is training)."""
    reader = RulesAlone(rules)
    return Evaluation(training=score(reader, training), held_out=score(reader, training),
                      frozen=score(reader, frozen))


# The kinds of feature shipped before pairs of words one apart (``features.SKIPS``) were added.
_BEFORE_SKIPS = (features.WORDS, features.CONCEPTS, features.RULES, features.SCALED)
ABLATION: tuple[tuple[str, Settings | None], ...] = (
    ("rules alone (concept lexicons, modifiers)", None),
    ("model alone: words", Settings(parts=(features.WORDS,), deciding_precision=2, history_apart=False,
                                    nb_scaling=False)),
    ("model alone: words, Spanish letters", Settings(parts=(features.WORDS, features.SPANISH_LETTERS),
                                                     deciding_precision=2, history_apart=False, nb_scaling=False)),
    ("model alone: words, concepts", Settings(parts=(features.WORDS, features.CONCEPTS), deciding_precision=2,
                                              history_apart=False, nb_scaling=False)),
    ("model alone: + rule findings", Settings(parts=(features.WORDS, features.CONCEPTS, features.RULES),
                                              deciding_precision=2, history_apart=False, nb_scaling=False)),
    ("every rule decides, model adds", Settings(parts=_BEFORE_SKIPS, deciding_precision=0, nb_scaling=False)),
    ("the surest rules decide, model weighs the rest",
     Settings(parts=(features.WORDS, features.CONCEPTS, features.RULES), history_apart=False, nb_scaling=False)),
    ("+ words weigh less in a long message", Settings(parts=_BEFORE_SKIPS, history_apart=False, nb_scaling=False)),
    ("+ a danger also weighed without the history told beside it (shipped before)",
     Settings(parts=_BEFORE_SKIPS, nb_scaling=False)),
    ("+ naive Bayes log-count ratios scale the features", Settings(parts=_BEFORE_SKIPS, nb_smoothing=1.0)),
    ("+ pairs of words one word apart (shipped before)", Settings(nb_smoothing=1.0)),
    ("shipped: naive Bayes ratios smoothed by a half, not one", Settings()),
    ("shipped, with Spanish letter pieces", Settings(parts=(*features.ALL_PARTS, features.SPANISH_LETTERS))),
)


def ablation_check(row: int, every: int, turns: int = 2) -> list[str]:
    """Row ``row`` of the ablation on every ``every``-th phrasing, the full evaluation and the cheap one
    (``_ablation``'s) alternated ``turns`` times in this process: CPU seconds of each, and whether their urgent
    figures are the same."""
    settings = ABLATION[row][1]
    if settings is None:
        raise ValueError("row 0 (the rules alone) trains nothing")
    training_rounds = triage_corpus.load(frozen=False)[::every]
    frozen = triage_corpus.load(frozen=True)[::every]
    lines = [f"ablation row {row} ({ABLATION[row][0]}) on every {every}th phrasing ({len(training_rounds)} training, "
             f"{len(frozen)} frozen), CPU seconds:"]
    for turn in range(turns):
        rules = load_shipped_triager()
        prepared = Prepared.of(training_rounds, rules)
        start = time.process_time()
        full = evaluate(settings, rules, prepared, frozen, with_training=False)
        full_cpu = time.process_time() - start
        rules = load_shipped_triager()
        prepared = Prepared.of(training_rounds, rules)
        start = time.process_time()
        cheap = evaluate(settings, RememberingTriager(rules), prepared.cut_from(UNION_PARTS), frozen,
                         with_training=False, urgent_only=True)
        cheap_cpu = time.process_time() - start
        same = all((a[lang].urgent_caught, a[lang].false_alarms) == (b[lang].urgent_caught, b[lang].false_alarms)
                   for a, b in ((full.held_out, cheap.held_out), (full.frozen, cheap.frozen)) for lang in a)
        lines.append(f"  turn {turn + 1}: full evaluation {full_cpu:.1f}, cheap {cheap_cpu:.1f}; "
                     f"same urgent figures: {same}")
    return lines


def microseconds(check: Callable[[str], object], texts: Sequence[str], repeat: int) -> float:
    """Median over the texts of the mean time of ``repeat`` checks of each."""
    per_text = []
    for text in texts:
        start = time.perf_counter()
        for _ in range(repeat):
            check(text)
        per_text.append((time.perf_counter() - start) / repeat * 1e6)
    return statistics.median(per_text)


def longest_message(texts: Sequence[str]) -> str:
    """The longest message the API takes (2000 characters), made of corpus messages."""
    return " ".join(list(texts) * 20)[:MAX_MESSAGE_LENGTH]


_FIRST_TRY_SCRIPT = """
import json, sys
from inquiries.triage import assess
rounds = json.load(sys.stdin)
print(json.dumps({name: [[level, bool(assess(text).urgent)] for level, text in rows] for name, rows in rounds.items()}))
"""


def first_try(revision: str) -> dict[str, tuple[int, int, int, int]]:
    """Per round: (urgent caught, urgent, false alarms, not urgent) by the triage of ``revision``."""
    rounds = {name: [[p.level, p.text] for p in triage_corpus.read_round(triage_corpus.CORPUS_DIR / f"{name}.tsv")]
              for name in triage_corpus.round_names()}
    with tempfile.TemporaryDirectory() as scratch:
        tree = Path(scratch) / "tree"
        git = shutil.which("git") or "git"
        # The revision is the operator's own argument; the script is this module's.
        add = [git, "-C", str(REPO), "worktree", "add", "--detach", "-q", str(tree), revision]
        subprocess.run(add, check=True)  # noqa: S603
        try:
            done = subprocess.run([sys.executable, "-c", _FIRST_TRY_SCRIPT], input=json.dumps(rounds),  # noqa: S603
                                  text=True, capture_output=True, check=True,
                                  env={"PYTHONPATH": str(tree / "functions")})
        finally:
            subprocess.run([git, "-C", str(REPO), "worktree", "remove", "--force", str(tree)], check=True)  # noqa: S603
    out = {}
    for name, rows in json.loads(done.stdout).items():
        urgent = [flag for level, flag in rows if level == "urgent"]
        other = [flag for level, flag in rows if level != "urgent"]
        out[name] = (sum(urgent), len(urgent), sum(other), len(other))
    return out


# Run in a fresh interpreter with IntakeFunction's environment: imports the intake handler as its cold start
# does and measures only the import of ``inquiries.triage`` inside it (CPU time, and with ``--memory`` the memory
# its import still holds, read by tracemalloc, which slows the import), then what the first message loads.
IMPORT_COST_SCRIPT = """
import importlib, importlib.util, json, sys, time, tracemalloc
memory = "--memory" in sys.argv
found = {}

class Watch:
    def find_spec(self, name, path=None, target=None):
        if name != "inquiries.triage":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        run = spec.loader.exec_module

        def exec_module(module):
            if memory:
                tracemalloc.start()
            start = time.process_time()
            run(module)
            found["cpu_ms"] = (time.process_time() - start) * 1000
            if memory:
                found["import_kib"] = tracemalloc.get_traced_memory()[0] / 1024
                tracemalloc.stop()
        spec.loader.exec_module = exec_module
        return spec

sys.meta_path.insert(0, Watch())
importlib.import_module("inquiries.handlers.intake")
found["modules_at_import"] = sorted(m for m in sys.modules if m.startswith("inquiries.triage"))
from inquiries.triage import assess
if memory:
    tracemalloc.start()
start = time.process_time()
found["level"] = assess("i took the whole bottle of my xanax an hour ago").level.value
found["first_message_cpu_ms"] = (time.process_time() - start) * 1000
if memory:
    found["first_message_kib"] = tracemalloc.get_traced_memory()[0] / 1024
print(json.dumps(found))
"""


def measure_import(*, memory: bool) -> dict[str, Any]:
    """One fresh interpreter importing the intake handler: what importing triage (and its first message) cost."""
    from infra.bench.cold_start import function_environment
    from infra.template import TemplateResources

    argv = [sys.executable, "-c", IMPORT_COST_SCRIPT] + (["--memory"] if memory else [])
    done = subprocess.run(argv, env=function_environment(TemplateResources(), "IntakeFunction"),  # noqa: S603
                          cwd=REPO, capture_output=True, text=True, timeout=300, check=True)
    found: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    return found


def import_cost(runs: int) -> list[str]:
    """The lines ``--import-cost`` prints: medians over ``runs`` fresh interpreters, and the memory of one."""
    samples = [measure_import(memory=False) for _ in range(runs)]
    memory = measure_import(memory=True)
    return [
        f"import of inquiries.triage inside IntakeFunction's handler import: "
        f"{statistics.median(s['cpu_ms'] for s in samples):.2f} ms CPU (median of {runs} fresh interpreters), "
        f"{memory['import_kib']:.0f} KiB still held (tracemalloc)",
        f"the first message then loads: {statistics.median(s['first_message_cpu_ms'] for s in samples):.1f} ms CPU, "
        f"{memory['first_message_kib']:.0f} KiB",
    ]


def _block(title: str, figures: dict[str, Figures]) -> list[str]:
    return [f"{title}:"] + [f"  {language}: {figures[language].line()}" for language in sorted(figures)]


def _categories(figures: dict[str, Figures]) -> list[str]:
    lines = ["held out, urgent caught per category:"]
    for language in sorted(figures):
        f = figures[language]
        lines.append(f"  {language}: " + ", ".join(
            f"{c} {f.category_caught[c]}/{n}" for c, n in sorted(f.category_total.items())))
    return lines


def _ablation(chosen: str | None, rules: Triager, training_rounds: Sequence[Phrasing], training: Prepared,
              frozen: Sequence[Phrasing]) -> None:
    """Print the ablation's rows (``chosen``: their 0-based numbers, comma-separated; None: every row), each as soon
    as it is measured (a row takes minutes on a busy machine)."""
    sys.stdout.write("ablation (held out by round | frozen rounds), urgent caught / false alarms:\n")
    sys.stdout.flush()
    rows = list(ABLATION) if not chosen else [ABLATION[int(n)] for n in chosen.split(",")]
    # The same figures as each row evaluated on its own, for less: the rules read each text once, every row's
    # kinds of feature are columns of one matrix, and only the urgent head is fitted
    # (tests/unit/test_triage_ablation.py).
    if not isinstance(rules, RememberingTriager):
        rules = RememberingTriager(rules)
    training = training.cut_from(UNION_PARTS)
    for label, settings in rows:
        result = (rules_only(rules, training_rounds, frozen) if settings is None
                  else evaluate(settings, rules, training, frozen, with_training=False, urgent_only=True))
        cells = []
        for language in ("en", "es"):
            h, f = result.held_out.get(language, Figures()), result.frozen.get(language, Figures())
            cells.append(f"{language} {h.recall:.1%} / {h.false_alarm_rate:.1%} | "
                         f"{f.recall:.1%} / {f.false_alarm_rate:.1%}")
        sys.stdout.write(f"  {label}: " + "; ".join(cells) + "\n")
        sys.stdout.flush()


def main(argv: list[str] | None = None) -> int:
    """Print the figures; exit 1 when a held-out goal is missed (``GOALS``)."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=50, help="assessments of each message when timing")
    parser.add_argument("--no-ablation", action="store_true", help="skip the ablation (the slow part)")
    parser.add_argument("--ablation-rows", metavar="N,M",
                        help="only these rows of the ablation (0-based, comma-separated), without the other figures")
    parser.add_argument("--first-try", metavar="REV", help="score each round with the triage of git revision REV")
    parser.add_argument("--import-cost", action="store_true",
                        help="what importing triage costs IntakeFunction's cold start, and its first message")
    parser.add_argument("--ablation-check", metavar="ROW", type=int,
                        help="that row's full evaluation against the ablation's cheap one, alternated (CPU seconds)")
    parser.add_argument("--every", type=int, default=8, help="with --ablation-check: every Nth phrasing")
    args = parser.parse_args(argv)
    out: list[str] = []
    if args.ablation_check is not None:
        sys.stdout.write("\n".join(ablation_check(args.ablation_check, args.every)) + "\n")
        return 0
    if args.import_cost:
        sys.stdout.write("\n".join(import_cost(runs=11)) + "\n")
        return 0
    if args.first_try:
        out.append(f"first try: each round scored by the triage of {args.first_try}")
        for name, (caught, urgent, alarms, other) in first_try(args.first_try).items():
            out.append(f"  {name}: urgent caught {_pct(caught, urgent)}; false alarms {_pct(alarms, other)}")
        sys.stdout.write("\n".join(out) + "\n")
        return 0
    rules = RememberingTriager(load_shipped_triager())  # every text read once, whatever reads it again
    training_rounds = triage_corpus.load(frozen=False)
    frozen = triage_corpus.load(frozen=True)
    training = Prepared.of(training_rounds, rules)
    sizes = Counter((p.language, p.level) for p in training_rounds + frozen)
    out.append("corpus: " + ", ".join(f"{lang} {level} {n}" for (lang, level), n in sorted(sizes.items()))
               + f"; frozen rounds: {', '.join(sorted(triage_corpus.FROZEN_ROUNDS))}")
    if args.ablation_rows:
        # Only those rows (the shipped figures and the timing are the other runs' business): minutes, not an hour.
        sys.stdout.write("\n".join(out) + "\n")
        _ablation(args.ablation_rows, rules, training_rounds, training, frozen)
        return 0
    shipped = evaluate(Settings(), rules, training, frozen)
    out += _block("training (fitted to these)", shipped.training)
    out += _block("held out by round (cross-validated)", shipped.held_out)
    out += _block("frozen rounds (never read, never tuned on)", shipped.frozen)
    out += _categories(shipped.held_out)
    from inquiries.triage import assess

    texts = [p.text for p in training_rounds]
    out.append(f"cost per message: {microseconds(assess, texts, args.repeat):.0f} µs median over the corpus; "
               f"{microseconds(assess, [longest_message(texts)], args.repeat):.0f} µs for a "
               f"{MAX_MESSAGE_LENGTH}-character message")
    if not args.no_ablation:
        sys.stdout.write("\n".join(out) + "\n")
        out = []
        _ablation(None, rules, training_rounds, training, frozen)
    if out:
        sys.stdout.write("\n".join(out) + "\n")
    met = all(shipped.held_out[lang].recall >= goal and shipped.held_out[lang].false_alarm_rate <= limit
              for lang, (goal, limit) in GOALS.items() if lang in shipped.held_out)
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
