"""The eval report: rich tables on the terminal, `report.json`, `report.md` and SVG plots."""
