"""The other direction: what learners did, read back from an LMS, kept in one store, judged by the
course's own rules and reported.

sources (moodle_ws, moodle_files) -> SCO attempts (sco_attempt, decoded by scorm_data against the
course_map) -> evidence -> store (DuckDB) -> rules (SQL) -> show (table, CSV, JSON, HTML).
"""
