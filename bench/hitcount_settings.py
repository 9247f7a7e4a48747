"""Settings of the portal benchmark's server: the project's settings plus django-hitcount.

One gunicorn server runs with these settings and serves the three modes of ``bench/portal.py``
(page, page + our beacon, page counted by django-hitcount), so they are measured on the same
server. Everything else (database, DEBUG, ...) comes from the environment, as in production.

django-hitcount 1.3.5 works on Django 5.2 as it is. Its migrations predate
``DEFAULT_AUTO_FIELD`` (they create ``AutoField`` ids where this project defaults to
``BigAutoField``) and spell a ``related_name`` differently, so ``migrate -v1`` notes "models in
app(s) 'hitcount' have changes not yet reflected in a migration": harmless (no column differs in a
way that matters here); never run ``makemigrations`` with these settings, it would write into
site-packages.
"""

from config.settings import *  # noqa: F403
from config.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "hitcount"]
ROOT_URLCONF = "bench.hitcount_urls"
