from django.apps import AppConfig


class DevtoolsConfig(AppConfig):
    """Demo data, the data generator and the benchmark: installed in development, tests and the
    benchmark (``DEVTOOLS``), never imported by the product's code."""

    name = "devtools"
    verbose_name = "Developer tools"
