"""Practice Hub's models, re-exported from their modules."""

# The curators' review task lives with the rest of the workflow code (practices/workflow.py).
from ..workflow import ReviewTask
from .access import MemberAccessRequest
from .adaptations import AdaptationPage, adaptations_visible_to
from .contact import ContactMessage
from .follow import SavedSearch
from .imports import PracticeImport
from .pages import (
    CityIndexPage,
    CityPage,
    EventPage,
    EventSession,
    EventTakeaway,
    HomePage,
    NetworkIndexPage,
    NetworkPage,
    PracticeDeliverableLink,
    PracticeIndexPage,
    PracticePage,
    PracticePresentation,
    UnfiledPracticesPage,
)
from .roles import CityEditorGroup
from .settings import EvidenceExplanation
from .vocabularies import (
    FundingProgramme,
    KeyTheme,
    OrganisationType,
    PracticeTag,
    TaggedPractice,
    TargetAudience,
    VocabularyTerm,
)

__all__ = [
    "AdaptationPage",
    "adaptations_visible_to",
    "CityEditorGroup",
    "CityIndexPage",
    "CityPage",
    "ContactMessage",
    "EventPage",
    "EventSession",
    "EventTakeaway",
    "EvidenceExplanation",
    "FundingProgramme",
    "HomePage",
    "KeyTheme",
    "MemberAccessRequest",
    "NetworkIndexPage",
    "NetworkPage",
    "OrganisationType",
    "PracticeDeliverableLink",
    "PracticeImport",
    "PracticeIndexPage",
    "PracticePage",
    "PracticePresentation",
    "PracticeTag",
    "ReviewTask",
    "SavedSearch",
    "TaggedPractice",
    "TargetAudience",
    "UnfiledPracticesPage",
    "VocabularyTerm",
]
