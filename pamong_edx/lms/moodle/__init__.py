"""The Moodle backend (`lms` plugin `moodle`): REST web services, accounts with region fields, manual
enrolment and system cohorts. See docs/moodle.md."""

from pamong_edx.lms.moodle.backend import MoodleBackend

__all__ = ["MoodleBackend"]
