"""Seed the RAN vocabularies (RAN_TEMPLATE.md) and the funding programmes named in the seeds.

Terms are created only when missing, so curators' edits (labels, active flags) survive.
"""

from django.db import migrations
from django.utils.text import slugify

KEY_THEMES = [
    "(Early) prevention",
    "Alternative and counter narratives",
    "Deradicalisation/disengagement",
    "Family support",
    "Foreign Terrorist Fighters and their families",
    "Formal/informal education",
    "Formers",
    "Gender/women",
    "Internet and radicalisation",
    "Islamist extremism",
    "Judiciary and law enforcement",
    "Local strategies/cities",
    "Multi-agency cooperation",
    "Prison and probation",
    "Social cohesion and polarisation",
    "Victims of terrorism",
    "Violent right-wing extremism",
    "Vulnerable youth and youth engagement in P/CVE",
]
TARGET_AUDIENCES = [
    "First responders or practitioners",
    "Authorities",
    "Online community",
    "Formers",
    "General public",
    "Prison / probation",
    "Educators/academics",
    "Families",
    "Youth/pupils/students",
    "Local community organisations/NGOs",
    "Victims of terrorism",
]
ORGANISATION_TYPES = [
    "NGO",
    "Governmental institution",
    "Foundation",
    "Academic/research institution",
    "Other",
]
FUNDING_PROGRAMMES = ["ISF-Police", "ESF", "Erasmus+", "Horizon 2020", "Peace Incentive Fund"]

VOCABULARIES = {
    "KeyTheme": KEY_THEMES,
    "TargetAudience": TARGET_AUDIENCES,
    "OrganisationType": ORGANISATION_TYPES,
    "FundingProgramme": FUNDING_PROGRAMMES,
}


def seed(apps, schema_editor):
    for model_name, labels in VOCABULARIES.items():
        model = apps.get_model("practices", model_name)
        for label in labels:
            model.objects.get_or_create(label=label, defaults={"slug": slugify(label)})


class Migration(migrations.Migration):
    dependencies = [("practices", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
