import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tuijin.settings.base")
application = get_wsgi_application()

# Objects created while loading the application live for the whole process: moving them out of the collector's
# reach shortens the full collections that otherwise pause a request now and then (make bench, p95).
gc.collect()
gc.freeze()
