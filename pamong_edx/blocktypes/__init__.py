"""The built-in block types, one folder per type in the manner of Moodle's qtype_* plugins.

Each folder is a `pamong_edx.block.v1` plugin declared in pyproject.toml exactly as a third-party type is:
`__init__.py` reads the type's keys into the model (schema and checks), and one module per output target
renders it: `olx.py` (Open edX CAPA/OLX), `player.py` with `player.html.j2` and `player.js` (the SCORM player and
its interaction data), `moodlexml.py` (Moodle XML question bank). Nothing outside a type's folder names it.
The three choice types share choices.py (reading choices), choice_render.py and choices.js.
"""
