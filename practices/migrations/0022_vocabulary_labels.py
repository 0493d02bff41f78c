"""Labels of the vocabulary terms in French, Dutch, German and Spanish, and those labels for
the seeded RAN terms (0002_seed_vocabularies).

The slug and the English `label` stay as they are: URLs, the search index, the API, OAI and
the spreadsheets keep reading them. The translations use the terms the P/CVE field writes in
each language (the EU's own wording where it has one: "combattants terroristes étrangers",
"buitenlandse terroristische strijders"; German "Distanzierung" and "Aussteiger" as its
exit work says; "reclassering" and "Bewährungshilfe" for probation). Acronyms the field keeps
in English stay: P/CVE, NGO in German. Funding programmes take their official names in each
language (FSI-Police, Horizont 2020, ...); names that do not change (Erasmus+, Peace
Incentive Fund) are left empty and show the English label.

Only labels a curator left empty are filled, and going back clears only those still equal to
what this migration wrote.
"""

from django.db import migrations, models

LANGUAGES = ("fr", "nl", "de", "es")
HELP = "Shown to readers who use the site in this language. Left empty, they see the label."

# English label: (French, Dutch, German, Spanish); "" leaves the label to fall back to English.
KEY_THEMES = {
    "(Early) prevention": (
        "Prévention (précoce)",
        "(Vroegtijdige) preventie",
        "(Früh-)Prävention",
        "Prevención (temprana)",
    ),
    "Alternative and counter narratives": (
        "Discours alternatifs et contre-discours",
        "Alternatieve narratieven en tegennarratieven",
        "Alternative Narrative und Gegennarrative",
        "Narrativas alternativas y contranarrativas",
    ),
    "Deradicalisation/disengagement": (
        "Déradicalisation/désengagement",
        "Deradicalisering/disengagement",
        "Deradikalisierung/Distanzierung",
        "Desradicalización/desvinculación",
    ),
    "Family support": (
        "Soutien aux familles",
        "Ondersteuning van families",
        "Unterstützung von Familien",
        "Apoyo a las familias",
    ),
    "Foreign Terrorist Fighters and their families": (
        "Combattants terroristes étrangers et leurs familles",
        "Buitenlandse terroristische strijders en hun families",
        "Ausländische terroristische Kämpfer und ihre Familien",
        "Combatientes terroristas extranjeros y sus familias",
    ),
    "Formal/informal education": (
        "Éducation formelle/informelle",
        "Formeel/informeel onderwijs",
        "Formale/informelle Bildung",
        "Educación formal/informal",
    ),
    "Formers": (
        "Anciens extrémistes",
        "Voormalige extremisten",
        "Aussteigerinnen und Aussteiger",
        "Antiguos extremistas",
    ),
    "Gender/women": ("Genre/femmes", "Gender/vrouwen", "Gender/Frauen", "Género/mujeres"),
    "Internet and radicalisation": (
        "Internet et radicalisation",
        "Internet en radicalisering",
        "Internet und Radikalisierung",
        "Internet y radicalización",
    ),
    "Islamist extremism": (
        "Extrémisme islamiste",
        "Islamistisch extremisme",
        "Islamistischer Extremismus",
        "Extremismo islamista",
    ),
    "Judiciary and law enforcement": (
        "Justice et forces de l'ordre",
        "Justitie en rechtshandhaving",
        "Justiz und Strafverfolgung",
        "Justicia y fuerzas del orden",
    ),
    "Local strategies/cities": (
        "Stratégies locales/villes",
        "Lokale strategieën/steden",
        "Lokale Strategien/Städte",
        "Estrategias locales/ciudades",
    ),
    "Multi-agency cooperation": (
        "Coopération multi-agences",
        "Multi-agency-samenwerking",
        "Multi-Agency-Zusammenarbeit",
        "Cooperación multiagencia",
    ),
    "Prison and probation": (
        "Prison et probation",
        "Gevangenis en reclassering",
        "Strafvollzug und Bewährungshilfe",
        "Prisiones y libertad vigilada",
    ),
    "Social cohesion and polarisation": (
        "Cohésion sociale et polarisation",
        "Sociale cohesie en polarisatie",
        "Gesellschaftlicher Zusammenhalt und Polarisierung",
        "Cohesión social y polarización",
    ),
    "Victims of terrorism": (
        "Victimes du terrorisme",
        "Slachtoffers van terrorisme",
        "Opfer des Terrorismus",
        "Víctimas del terrorismo",
    ),
    "Violent right-wing extremism": (
        "Extrémisme violent de droite",
        "Gewelddadig rechts-extremisme",
        "Gewaltbereiter Rechtsextremismus",
        "Extremismo violento de derecha",
    ),
    "Vulnerable youth and youth engagement in P/CVE": (
        "Jeunes vulnérables et engagement des jeunes dans la P/CVE",
        "Kwetsbare jongeren en jongerenparticipatie in P/CVE",
        "Vulnerable Jugendliche und Beteiligung junger Menschen an P/CVE",
        "Jóvenes vulnerables y participación juvenil en P/CVE",
    ),
}

TARGET_AUDIENCES = {
    "First responders or practitioners": (
        "Intervenants de première ligne ou professionnels de terrain",
        "Eerstelijnswerkers of professionals",
        "Fachkräfte an vorderster Front oder aus der Praxis",
        "Profesionales de primera línea",
    ),
    "Authorities": ("Autorités", "Overheden", "Behörden", "Autoridades"),
    "Online community": (
        "Communauté en ligne",
        "Online gemeenschap",
        "Online-Community",
        "Comunidad en línea",
    ),
    "Formers": KEY_THEMES["Formers"],
    "General public": (
        "Grand public",
        "Breed publiek",
        "Breite Öffentlichkeit",
        "Público en general",
    ),
    "Prison / probation": (
        "Prison/probation",
        "Gevangenis/reclassering",
        "Strafvollzug/Bewährungshilfe",
        "Prisiones/libertad vigilada",
    ),
    "Educators/academics": (
        "Enseignants, éducateurs/universitaires",
        "Onderwijsprofessionals/academici",
        "Pädagogische Fachkräfte/Forschende",
        "Educadores/académicos",
    ),
    "Families": ("Familles", "Families", "Familien", "Familias"),
    "Youth/pupils/students": (
        "Jeunes/élèves/étudiants",
        "Jongeren/leerlingen/studenten",
        "Jugendliche/Schülerinnen und Schüler/Studierende",
        "Jóvenes/alumnos/estudiantes",
    ),
    "Local community organisations/NGOs": (
        "Associations locales/ONG",
        "Lokale maatschappelijke organisaties/ngo's",
        "Lokale zivilgesellschaftliche Organisationen/NGOs",
        "Organizaciones comunitarias locales/ONG",
    ),
    "Victims of terrorism": KEY_THEMES["Victims of terrorism"],
}

ORGANISATION_TYPES = {
    "NGO": ("ONG", "Ngo", "NGO", "ONG"),
    "Governmental institution": (
        "Institution publique",
        "Overheidsinstelling",
        "Öffentliche Einrichtung",
        "Institución pública",
    ),
    "Foundation": ("Fondation", "Stichting", "Stiftung", "Fundación"),
    "Academic/research institution": (
        "Institution universitaire ou de recherche",
        "Academische of onderzoeksinstelling",
        "Hochschule/Forschungseinrichtung",
        "Institución académica/de investigación",
    ),
    "Other": ("Autre", "Overig", "Sonstige", "Otro"),
}

FUNDING_PROGRAMMES = {
    "ISF-Police": ("FSI-Police", "ISF-Politie", "ISF-Polizei", "FSI-Policía"),
    "ESF": ("FSE", "", "", "FSE"),
    "Horizon 2020": ("", "", "Horizont 2020", "Horizonte 2020"),
}

LABELS = {
    "KeyTheme": KEY_THEMES,
    "TargetAudience": TARGET_AUDIENCES,
    "OrganisationType": ORGANISATION_TYPES,
    "FundingProgramme": FUNDING_PROGRAMMES,
}


def fill_labels(apps, schema_editor):
    """Give the seeded terms their translated labels where a curator has not written one."""
    for model_name, terms in LABELS.items():
        model = apps.get_model("practices", model_name)
        for label, translations in terms.items():
            for code, translated in zip(LANGUAGES, translations, strict=True):
                if translated:
                    field = f"label_{code}"
                    model.objects.filter(label=label, **{field: ""}).update(**{field: translated})


def clear_labels(apps, schema_editor):
    """Remove the labels this migration wrote, unless a curator changed them since."""
    for model_name, terms in LABELS.items():
        model = apps.get_model("practices", model_name)
        for label, translations in terms.items():
            for code, translated in zip(LANGUAGES, translations, strict=True):
                if translated:
                    field = f"label_{code}"
                    model.objects.filter(label=label, **{field: translated}).update(**{field: ""})


class Migration(migrations.Migration):
    dependencies = [
        ("practices", "0021_vocabulary_descriptions"),
    ]

    operations = [
        migrations.AddField(
            model_name="fundingprogramme",
            name="label_de",
            field=models.CharField(
                blank=True,
                help_text=HELP,
                max_length=150,
                verbose_name="label in German",
            ),
        ),
        migrations.AddField(
            model_name="fundingprogramme",
            name="label_es",
            field=models.CharField(
                blank=True,
                help_text=HELP,
                max_length=150,
                verbose_name="label in Spanish",
            ),
        ),
        migrations.AddField(
            model_name="fundingprogramme",
            name="label_fr",
            field=models.CharField(
                blank=True,
                help_text=HELP,
                max_length=150,
                verbose_name="label in French",
            ),
        ),
        migrations.AddField(
            model_name="fundingprogramme",
            name="label_nl",
            field=models.CharField(
                blank=True,
                help_text=HELP,
                max_length=150,
                verbose_name="label in Dutch",
            ),
        ),
        migrations.AddField(
            model_name="keytheme",
            name="label_de",
            field=models.CharField(
                blank=True,
                help_text=HELP,
                max_length=150,
                verbose_name="label in German",
            ),
        ),
        migrations.AddField(
            model_name="keytheme",
            name="label_es",
            field=models.CharField(
                blank=True,
                help_text=HELP,
                max_length=150,
                verbose_name="label in Spanish",
            ),
        ),
        migrations.AddField(
            model_name="keytheme",
            name="label_fr",
            field=models.CharField(
                blank=True,
                help_text=HELP,
                max_length=150,
                verbose_name="label in French",
            ),
        ),
        migrations.AddField(
            model_name="keytheme",
            name="label_nl",
            field=models.CharField(
                blank=True,
                help_text=HELP,
                max_length=150,
                verbose_name="label in Dutch",
            ),
        ),
        migrations.AddField(
            model_name="organisationtype",
            name="label_de",
            field=models.CharField(
                blank=True,
                help_text=HELP,
                max_length=150,
                verbose_name="label in German",
            ),
        ),
        migrations.AddField(
            model_name="organisationtype",
            name="label_es",
            field=models.CharField(
                blank=True,
                help_text=HELP,
                max_length=150,
                verbose_name="label in Spanish",
            ),
        ),
        migrations.AddField(
            model_name="organisationtype",
            name="label_fr",
            field=models.CharField(
                blank=True,
                help_text=HELP,
                max_length=150,
                verbose_name="label in French",
            ),
        ),
        migrations.AddField(
            model_name="organisationtype",
            name="label_nl",
            field=models.CharField(
                blank=True,
                help_text=HELP,
                max_length=150,
                verbose_name="label in Dutch",
            ),
        ),
        migrations.AddField(
            model_name="targetaudience",
            name="label_de",
            field=models.CharField(
                blank=True,
                help_text=HELP,
                max_length=150,
                verbose_name="label in German",
            ),
        ),
        migrations.AddField(
            model_name="targetaudience",
            name="label_es",
            field=models.CharField(
                blank=True,
                help_text=HELP,
                max_length=150,
                verbose_name="label in Spanish",
            ),
        ),
        migrations.AddField(
            model_name="targetaudience",
            name="label_fr",
            field=models.CharField(
                blank=True,
                help_text=HELP,
                max_length=150,
                verbose_name="label in French",
            ),
        ),
        migrations.AddField(
            model_name="targetaudience",
            name="label_nl",
            field=models.CharField(
                blank=True,
                help_text=HELP,
                max_length=150,
                verbose_name="label in Dutch",
            ),
        ),
        migrations.RunPython(fill_labels, clear_labels),
    ]
