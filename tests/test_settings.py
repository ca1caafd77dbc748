import pytest

from workflow import create_app
from workflow.settings import SettingsError, load_settings


def test_defaults_then_environment_override():
    settings = load_settings({"KPI_SMTP_PORT": "2525", "KPI_SMTP_SECURITY": "starttls"})
    assert settings["smtp_port"] == 2525
    assert settings["smtp_security"] == "starttls"
    assert settings["default_locale"] == "vi"


@pytest.mark.parametrize(
    "environ, message",
    [
        ({"KPI_SMTP_PORT": "twenty-five"}, "smtp_port"),
        ({"KPI_SMTP_SECURITY": "tls"}, "smtp_security must be one of none, starttls, ssl"),
        ({"KPI_ENV": "staging"}, "env must be one of"),
    ],
)
def test_bad_values_name_the_setting(environ, message):
    with pytest.raises(SettingsError, match=message):
        load_settings(environ)


def test_config_file_with_unknown_key_is_refused(tmp_path):
    extra = tmp_path / "site.toml"
    extra.write_text('smtp_hots = "mail"\n')
    with pytest.raises(SettingsError, match="unknown setting 'smtp_hots'"):
        load_settings({"KPI_CONFIG": str(extra)})


def test_config_file_overrides_defaults(tmp_path):
    extra = tmp_path / "site.toml"
    extra.write_text('mail_from = "Ban Tổ chức <btc@vinhphuc.gov.vn>"\nper_page = 50\n')
    settings = load_settings({"KPI_CONFIG": str(extra)})
    assert settings["mail_from"] == "Ban Tổ chức <btc@vinhphuc.gov.vn>"
    assert settings["per_page"] == 50


@pytest.mark.parametrize("secret", ["", "change-me", "short-secret"])
def test_production_refuses_default_or_weak_secret(secret):
    environ = {"KPI_ENV": "production", "KPI_SECRET_KEY": secret, "KPI_DATABASE_URL": "postgresql://x@localhost/kpi"}
    with pytest.raises(SettingsError, match="KPI_SECRET_KEY"):
        create_app(environ=environ)


def test_production_requires_a_database_url():
    environ = {"KPI_ENV": "production", "KPI_SECRET_KEY": "x" * 40}
    with pytest.raises(SettingsError, match="KPI_DATABASE_URL"):
        create_app(environ=environ)


def test_production_refuses_sign_in_counters_kept_per_process():
    environ = {"KPI_ENV": "production", "KPI_SECRET_KEY": "x" * 40, "KPI_DATABASE_URL": "postgresql://x@localhost/kpi",
               "KPI_RATELIMIT_STORAGE_URI": "memory://"}
    with pytest.raises(SettingsError, match="KPI_RATELIMIT_STORAGE_URI"):
        create_app(environ=environ)


def test_sign_in_limits_that_cannot_be_read_stop_the_service():
    with pytest.raises(SettingsError, match="login_limit_per_account"):
        create_app(environ={"KPI_LOGIN_LIMIT_PER_ACCOUNT": "five a day"})


def test_production_starts_with_proper_settings():
    environ = {"KPI_ENV": "production", "KPI_SECRET_KEY": "x" * 40, "KPI_DATABASE_URL": "postgresql://x@localhost/kpi"}
    app = create_app(environ=environ)
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://x@localhost/kpi"
    assert app.config["SECRET_KEY"] == "x" * 40
