"""Streamlit-only helpers: state keys, i18n, services. Pages call these and the engine; they never score."""
