"""Former slugs on practice tags (renames and merges keep `?tag=` URLs working), and short
descriptions for the seeded RAN terms whose meaning the project's sources give.

Each description below says only what ../shared/design/RAN_TEMPLATE.md or a seed in
../shared/seeds/ states about the term (the source is named next to it); terms the sources
do not explain keep an empty description for curators to fill in. Descriptions already
written by a curator are never replaced.
"""

from django.db import migrations, models

KEY_THEMES = {
    # 002 (the Mechelen practice, filed under this theme): online safe spaces, online
    # outreach, disinformation and hate speech.
    "Internet and radicalisation": (
        "Prevention online: for example online safe spaces for young people, reaching out to "
        "people online, and understanding disinformation and hate speech."
    ),
    # 003: "city-led frameworks for P/CVE"; 002: "our local approach of preventing and
    # countering violent extremism".
    "Local strategies/cities": (
        "A city's own approach to preventing and countering violent extremism (P/CVE), and "
        "city-led frameworks for it."
    ),
    # 001 (the Mechelen multi-stakeholder team): social workers, street corner workers, police
    # and grassroots organisations discuss cases; information is shared on a need-to-know basis.
    "Multi-agency cooperation": (
        "Social workers, street workers, police, grassroots organisations and the city working "
        "on cases together, sharing information on a need-to-know basis."
    ),
    # 003: "supporting and engaging returning foreign terrorist fighters and their families".
    "Foreign Terrorist Fighters and their families": (
        "Supporting and engaging returning foreign terrorist fighters and their families."
    ),
    # 001: a protocol for working with prisons; an outreach worker for prison releases.
    "Prison and probation": (
        "Work with prisons and probation: for example protocols with prisons and outreach to "
        "people released from prison."
    ),
    # 003: "youth-focused programmes and initiatives"; 002 spells out P/CVE.
    "Vulnerable youth and youth engagement in P/CVE": (
        "Youth-focused programmes and initiatives in preventing and countering violent "
        "extremism (P/CVE)."
    ),
}

TARGET_AUDIENCES = {
    # 003: mayors and policy makers; policy "at the local, regional, and federal levels".
    "Authorities": (
        "Public authorities such as mayors and policy makers, local, regional or national."
    ),
}

DESCRIPTIONS = {"KeyTheme": KEY_THEMES, "TargetAudience": TARGET_AUDIENCES}


def fill_descriptions(apps, schema_editor):
    """Describe the seeded terms that still have no description."""
    for model_name, descriptions in DESCRIPTIONS.items():
        model = apps.get_model("practices", model_name)
        for label, description in descriptions.items():
            model.objects.filter(label=label, description="").update(description=description)


def clear_descriptions(apps, schema_editor):
    """Remove the descriptions this migration wrote, unless a curator changed them since."""
    for model_name, descriptions in DESCRIPTIONS.items():
        model = apps.get_model("practices", model_name)
        for label, description in descriptions.items():
            model.objects.filter(label=label, description=description).update(description="")


class Migration(migrations.Migration):
    dependencies = [
        ("practices", "0020_media_archive_reason_vocabulary_descriptions"),
    ]

    operations = [
        migrations.AddField(
            model_name="practicetag",
            name="former_slugs",
            field=models.JSONField(
                blank=True, default=list, editable=False, verbose_name="former slugs"
            ),
        ),
        migrations.RunPython(fill_descriptions, clear_descriptions),
    ]
