"""Built-in exporter plugins: OLX, SCORM 1.2 and SCORM 2004."""
