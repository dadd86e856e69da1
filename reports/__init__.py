"""Reports, charts and exports. Charts use a pip-installed CJK font; a missing font is a hard error."""
