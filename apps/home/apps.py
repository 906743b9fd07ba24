from django.apps import AppConfig


class HomeConfig(AppConfig):
    name = "apps.home"
    label = "home"
    verbose_name = "首页 Home"

    def ready(self) -> None:
        from apps.home import wiring  # imports models: only once the registry is ready

        wiring.wire()
