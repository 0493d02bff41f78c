"""Password guessing is stopped on every sign-in form (issue 12, finding 7).

Before, 40 wrong passwords in a row were followed by a successful sign-in.
"""

from django.test import TestCase, override_settings

from tests.factories import UserFactory

PASSWORD = "the-right-password-42"  # noqa: S105 - a test account
FORMS = {
    "Wagtail admin": "/admin/login/",
    "members": "/accounts/login/",
    "Django admin": "/django-admin/login/",
}


@override_settings(AXES_FAILURE_LIMIT=3)
class SignInThrottlingTests(TestCase):
    """The third wrong password pauses the account for this address, on every form; then even
    the right password is refused."""

    def setUp(self):
        self.user = UserFactory(username="guessed", password=PASSWORD, is_staff=True)

    def sign_in(self, url, password, ip="192.0.2.10"):
        return self.client.post(url, {"username": "guessed", "password": password}, REMOTE_ADDR=ip)

    def test_each_form_pauses_after_the_limit_even_for_the_right_password(self):
        for name, url in FORMS.items():
            with self.subTest(form=name):
                from axes.utils import reset

                reset()
                self.client.logout()
                for attempt in range(2):
                    self.assertNotEqual(self.sign_in(url, f"wrong-{attempt}").status_code, 429)
                self.assertEqual(self.sign_in(url, "wrong-again").status_code, 429)  # the third
                paused = self.sign_in(url, PASSWORD)
                self.assertEqual(paused.status_code, 429)
                self.assertContains(paused, "signing in is paused for 15 minutes", status_code=429)
                self.assertNotIn("_auth_user_id", self.client.session)

    def test_another_address_is_not_paused_and_success_resets_the_count(self):
        for attempt in range(3):
            self.sign_in("/accounts/login/", f"wrong-{attempt}")
        self.assertEqual(self.sign_in("/accounts/login/", PASSWORD).status_code, 429)
        elsewhere = self.sign_in("/accounts/login/", PASSWORD, ip="192.0.2.99")
        self.assertEqual(elsewhere.status_code, 302)  # signed in from another address
        self.assertEqual(self.client.session["_auth_user_id"], str(self.user.pk))
