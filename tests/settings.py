"""Test settings: the product's settings plus a toy app for the visibility core."""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-not-a-secret-" + "x" * 40)
os.environ.setdefault(
    "STATICFILES_BACKEND", "django.contrib.staticfiles.storage.StaticFilesStorage"
)

# jobs run where they are enqueued (one test runs the real worker: tests/core/test_worker.py)
os.environ.setdefault("TASKS_BACKEND", "immediate")

from keyaccount.settings import *  # noqa: F403
from keyaccount.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "tests.toyapp"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast; argon2 tested apart
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
AXES_ENABLED = True
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
