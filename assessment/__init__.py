"""智能制造能力成熟度与智能工厂梯度评估引擎 — the assessment engine (no UI, chart or PDF imports)."""

__version__ = "0.1.0"
