"""`pamong preview`: the course served on 127.0.0.1 as officials will see it, reloaded while it is written.

    state.py     the course as last loaded (with the build cache), its diagnostics, its SCOs rendered on demand
    watcher.py   watchfiles on the course folder, and the notifier the open pages wait on (server-sent events)
    server.py    the werkzeug application and its routes
    page.py      the pages: the preview shell, the SCO's LMS frame, the "as Open edX" view
    olx_view.py  CAPA problem XML (as the OLX exporter writes it) rendered to HTML
    command.py   the command line

docs/preview.md describes what it shows and what it does not.
"""
