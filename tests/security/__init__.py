"""Security and trust tests (issue 12): each finding, tried as the person who would find it."""
