"""PDF practice sheets, city factsheets and bundles, rendered with WeasyPrint (docs/pdf.md).

render.py turns pages into PDF bytes, cache.py keeps one rendered file per published revision
and audience in the default storage, views.py serves them with the page's own privacy rules.
"""
