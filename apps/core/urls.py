from django.contrib.auth import views as auth_views
from django.urls import path

from apps.core import views
from apps.core.forms import LoginForm

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(authentication_form=LoginForm, redirect_authenticated_user=True),
         name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("profile/", views.profile, name="profile"),
    path("profile/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("profile/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("profile/tokens/", views.token_create, name="token_create"),
    path("profile/tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("switch-project/", views.switch_project, name="switch_project"),
    path("healthz", views.healthz, name="healthz"),
]
