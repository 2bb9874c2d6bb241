"""Sphinx configuration: Markdown pages (MyST) with the furo theme, as pip's and black's docs."""

project = 'guard'
extensions = ['myst_parser']
source_suffix = {'.md': 'markdown'}
exclude_patterns = ['_build']
html_theme = 'furo'
myst_heading_anchors = 3
