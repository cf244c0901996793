"""The IRIs and fixed values of xAPI 1.0.3 and cmi5 (Quartz) that coursepack uses.

One place for them, so the runtime adapters' statements, the report command's queries and
the tests' rule checkers all spell every IRI the same way.
"""

from __future__ import annotations

# The patch version sent in the X-Experience-API-Version header (xAPI Communication 3.3:
# "the latest patch version"). A statement's own "version" property, when a provider sets
# it at all, is 1.0.0 for every 1.0.x (xAPI Data 2.4.10).
XAPI_VERSION = "1.0.3"
STATEMENT_VERSION = "1.0.0"
VERSION_HEADER = "X-Experience-API-Version"

# ---------------------------------------------------------------- verbs
_ADL = "http://adlnet.gov/expapi/verbs/"
_ADL_W3ID = "https://w3id.org/xapi/adl/verbs/"

INITIALIZED = _ADL + "initialized"
EXPERIENCED = _ADL + "experienced"
ATTEMPTED = _ADL + "attempted"
ANSWERED = _ADL + "answered"
RESPONDED = _ADL + "responded"
COMMENTED = _ADL + "commented"
INTERACTED = _ADL + "interacted"
PROGRESSED = _ADL + "progressed"
SCORED = _ADL + "scored"
COMPLETED = _ADL + "completed"
PASSED = _ADL + "passed"
FAILED = _ADL + "failed"
SUSPENDED = _ADL + "suspended"
RESUMED = _ADL + "resumed"
TERMINATED = _ADL + "terminated"
LAUNCHED = _ADL + "launched"
VOIDED = _ADL + "voided"
# cmi5 §9.3.6, §9.3.7, §9.3.9: verbs only the LMS issues.
ABANDONED = _ADL_W3ID + "abandoned"
WAIVED = _ADL_W3ID + "waived"
SATISFIED = _ADL_W3ID + "satisfied"

# The English display of each verb, for the "display" language map.
VERB_DISPLAY: dict[str, str] = {
    iri: iri.rsplit("/", 1)[1]
    for iri in (
        INITIALIZED, EXPERIENCED, ATTEMPTED, ANSWERED, RESPONDED, COMMENTED, INTERACTED,
        PROGRESSED, SCORED, COMPLETED, PASSED, FAILED, SUSPENDED, RESUMED, TERMINATED,
        LAUNCHED, VOIDED, ABANDONED, WAIVED, SATISFIED,
    )
}

# cmi5 §9.3: the verbs an AU may use in "cmi5 defined" statements, and those only the LMS uses.
CMI5_AU_VERBS = frozenset({INITIALIZED, COMPLETED, PASSED, FAILED, TERMINATED})
CMI5_LMS_VERBS = frozenset({LAUNCHED, ABANDONED, WAIVED, SATISFIED})

# ---------------------------------------------------------------- activity types
_ADL_ACTIVITIES = "http://adlnet.gov/expapi/activities/"

COURSE = _ADL_ACTIVITIES + "course"
MODULE = _ADL_ACTIVITIES + "module"
# The ADL vocabulary has no "page"; a page of a module is a lesson.
LESSON = _ADL_ACTIVITIES + "lesson"
PAGE = LESSON
ASSESSMENT = _ADL_ACTIVITIES + "assessment"
# xAPI Data 2.4.4.1: interaction activities SHOULD have this type; every question is one.
INTERACTION = _ADL_ACTIVITIES + "cmi.interaction"
QUESTION = INTERACTION
CMI5_BLOCK = "https://w3id.org/xapi/cmi5/activitytype/block"
CMI5_COURSE = "https://w3id.org/xapi/cmi5/activitytype/course"

# xAPI Data 2.4.4.1, "Interaction Types" and "Interaction Components": the ten types and the
# component lists each one supports (types not named support none).
INTERACTION_TYPES = (
    "true-false", "choice", "fill-in", "long-fill-in", "matching",
    "performance", "sequencing", "likert", "numeric", "other",
)
COMPONENT_LISTS = ("choices", "scale", "source", "target", "steps")
COMPONENT_LISTS_BY_TYPE: dict[str, tuple[str, ...]] = {
    "choice": ("choices",),
    "sequencing": ("choices",),
    "likert": ("scale",),
    "matching": ("source", "target"),
    "performance": ("steps",),
}

# ---------------------------------------------------------------- cmi5 (§9.5.5, §9.6, §10, §11)
_CMI5 = "https://w3id.org/xapi/cmi5/"

CMI5_CATEGORY = _CMI5 + "context/categories/cmi5"
MOVEON_CATEGORY = _CMI5 + "context/categories/moveon"

SESSION_ID_EXT = _CMI5 + "context/extensions/sessionid"
MASTERY_SCORE_EXT = _CMI5 + "context/extensions/masteryscore"
LAUNCH_MODE_EXT = _CMI5 + "context/extensions/launchmode"
LAUNCH_URL_EXT = _CMI5 + "context/extensions/launchurl"
MOVEON_EXT = _CMI5 + "context/extensions/moveon"
LAUNCH_PARAMETERS_EXT = _CMI5 + "context/extensions/launchparameters"

PROGRESS_EXT = _CMI5 + "result/extensions/progress"
REASON_EXT = _CMI5 + "result/extensions/reason"

LAUNCH_DATA_STATE_ID = "LMS.LaunchData"
LEARNER_PREFERENCES_PROFILE_ID = "cmi5LearnerPreferences"

LAUNCH_MODES = ("Normal", "Browse", "Review")
MOVE_ON_VALUES = ("Passed", "Completed", "CompletedAndPassed", "CompletedOrPassed", "NotApplicable")
