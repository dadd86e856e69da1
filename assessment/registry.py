"""The loading side of one evaluation: read a profile and its answers, and load every edition it needs.

What it gives is all :func:`assessment.engine.evaluate` needs; the engine itself reads no file. Editions come from the
existing caches (in memory, and the compiled-criteria cache on disk); an unknown edition is refused with the registry's
message (``unknown edition ...; known ... editions: ...``).
"""

from __future__ import annotations

from pathlib import Path

from .answers import parse_answers, read_answers_file
from .declarations import load_declarations
from .editions import DECLARATIONS_EDITION, DEFAULT_ROOT, load_maturity_cached
from .engine import Editions, Evaluation, Inputs, evaluate
from .loader import YamlError, read_document
from .profile import Profile, ProfileError, parse_profile
from .programmes import tier_editions_referred
from .scenarios import load_catalogue
from .tiers import load_tier_edition


def read_profile(path: Path) -> Profile:
    """A profile file; a relative ``maturity.answers_file`` is resolved against the profile's folder."""
    try:
        data = read_document(path)
    except YamlError as exc:
        raise ProfileError(str(exc)) from None
    profile = parse_profile(data, str(path))
    if profile.maturity and profile.maturity.answers_file:
        answers = path.parent / profile.maturity.answers_file
        if not answers.exists():
            raise ProfileError(f"{path}: maturity.answers_file: no such file {profile.maturity.answers_file!r}")
        resolved = str(answers.resolve())
        profile = profile.model_copy(update={"maturity": profile.maturity.model_copy(update={"answers_file": resolved})})
    return profile


def load_inputs(profile: Profile, *, root: Path = DEFAULT_ROOT) -> Inputs:
    """The profile with its maturity answers parsed (read from ``answers_file`` or given inline), when they are what
    gives its maturity level (no certified level)."""
    m = profile.maturity
    if m is None or m.certified_level is not None or (m.answers is None and m.answers_file is None):
        return Inputs(profile)
    if m.answers_file:
        answers, _ = read_answers_file(Path(m.answers_file), root=root)
    else:
        industry = m.industry or profile.enterprise.industry_type
        if industry is None:
            raise ValueError("profile: maturity.industry: needed to score maturity answers")
        answers, _ = parse_answers(
            {"edition": m.edition, "industry": industry, "answers": m.answers}, root=root, source="profile maturity.answers"
        )
    return Inputs(profile, answers)


def read_inputs(path: Path, *, root: Path = DEFAULT_ROOT) -> Inputs:
    return load_inputs(read_profile(path), root=root)


def editions_for(
    inputs: Inputs,
    *,
    tier_edition: str | None = None,
    declarations: str = DECLARATIONS_EDITION,
    root: Path = DEFAULT_ROOT,
) -> Editions:
    """Every edition evaluating ``inputs`` needs: the tier edition (the profile's unless ``tier_edition``), the
    declarations edition and the tier editions its programmes refer to, the profile's scenario catalogue and the
    maturity edition of its answers."""
    profile = inputs.profile
    tier = load_tier_edition(tier_edition or profile.tier_edition, root)
    decl = load_declarations(declarations, root)
    others = {e: load_tier_edition(e, root) for e in tier_editions_referred(decl) if e != tier.id}
    cat = load_catalogue(profile.scenarios.catalogue, root)
    maturity = load_maturity_cached(inputs.answers.edition, root) if inputs.answers is not None else None
    return Editions(tier=tier, declarations=decl, catalogues={cat.id: cat}, tiers=others, maturity=maturity)


def evaluate_profile(
    profile: Profile,
    *,
    tier_edition: str | None = None,
    declarations: str = DECLARATIONS_EDITION,
    root: Path = DEFAULT_ROOT,
) -> Evaluation:
    """Load what ``profile`` needs and evaluate it (:func:`load_inputs`, :func:`editions_for`, the engine)."""
    inputs = load_inputs(profile, root=root)
    return evaluate(inputs, editions_for(inputs, tier_edition=tier_edition, declarations=declarations, root=root))
