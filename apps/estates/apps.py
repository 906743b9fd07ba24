from django.apps import AppConfig


class EstatesConfig(AppConfig):
    name = "apps.estates"
    label = "estates"
    verbose_name = "房产与业主档案 Estates"
