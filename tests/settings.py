"""The production settings, with the environment a test run needs filled in where unset."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-any-real-site")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("EMAIL_URL", "memorymail://")

from config.settings import *  # noqa: E402, F403

# Hashing a password the production way takes half a second; the tests make many accounts.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
