"""Fixtures for exporter tests; the material itself is in olx_samples.py."""

from __future__ import annotations

import pytest

from olx_samples import make_course
from pamong_edx.course.model import Course


@pytest.fixture
def course() -> Course:
    return make_course()
