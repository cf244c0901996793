"""`coursepack preview`: the course built in memory, served on 127.0.0.1 inside an LMS-like page.

One job per module: lms_runtimes (which targets have an LMS side here, and how each launches),
scorm_launch (what an LMS reads from a SCORM manifest), live_build (the in-memory build that keeps the
last good one), watcher (the course folder's changes) with inotify (Linux's change notices, through
ctypes), events (server-sent events to the pages), request_paths (request path to package path,
refusing anything else), server (HTTP routes);
for xAPI and cmi5: lrs_launch (what an LMS reads from tincan.xml / cmi5.xml), mini_lrs (the in-process
LRS), lrs_lms (the launches an LMS makes over it, and a statement as the panel lists it).
The LMS page itself is static/: preview.html, preview.js, preview.css, the vendored scorm-again, and
lrs_sides.js (the xAPI/cmi5 side of the page) with returned.html (the cmi5 returnURL).
"""
