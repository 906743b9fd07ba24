from django.apps import AppConfig


class RepairsConfig(AppConfig):
    name = "apps.repairs"
    label = "repairs"
    verbose_name = "报修与有偿服务 Repairs"
