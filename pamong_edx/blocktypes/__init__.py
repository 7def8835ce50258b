"""The built-in block types, one folder per type in the manner of Moodle's qtype_* plugins.

Each folder is a `pamong_edx.block.v1` plugin declared in pyproject.toml exactly as a third-party type is:
`__init__.py` reads the type's keys into the model (schema and checks), and one module per output target
renders it: `olx.py` (Open edX CAPA/OLX), `player.py` with, where the type needs them, a `player.html.j2`
template and a `player.js` script (the SCORM player and its interaction data), `moodlexml.py` (Moodle XML
question bank). Nothing outside a type's folder names it. The three choice types share choices.py (reading
choices), choice_render.py (their answer area is written in Python there, as text's is: the two are most of a
course's blocks) and choices.js.
"""
