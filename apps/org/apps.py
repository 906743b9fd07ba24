from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "apps.org"
    label = "org"
    verbose_name = "组织 Organisation"

    def ready(self) -> None:
        # every module's settings sections (apps.org.settings_registry), found like admin.py
        from apps.org import settings_registry

        settings_registry.autodiscover()
