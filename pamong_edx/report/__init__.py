"""`pamong report`: progress reports by region from the LMS (docs/report.md)."""
