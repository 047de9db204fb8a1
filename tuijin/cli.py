"""The `tuijin` console command: `tuijin migrate`, `tuijin runserver`, `tuijin load_demo`, … (wraps manage.py)."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tuijin.settings.base")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["tuijin", *sys.argv[1:]])


if __name__ == "__main__":
    main()
