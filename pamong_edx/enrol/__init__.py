"""The enrolment engine behind `pamong enrol`: rules, plan, journal, pacing, batched execution and results.

    rules.py      which courses each official gets, and the cohort in each (YAML or --course/--cohort-by)
    plan.py       desired state per roster row compared with the journal (and the LMS): the operations
    journal.py    what earlier runs did, in SQLite per profile; pending marks make a killed run resumable
    ratelimit.py  client-side pacing just under the LMS's throttle
    meter.py      counts and paces every HTTP request the backend sends
    executor.py   cohorts first, then batched calls on a bounded pool, outcomes per identifier
    results.py    the Excel-safe results file and summary words
    job.py        one job from options to results; commands.py is its command line

See docs/enrol.md.
"""
