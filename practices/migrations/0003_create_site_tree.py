"""Replace Wagtail's welcome page with the Practice Hub tree: Home with Cities, Networks, Practices."""

from django.db import migrations

CHILDREN = [
    ("cityindexpage", "Cities", "cities"),
    ("networkindexpage", "Networks", "networks"),
    ("practiceindexpage", "Practices", "practices"),
]


def create_tree(apps, schema_editor):
    ContentType = apps.get_model("contenttypes.ContentType")
    Page = apps.get_model("wagtailcore.Page")
    Site = apps.get_model("wagtailcore.Site")
    Locale = apps.get_model("wagtailcore.Locale")

    if Page.objects.filter(depth=2, content_type__app_label="practices").exists():
        return  # The tree exists already (e.g. migrations re-run on a copied database).

    # Wagtail's placeholder welcome page; deleting it also deletes its Site.
    Page.objects.filter(depth=2, slug="home", content_type__app_label="wagtailcore").delete()
    locale = Locale.objects.order_by("pk").first()

    def make(model_name, title, slug, path, depth, url_path, numchild=0):
        model = apps.get_model("practices", model_name)
        content_type, _ = ContentType.objects.get_or_create(app_label="practices", model=model_name)
        return model.objects.create(
            title=title,
            draft_title=title,
            slug=slug,
            content_type=content_type,
            path=path,
            depth=depth,
            numchild=numchild,
            url_path=url_path,
            locale=locale,
            live=True,
        )

    root = Page.objects.get(depth=1)
    home_path = f"{root.path}{root.numchild + 1:04d}"
    home = make("homepage", "Practice Hub", "home", home_path, 2, "/home/", len(CHILDREN))
    root.numchild += 1
    root.save(update_fields=["numchild"])
    for position, (model_name, title, slug) in enumerate(CHILDREN, start=1):
        make(model_name, title, slug, f"{home_path}{position:04d}", 3, f"/home/{slug}/")

    Site.objects.update_or_create(
        is_default_site=True,
        defaults={
            "hostname": "localhost",
            "port": 80,
            "root_page": home,
            "site_name": "Practice Hub",
        },
    )


class Migration(migrations.Migration):
    dependencies = [("practices", "0002_seed_vocabularies")]

    operations = [migrations.RunPython(create_tree, migrations.RunPython.noop)]
