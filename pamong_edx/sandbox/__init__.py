"""Stand-in LMS servers for rehearsal and tests (not an LMS).

core/ holds what every stand-in shares: the threaded HTTP server, routing, fault injection, request
statistics, throttling and SQLite storage. Each LMS is an app beside it (openedx/, moodle/).
"""
