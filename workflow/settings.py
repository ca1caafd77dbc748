"""Service settings: `config/kpi.toml`, then the file named by KPI_CONFIG, then KPI_* variables.

Every setting is declared once in SETTINGS with its type; an unknown key in a file or a value of
the wrong type is refused with a message naming the key. What is *not* here: the rules officials
change (report windows, reminder offsets, rubric), which `workflow.rules` loads and each cycle
snapshots.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULTS_FILE = PROJECT_ROOT / "config" / "kpi.toml"
INSECURE_SECRET_KEYS = frozenset({"", "change-me"})
ENVIRONMENTS = ("development", "production", "testing")
SMTP_SECURITY = ("none", "starttls", "ssl")
LOG_FORMATS = ("auto", "json", "text")


class SettingsError(ValueError):
    """A setting is missing, unknown or of the wrong type; the message names it."""


def _parse_bool(raw: str) -> bool:
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError(f"not a boolean: {raw!r}")


@dataclass(frozen=True)
class Setting:
    name: str
    kind: type
    choices: tuple[str, ...] = ()

    @property
    def env_var(self) -> str:
        return "KPI_" + self.name.upper()

    def coerce(self, value: Any, source: str) -> Any:
        try:
            if isinstance(value, str) and self.kind is not str:
                value = _parse_bool(value) if self.kind is bool else self.kind(value.strip())
            if not isinstance(value, self.kind) or (self.kind is int and isinstance(value, bool)):
                raise ValueError(f"expected {self.kind.__name__}, got {type(value).__name__}")
        except ValueError as exc:
            raise SettingsError(f"{source}: {self.name}: {exc}") from None
        if self.choices and value not in self.choices:
            raise SettingsError(f"{source}: {self.name} must be one of {', '.join(self.choices)}, not {value!r}")
        return value


SETTINGS: tuple[Setting, ...] = (
    Setting("env", str, ENVIRONMENTS),
    Setting("database_url", str),
    Setting("secret_key", str),
    Setting("base_url", str),
    Setting("default_locale", str, ("vi", "en")),
    Setting("timezone", str),
    Setting("rules_file", str),
    Setting("upload_dir", str),
    Setting("per_page", int),
    Setting("upload_unpacked_part_mb", int),
    Setting("upload_unpacked_total_mb", int),
    Setting("upload_compression_ratio_max", int),
    Setting("session_idle_minutes", int),
    Setting("session_max_hours", int),
    Setting("login_limit_per_address", str),
    Setting("login_limit_per_account", str),
    Setting("login_backoff_seconds", int),
    Setting("login_backoff_max_seconds", int),
    Setting("ratelimit_storage_uri", str),
    Setting("ratings_limit_per_kiosk", str),
    Setting("ratings_limit_per_client", str),
    Setting("ratings_limit_per_address", str),
    Setting("smtp_host", str),
    Setting("smtp_port", int),
    Setting("smtp_security", str, SMTP_SECURITY),
    Setting("smtp_user", str),
    Setting("smtp_password", str),
    Setting("mail_from", str),
    Setting("smtp_timeout_seconds", int),
    Setting("smtp_ca_file", str),
    Setting("smtp_connections", int),
    Setting("mail_batch_size", int),
    Setting("mail_retry_base_seconds", int),
    Setting("mail_retry_max_seconds", int),
    Setting("mail_max_attempts", int),
    Setting("scheduler_tick_seconds", int),
    Setting("scheduler_lease_seconds", int),
    Setting("scheduler_keep_runs_days", int),
    Setting("scheduler_heartbeat_file", str),
    Setting("web_bind", str),
    Setting("web_workers", int),
    Setting("web_threads", int),
    Setting("proxy_hops", int),
    Setting("pg_bin_dir", str),
    Setting("ldap_url", str),
    Setting("ldap_bind_dn", str),
    Setting("ldap_bind_password", str),
    Setting("ldap_base_dn", str),
    Setting("ldap_user_filter", str),
    Setting("ldap_group_filter", str),
    Setting("ldap_personnel_code_attribute", str),
    Setting("ldap_email_attribute", str),
    Setting("ldap_group_roles", str),
    Setting("ldap_timeout_seconds", int),
    Setting("oidc_issuer", str),
    Setting("oidc_client_id", str),
    Setting("oidc_client_secret", str),
    Setting("oidc_scopes", str),
    Setting("oidc_personnel_code_claim", str),
    Setting("log_format", str, LOG_FORMATS),
    Setting("log_level", str, ("DEBUG", "INFO", "WARNING", "ERROR")),
)
_BY_NAME = {s.name: s for s in SETTINGS}


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise SettingsError(f"{path}: file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{path}: {exc}") from None


def load_settings(environ: Mapping[str, str] | None = None, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Return every setting by name, layered defaults → KPI_CONFIG file → environment → overrides."""
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    layers: list[tuple[str, Mapping[str, Any]]] = [(str(DEFAULTS_FILE), _read_toml(DEFAULTS_FILE))]
    if environ.get("KPI_CONFIG"):
        path = Path(environ["KPI_CONFIG"])
        layers.append((str(path), _read_toml(path)))
    layers.append(("environment", {s.name: environ[s.env_var] for s in SETTINGS if s.env_var in environ}))
    if overrides:
        layers.append(("overrides", overrides))
    for source, layer in layers:
        for key, value in layer.items():
            setting = _BY_NAME.get(key)
            if setting is None:
                raise SettingsError(f"{source}: unknown setting {key!r}")
            values[key] = setting.coerce(value, source)
    missing = [s.name for s in SETTINGS if s.name not in values]
    if missing:
        raise SettingsError(f"{DEFAULTS_FILE}: missing settings {', '.join(missing)}")
    return values


def log_format(settings: Mapping[str, Any]) -> str:
    """The format of log lines: as set, or JSON in production and text elsewhere when "auto"."""
    if settings["log_format"] != "auto":
        return settings["log_format"]
    return "json" if settings["env"] == "production" else "text"


def check_production(settings: Mapping[str, Any]) -> None:
    """Refuse to run in production with the values that are only safe on a developer's machine."""
    if settings["env"] != "production":
        return
    if settings["secret_key"] in INSECURE_SECRET_KEYS or len(settings["secret_key"]) < 32:
        raise SettingsError(
            "KPI_SECRET_KEY must be set to a random value of at least 32 characters in production "
            "(for example: python -c 'import secrets; print(secrets.token_urlsafe(48))')"
        )
    if not settings["database_url"]:
        raise SettingsError("KPI_DATABASE_URL must be set in production (postgresql+psycopg://…)")
    if settings["ratelimit_storage_uri"].startswith("memory:"):
        raise SettingsError(
            "KPI_RATELIMIT_STORAGE_URI=memory:// counts sign-in failures in each process alone; in production "
            "use database:// (the default) or redis://…"
        )
