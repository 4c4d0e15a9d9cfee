import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = get_wsgi_application()

# What is loaded by now (Django, the apps and their modules) lives as long as the worker: moved
# out of the garbage collector's sight, it is not walked again by every full collection, which
# was a fifth of the processor time of the dashboard's pages.
gc.freeze()
