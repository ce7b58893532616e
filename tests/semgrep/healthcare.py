# ruff: noqa
# mypy: ignore-errors
# Test cases for security/semgrep/healthcare.yml, checked with
#   semgrep --test --config security/semgrep/healthcare.yml tests/semgrep/
# Synthetic code only: no real patient data and no real key. Never imported or run.
import logging
import ssl

import requests
from google.cloud import bigquery
from google.oauth2 import service_account

logger = logging.getLogger(__name__)


def log_cases(patient, patient_ssn, record_id, mrn, count):
    # ruleid: phi-in-log-call
    logger.info("loaded %s", patient)
    # ruleid: phi-in-log-call
    logger.warning(f"bad ssn {patient_ssn}")
    # ruleid: phi-in-log-call
    logging.error("record {}".format(mrn))
    # ok: phi-in-log-call
    logger.info("loaded record %s", record_id)
    # ok: phi-in-log-call
    logger.info("loaded %d rows", count)


def print_cases(patient_dob, row_count):
    # ruleid: phi-in-print
    print("dob", patient_dob)
    # ruleid: phi-in-print
    print(f"dob={patient_dob}")
    # ok: phi-in-print
    print("rows", row_count)


def exception_cases(patient_name, record_id):
    if record_id is None:
        # ruleid: phi-in-exception-message
        raise ValueError(f"no record for {patient_name}")
    if not record_id:
        # ruleid: phi-in-exception-message
        raise KeyError("unknown patient %s" % patient_name)
    # ok: phi-in-exception-message
    raise LookupError(f"no record {record_id}")


def tls_cases(url, context):
    # ruleid: tls-verification-disabled
    requests.get(url, verify=False, timeout=10)
    # ruleid: tls-verification-disabled
    unverified = ssl._create_unverified_context()
    # ruleid: tls-verification-disabled
    context.check_hostname = False
    # ok: tls-verification-disabled
    requests.get(url, verify=True, timeout=10)
    return unverified


def url_cases():
    # ruleid: plain-http-endpoint
    api = "http://fhir.example.internal/Patient"
    # ok: plain-http-endpoint
    secure = "https://fhir.example.internal/Patient"
    # ok: plain-http-endpoint
    local = "http://localhost:8080/healthz"
    return api, secure, local


def key_cases():
    # ruleid: hardcoded-gcp-service-account-key
    info = {"type": "service_account", "project_id": "p", "private_key": "SYNTHETIC-NOT-A-KEY"}
    # ruleid: hardcoded-gcp-service-account-key
    pem = "-----BEGIN PRIVATE KEY-----SYNTHETIC-NOT-A-KEY"
    # ok: hardcoded-gcp-service-account-key
    credentials = service_account.Credentials.from_service_account_file("/var/run/secrets/none.json")
    return info, pem, credentials


def bigquery_cases(client: bigquery.Client, table, patient_id):
    # ruleid: bigquery-query-built-by-string-formatting
    client.query(f"SELECT * FROM {table} WHERE id = '{patient_id}'")
    # ruleid: bigquery-query-built-by-string-formatting
    client.query("SELECT * FROM t WHERE id = '%s'" % patient_id)
    sql = "SELECT * FROM t WHERE id = '{}'".format(patient_id)
    # ruleid: bigquery-query-built-by-string-formatting
    client.query(sql)
    parameters = [bigquery.ScalarQueryParameter("id", "STRING", patient_id)]
    # ok: bigquery-query-built-by-string-formatting
    client.query("SELECT * FROM t WHERE id = @id", job_config=bigquery.QueryJobConfig(query_parameters=parameters))


def csv_cases(patients_df, summary_df):
    # ruleid: phi-dataframe-written-to-local-csv
    patients_df.to_csv("/tmp/patients.csv", index=False)
    # ok: phi-dataframe-written-to-local-csv
    patients_df.to_csv("gs://nwh-analytics-dev-curated/exports/patients.csv", index=False)
    # ok: phi-dataframe-written-to-local-csv
    summary_df.to_csv("/tmp/summary.csv")


def timeout_cases(url):
    # ruleid: requests-without-timeout
    requests.get(url)
    # ruleid: requests-without-timeout
    requests.post(url, json={})
    # ok: requests-without-timeout
    requests.get(url, timeout=10)
