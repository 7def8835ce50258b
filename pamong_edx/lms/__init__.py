"""Talking to a learning management system: the backend protocol, profiles, deploy and `lms check`.

The protocol (protocol.py) is LMS-neutral; each LMS is an `lms` plugin (Open edX: lms/openedx/).
"""
