"""Settings from the environment: each bad value is refused naming its variable."""

from __future__ import annotations

import pytest

from hipaa_api.settings import Settings, SettingsError

GOOD = {"HIPAA_API_PROJECT": "nwh-analytics-prd", "HIPAA_API_DATASET": "hipaa_prod_deidentified"}


def test_defaults() -> None:
    settings = Settings.from_env(GOOD)
    assert settings.table_id == "nwh-analytics-prd.hipaa_prod_deidentified.facility_monthly_encounters"
    assert settings.port == 8443


def test_overrides() -> None:
    settings = Settings.from_env({**GOOD, "HIPAA_API_TABLE": "other_cells", "HIPAA_API_PORT": "9090"})
    assert (settings.table, settings.port) == ("other_cells", 9090)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"HIPAA_API_DATASET": "d"}, "HIPAA_API_PROJECT is not set"),
        ({**GOOD, "HIPAA_API_PROJECT": "Bad Project"}, "HIPAA_API_PROJECT='Bad Project' is malformed"),
        ({**GOOD, "HIPAA_API_DATASET": "d.x"}, "HIPAA_API_DATASET='d.x' is malformed"),
        ({**GOOD, "HIPAA_API_TABLE": "t`; DROP"}, "HIPAA_API_TABLE="),
        ({**GOOD, "HIPAA_API_PORT": "80"}, "HIPAA_API_PORT='80' must be an unprivileged port"),
        ({**GOOD, "HIPAA_API_PORT": "http"}, "HIPAA_API_PORT='http'"),
    ],
)
def test_bad_settings_name_the_variable(env: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError) as raised:
        Settings.from_env(env)
    assert str(raised.value).startswith(message)
